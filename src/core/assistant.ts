/**
 * The use cases every edge (CLI, bot, console) calls. Edges format; this decides.
 */
import { evaluateFamilies } from '../ml/index.ts';
import type { CleanDataset, Customer, CustomerScore, DatasetVersion, DroppedCustomer, FeatureName, ModelVersion } from './domain.ts';
import { FEATURE_SCHEMA, toFrame, toLabels } from './features.ts';
import { NoModelError, NotFoundError } from './errors.ts';
import { ActiveModel, type LoadedModel } from './activeModel.ts';
import { Explanations } from './explanations.ts';
import type { FeatureImportance } from './importance.ts';
import { Portfolio } from './portfolio.ts';
import type { BackgroundWork, DatasetReader, Logger, SegmentSet, Store } from './ports.ts';
import { bandOf, baseRateOf, describeDrivers, lookupCustomer, type BandThresholds, type RiskAssessment } from './risk.ts';
import {
  offerFor,
  priority,
  segmentSettingsOf,
  segmentsOf,
  type OfferCode,
  type SegmentCode,
  type SegmentOverview,
  type SegmentSummary,
} from './segments.ts';
import { trainModel, type TrainOptions, type TrainOutcome } from './training.ts';
import { inProcessWork } from './work.ts';

export interface AssistantSettings {
  risk: BandThresholds;
  promoShare: number;
  seed: number;
  /** Families a training searches unless it names its own; undefined: all. */
  families?: string[];
}

export interface RiskAnswer extends RiskAssessment {
  segments: SegmentCode[];
  offer: OfferCode;
  /** probability × profit: what every call list is sorted by. */
  expectedLoss: number;
  /** The same customer's probability from the newest model of an earlier data set, if one scored them. */
  previous: PreviousScore | null;
}

export interface PreviousScore {
  probability: number;
  modelVersion: number;
  datasetVersion: number;
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
  const segmentSettings = segmentSettingsOf(settings);
  const portfolio = new Portfolio(store, work, segmentSettings);
  const explanations = new Explanations(store, work);

  async function storeDataset(data: CleanDataset, source: string): Promise<IngestOutcome> {
    return { dataset: await store.datasets.create(data, source), data };
  }

  /** Models of earlier data sets, newest first, listed once per active model. */
  let earlier: { forModel: number; versions: { version: number; datasetVersion: number }[] } | null = null;
  async function previousScore(meta: ModelVersion, id: number): Promise<PreviousScore | null> {
    if (earlier?.forModel !== meta.version) {
      const versions = (await store.models.list())
        .filter((m) => m.datasetVersion < meta.datasetVersion)
        .sort((a, b) => b.version - a.version)
        .map((m) => ({ version: m.version, datasetVersion: m.datasetVersion }));
      earlier = { forModel: meta.version, versions };
    }
    for (const m of earlier.versions) {
      const p = await store.models.score(m.version, id);
      if (p !== null) return { probability: p, modelVersion: m.version, datasetVersion: m.datasetVersion };
    }
    return null;
  }

  /** Customers the served data set dropped while cleaning, read once per data set version. */
  let dropped: { forDataset: number; byId: Map<number, DroppedCustomer['reason']> } | null = null;

