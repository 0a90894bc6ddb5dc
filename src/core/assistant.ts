/**
 * The use cases every edge (CLI, bot, console) calls. Edges format; this decides.
 */
import { evaluateFamilies } from '../ml/index.ts';
import type { CleanDataset, Customer, CustomerScore, DatasetVersion, ModelVersion } from './domain.ts';
import { FEATURE_SCHEMA, toFrame, toLabels } from './features.ts';
import { NoModelError, NotFoundError } from './errors.ts';
import { ActiveModel } from './activeModel.ts';
import { Portfolio } from './portfolio.ts';
import type { DatasetReader, Logger, Store } from './ports.ts';
import { assessRisk, type BandThresholds, type RiskAssessment } from './risk.ts';
import {
  offerFor,
  segmentsOf,
  summarizeSegment,
  SEGMENT_CODES,
  type OfferCode,
  type SegmentCode,
  type SegmentSettings,
  type SegmentSummary,
} from './segments.ts';
import { trainModel, type TrainOptions, type TrainOutcome } from './training.ts';

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


export type Assistant = ReturnType<typeof createAssistant>;

export function createAssistant(deps: {
  store: Store;
  reader: DatasetReader;
  settings: AssistantSettings;
  log?: Logger;
}) {
  const { store, reader, settings, log } = deps;
  const active = new ActiveModel(store, log);
  const portfolio = new Portfolio(store, active);
  const segmentSettings: SegmentSettings = {
    highRisk: settings.risk.high,
    mediumRisk: settings.risk.medium,
    promoShare: settings.promoShare,
  };

  function storeDataset(data: CleanDataset, source: string): IngestOutcome {
    return { dataset: store.datasets.create(data, source), data };
  }

  return {
    settings,
    /** The served model, shared with the campaign use cases so both answer from one cache. */
    activeModel: active as Pick<ActiveModel, 'get'>,
    hasModel: () => store.models.activeVersion() !== null,

    async ingestDir(dir: string): Promise<IngestOutcome> {
      return storeDataset(await reader.readDir(dir), dir);
    },

    async ingestFiles(files: Record<string, Buffer>, source: string): Promise<IngestOutcome> {
      return storeDataset(await reader.readFiles(files), source);
    },

    train(opts: Partial<TrainOptions> = {}): TrainOutcome {
      return trainModel(store, { seed: settings.seed, ...opts });
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

    risk(id: number): RiskAnswer {
      // One resolution of the active model per answer: a retrain switching the pointer midway
      // must not mix two models in one reply.
      const loaded = active.get();
      const assessment = assessRisk(store, loaded, settings.risk, id);
      const cutoffs = loaded.cutoffs ?? portfolio.get().cutoffs;
      const segments = segmentsOf(
        { customer: assessment.customer, probability: assessment.probability },
        cutoffs,
        segmentSettings,
      );
      return { ...assessment, segments, offer: offerFor(segments) };
    },

    segment(code: SegmentCode): SegmentSummary {
      const snap = portfolio.get();
      return summarizeSegment(code, snap.scored, snap.cutoffs, segmentSettings);
    },

    segments(): SegmentSummary[] {
      const snap = portfolio.get();
      return SEGMENT_CODES.map((code) => summarizeSegment(code, snap.scored, snap.cutoffs, segmentSettings));
    },

    probabilities(): Float64Array {
      return Float64Array.from(portfolio.get().scored, (s) => s.probability);
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
