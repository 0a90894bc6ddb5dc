/**
 * The use cases every edge (CLI, bot, console) calls. Edges format; this decides.
 */
import { evaluateFamilies } from '../ml/index.ts';
import type { CleanDataset, Customer, CustomerScore, DatasetVersion, ModelVersion } from './domain.ts';
import { FEATURE_SCHEMA, toFrame, toLabels } from './features.ts';
import { NoModelError, NotFoundError } from './errors.ts';
import { ActiveModel } from './activeModel.ts';
import { Explanations } from './explanations.ts';
import { Portfolio } from './portfolio.ts';
import type { BackgroundWork, DatasetReader, Logger, Store } from './ports.ts';
import { bandOf, describeDrivers, lookupCustomer, type BandThresholds, type RiskAssessment } from './risk.ts';
import { offerFor, segmentsOf, type OfferCode, type SegmentCode, type SegmentSettings, type SegmentSummary } from './segments.ts';
import { trainModel, type TrainOptions, type TrainOutcome } from './training.ts';
import { inProcessWork } from './work.ts';

export interface AssistantSettings {
  risk: BandThresholds;
  promoShare: number;
  seed: number;
}

export interface RiskAnswer extends RiskAssessment {
  segments: SegmentCode[];
  offer: OfferCode;
}

export interface IngestOutcome {
  dataset: DatasetVersion;
  data: CleanDataset;
}

/** Members a segment summary carries unless asked otherwise: the «call first» list. */
export const TOP_MEMBERS = 5;

export type Assistant = ReturnType<typeof createAssistant>;

export function createAssistant(deps: {
  store: Store;
  reader: DatasetReader;
  settings: AssistantSettings;
  log?: Logger;
  /** Where segment builds and costly explanations run; in place by default. */
  work?: BackgroundWork;
}) {
  const { store, reader, settings, log } = deps;
  const work = deps.work ?? inProcessWork(store);
  const active = new ActiveModel(store, log);
  const segmentSettings: SegmentSettings = {
    highRisk: settings.risk.high,
    mediumRisk: settings.risk.medium,
    promoShare: settings.promoShare,
  };
  const portfolio = new Portfolio(store, work, segmentSettings);
  const explanations = new Explanations(store, work);

  function storeDataset(data: CleanDataset, source: string): IngestOutcome {
    return { dataset: store.datasets.create(data, source), data };
  }

  return {
    settings,
    hasModel: () => store.models.activeVersion() !== null,

    async ingestDir(dir: string): Promise<IngestOutcome> {
      return storeDataset(await reader.readDir(dir), dir);
    },

    async ingestFiles(files: Record<string, Buffer>, source: string): Promise<IngestOutcome> {
      return storeDataset(await reader.readFiles(files), source);
    },

    train(opts: Partial<TrainOptions> = {}): TrainOutcome {
      return trainModel(store, { seed: settings.seed, segments: segmentSettings, ...opts });
    },

    /** Compares families by repeated CV without storing anything. */
    evaluate(opts: { folds: number; repeats: number }) {
      const latest = store.datasets.latest();
      if (!latest) throw new NotFoundError('dataset', 'latest');
      const customers = store.datasets.customers(latest.version);
      return evaluateFamilies(FEATURE_SCHEMA, toFrame(customers), toLabels(customers), { seed: settings.seed, ...opts });
    },

    /** Scores customers that are not in the store (files given to `retention score --data`). */
    scoreCustomers(customers: readonly Customer[]): CustomerScore[] {
      const p = active.get().model.predictProba(toFrame(customers));
      return customers.map((c, i) => ({ id: c.id, probability: p[i] }));
    },

    storedScores(): CustomerScore[] {
      return store.models.scores(active.get().meta.version);
    },

    /** Index lookups plus the customer's stored (or cheap, or cached) explanation: never a scan. */
    async risk(id: number): Promise<RiskAnswer> {
      // One resolution of the active model per answer: a retrain switching the pointer midway
      // must not mix two models in one reply.
      const loaded = active.get();
      const { customer, probability } = lookupCustomer(store, loaded, id);
      const drivers = describeDrivers(await explanations.of(loaded, customer), customer, loaded.stats);
      // Models stored before cut-offs were recorded take them from their stored segments.
      const cutoffs = loaded.cutoffs ?? (await portfolio.set(loaded)).cutoffs;
      const segments = segmentsOf({ customer, probability }, cutoffs, segmentSettings);
      return {
        customer,
        probability,
        band: bandOf(probability, settings.risk),
        drivers,
        modelVersion: loaded.meta.version,
        segments,
        offer: offerFor(segments),
      };
    },

    /** One segment's aggregates with its first `members` members (TOP_MEMBERS by default, or 'all'). */
    async segment(code: SegmentCode, opts: { members?: number | 'all' } = {}): Promise<SegmentSummary> {
      return portfolio.summary(active.get(), code, opts.members ?? TOP_MEMBERS);
    },

    /** Every segment's aggregates with its first `members` members (TOP_MEMBERS by default). */
    async segments(opts: { members?: number } = {}): Promise<SegmentSummary[]> {
      return portfolio.summaries(active.get(), opts.members ?? TOP_MEMBERS);
    },

    /** Every stored probability of the served model (the distribution chart): one read of the score index. */
    probabilities(): Float64Array {
      return Float64Array.from(store.models.scores(active.get().meta.version), (s) => s.probability);
    },

    /** The smallest customer id of the served data set (a primary-key lookup), for examples in hints. */
    exampleId(): number | null {
      if (store.models.activeVersion() === null) return null;
      try {
        return store.datasets.nearestIds(active.get().meta.datasetVersion, 0, 1)[0] ?? null;
      } catch (err) {
        if (err instanceof NoModelError) return null;
        throw err;
      }
    },

    topFeatures(): { feature: string; importance: number }[] {
      return active.get().importance;
    },

    modelInfo(): { model: ModelVersion; dataset: DatasetVersion | null } {
      const { meta } = active.get();
      return { model: meta, dataset: store.datasets.get(meta.datasetVersion) };
    },

    listModels() {
      return store.models.list();
    },

    useModel(version: number): ModelVersion {
      store.models.activate(version);
      const meta = store.models.meta(version);
      if (!meta) throw new NotFoundError('model', String(version));
      return meta;
    },

    latestDataset: () => store.datasets.latest(),
  };
}