  return {
    settings,
    /** The served model, shared with the campaign use cases so both answer from one cache. */
    activeModel: active as Pick<ActiveModel, 'get'>,
    hasModel: async () => (await store.models.activeVersion()) !== null,

    async ingestDir(dir: string): Promise<IngestOutcome> {
      // A store that can take customers while they are read writes on its own core meanwhile.
      if (store.datasets.createWhileReading) return store.datasets.createWhileReading(dir, (sink) => reader.readDir(dir, { sink }));
      return storeDataset(await reader.readDir(dir), dir);
    },

    async ingestFiles(files: Record<string, Buffer>, source: string): Promise<IngestOutcome> {
      return storeDataset(await reader.readFiles(files), source);
    },

    async train(opts: Partial<TrainOptions> = {}): Promise<TrainOutcome> {
      const families = settings.families?.length ? { families: settings.families } : {};
      return trainModel(store, { seed: settings.seed, segments: segmentSettings, ...families, ...opts });
    },

    /** Compares families by repeated CV without storing anything. */
    async evaluate(opts: { folds: number; repeats: number }) {
      const latest = await store.datasets.latest();
      if (!latest) throw new NotFoundError('dataset', 'latest');
      const customers = await store.datasets.customers(latest.version);
      return evaluateFamilies(FEATURE_SCHEMA, toFrame(customers), toLabels(customers), { seed: settings.seed, ...opts });
    },

    /** Scores customers that are not in the store (files given to `retention score --data`). */
    async scoreCustomers(customers: readonly Customer[]): Promise<CustomerScore[]> {
      const p = (await active.get()).model.predictProba(toFrame(customers));
      return customers.map((c, i) => ({ id: c.id, probability: p[i] }));
    },

    async storedScores(): Promise<CustomerScore[]> {
      return store.models.scores((await active.get()).meta.version);
    },

    /** Index lookups plus the customer's stored (or cheap, or cached) explanation: never a scan. */
    async risk(id: number): Promise<RiskAnswer> {
      // One resolution of the active model per answer: a retrain switching the pointer midway
      // must not mix two models in one reply.
      const loaded = await active.get();
      const { customer, probability } = await lookupCustomer(store, loaded, id);
      const contributions = await explanations.of(loaded, customer);
      const drivers = describeDrivers(contributions, customer, loaded.stats, undefined, loaded.indirect);
      // Models stored before cut-offs were recorded take them from their stored segments.
      const cutoffs = loaded.cutoffs ?? (await portfolio.set(loaded)).cutoffs;
      const segments = segmentsOf({ customer, probability }, cutoffs, segmentSettings);
      return {
        customer,
        probability,
        baseRate: (await store.explanations.base(loaded.meta.version, id)) ?? loaded.explanations?.baseValue ?? (await baseRateOf(store, loaded, probability)),
        contributions,
        band: bandOf(probability, settings.risk),
        drivers,
        modelVersion: loaded.meta.version,
        segments,
        offer: offerFor(segments),
        expectedLoss: priority({ customer, probability }),
        previous: await previousScore(loaded.meta, id),
      };
    },

    /**
     * Why a customer of the served data set's export is not in the analysis («zero_revenue»,
     * «revenue_outlier»), or null when the id was not dropped (unknown, or scored as usual).
     */
    async excluded(id: number): Promise<DroppedCustomer['reason'] | null> {
      const version = (await active.get()).meta.datasetVersion;
      if (dropped?.forDataset !== version) {
        dropped = { forDataset: version, byId: new Map((await store.datasets.dropped(version)).map((d) => [d.id, d.reason])) };
      }
      return dropped.byId.get(id) ?? null;
    },

    /** One segment's aggregates with its first `members` members (TOP_MEMBERS by default, or 'all'). */
    async segment(code: SegmentCode, opts: { members?: number | 'all' } = {}): Promise<SegmentSummary> {
      return portfolio.summary(await active.get(), code, opts.members ?? TOP_MEMBERS);
    },

    /** Every segment's aggregates with its first `members` members (TOP_MEMBERS by default). */
    async segments(opts: { members?: number } = {}): Promise<SegmentSummary[]> {
      return portfolio.summaries(await active.get(), opts.members ?? TOP_MEMBERS);
    },

    /** Every segment's aggregates with how the segments overlap (the overview chart): stored counts, no member read. */
    async segmentOverview(): Promise<SegmentOverview> {
      return portfolio.overview(await active.get());
    },

    /**
     * The stored segments of a served model under the configured thresholds, built once (off the
     * event loop) for a model that has none: what the week's call list reads its high band from.
     */
    segmentSet: (loaded: LoadedModel): Promise<SegmentSet> => portfolio.set(loaded),

    /** Every stored probability of the served model (the distribution chart): one read of the score index. */
    async probabilities(): Promise<Float64Array> {
      return Float64Array.from(await store.models.scores((await active.get()).meta.version), (s) => s.probability);
    },

    /** The smallest customer id of the served data set (a primary-key lookup), for examples in hints. */
    async exampleId(): Promise<number | null> {
      if ((await store.models.activeVersion()) === null) return null;
      try {
        return (await store.datasets.nearestIds((await active.get()).meta.datasetVersion, 0, 1))[0] ?? null;
      } catch (err) {
        if (err instanceof NoModelError) return null;
        throw err;
      }
    },

    /** Importance of every feature with the direction it pushes the risk, most important first: both stored with the model, so this reads the model row only. */
    async topFeatures(): Promise<FeatureImportance[]> {
      const { importance, featureDirections, indirect } = await active.get();
      return importance.map((f) => {
        const reading = indirect.get(f.feature);
        return { feature: f.feature, importance: f.importance, direction: featureDirections[f.feature as FeatureName] ?? null, ...(reading ? { indirect: reading } : {}) };
      });
    },

    async modelInfo(): Promise<{ model: ModelVersion; dataset: DatasetVersion | null }> {
      const { meta } = await active.get();
      return { model: meta, dataset: await store.datasets.get(meta.datasetVersion) };
    },

    listModels() {
      return store.models.list();
    },

    async useModel(version: number): Promise<ModelVersion> {
      await store.models.activate(version);
      const meta = await store.models.meta(version);
      if (!meta) throw new NotFoundError('model', String(version));
      return meta;
    },

    latestDataset: () => store.datasets.latest(),
  };
}
