import { trainBest, type TrainReport } from '../ml/index.ts';
import { FEATURES, type Customer, type ModelVersion } from './domain.ts';
import { NotFoundError } from './errors.ts';
import { FEATURE_SCHEMA, featureValue, toFrame, toLabels } from './features.ts';
import { crossFittedExplanations, precomputeExplanations } from './explanations.ts';
import { scoreDirections } from './importance.ts';
import { learnedDirections, measureDirections } from './indirect.ts';
import type { Store } from './ports.ts';
import { buildSegmentTables, segmentCutoffs, segmentHeads, type SegmentSettings } from './segments.ts';

/**
 * Under the `cached` tier, customers explained at train time anyway: the head of every segment's
 * order, which covers an export's explained rows (EXPLAINED_IN_EXPORT, 50), the week's call pool
 * (capacity over 1 − control share, plus the cooldown's skips) and the digest's list, so none of
 * those first answers waits for an explanation. About 700 customers at most.
 */
const HEADS_EXPLAINED = 100;

/** Typical values the per-customer explanations compare against («2 против 5 в среднем»). */
export type FeatureStats = Record<string, { mean?: number; mode?: string }>;

export function featureStats(customers: readonly Customer[]): FeatureStats {
  const stats: FeatureStats = {};
  for (const f of FEATURES) {
    if (f.kind === 'numeric') {
      let sum = 0;
      for (const c of customers) sum += c[f.name] as number;
      stats[f.name] = { mean: customers.length ? sum / customers.length : 0 };
    } else {
      const counts = new Map<string, number>();
      for (const c of customers) {
        const v = String(featureValue(c, f.name));
        counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      const mode = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
      stats[f.name] = { mode };
    }
  }
  return stats;
}

export interface TrainOptions {
  seed: number;
  /** The thresholds the segments stored with the model are computed with. */
  segments: SegmentSettings;
  /** Train-time budget for precomputing explanations, ms (default PRECOMPUTE_BUDGET_MS). */
  explainBudgetMs?: number;
  folds?: number;
  repeats?: number;
  families?: string[];
  /**
   * Above this many customers the search runs on a sample and nobody is scored out of fold (then
   * the refitted model scores and explains everyone, and the explanation tiers apply).
   */
  searchRows?: number;
  /** Train on this dataset version instead of the latest one. */
  datasetVersion?: number;
  onProgress?: (stage: string) => void;
  /**
   * Awaited right before the model is saved and activated; throwing stops the training with
   * nothing stored (the retrain lease was lost meanwhile: another retrain may be running).
   */
  beforeSave?: () => Promise<void>;
}

export interface TrainOutcome {
  model: ModelVersion;
  report: TrainReport;
  previous: ModelVersion | null;
}

/**
 * Trains on the latest (or given) dataset, scores every customer in it, derives its segments and
 * (when affordable) every customer's explanation, and switches the active model in one
 * transaction, so a failure anywhere leaves the previous model answering.
 */
export async function trainModel(store: Store, opts: TrainOptions): Promise<TrainOutcome> {
  const datasetVersion = opts.datasetVersion ?? (await store.datasets.latest())?.version;
  if (datasetVersion === undefined) throw new NotFoundError('dataset', 'latest');
  const dataset = await store.datasets.get(datasetVersion);
  if (!dataset) throw new NotFoundError('dataset', String(datasetVersion));

  const previousVersion = await store.models.activeVersion();
  // Metadata only: a corrupted previous artifact must not block the retrain that replaces it.
  const previous = previousVersion === null ? null : await store.models.meta(previousVersion);

  const customers = await store.datasets.customers(datasetVersion);
  const X = toFrame(customers);
  const y = toLabels(customers);
  const { model, report, outOfFold, explainTraining } = trainBest(FEATURE_SCHEMA, X, y, {
    seed: opts.seed,
    folds: opts.folds,
    repeats: opts.repeats,
    families: opts.families,
    ...(opts.searchRows !== undefined ? { searchRows: opts.searchRows } : {}),
    onProgress: opts.onProgress,
  });
  opts.onProgress?.('scoring');
  // A model scoring the rows it was fitted on is overconfident (a forest remembers them), so the
  // customers it learned from get their out-of-fold probability, the honest one.
  const p = outOfFold ?? model.predictProba(X);
  const scores = customers.map((c, i) => ({ id: c.id, probability: p[i] }));
  opts.onProgress?.('segments');
  let t = performance.now();
  const cutoffs = segmentCutoffs(customers);
  const segments = buildSegmentTables(customers, (i) => p[i], cutoffs, opts.segments);
  report.timings.segments = performance.now() - t;
  opts.onProgress?.('explanations');
  t = performance.now();
  // One model behind each answer: a customer scored out of fold is explained by that same fold
  // model, every feature kept, so the shown probability is exactly base + Σ contributions.
  const explained = outOfFold
    ? crossFittedExplanations(customers, explainTraining)
    : precomputeExplanations(model, X, Float64Array.from(customers, (c) => c.id), { budgetMs: opts.explainBudgetMs, first: segmentHeads(segments, HEADS_EXPLAINED) });
  report.timings.explanations = performance.now() - t;
  opts.onProgress?.('directions');
  t = performance.now();
  // Which way the model learned each indirect-signal candidate, so /risk and the offers can tell
  // a driver that stands for something else from a cause, and which way each feature goes with the
  // stored scores, for /top_features — both without reading the data set again.
  const measured = measureDirections(X, y, (F) => model.predictProba(F), opts.seed, p);
  const directions = learnedDirections(measured);
  const featureDirections = scoreDirections(measured);
  report.timings.directions = performance.now() - t;
  opts.onProgress?.('saving');
  await opts.beforeSave?.();
  t = performance.now();
  const meta = await store.models.saveAndActivate(
    {
      datasetVersion,
      family: report.chosen,
      params: report.params,
      cvAuc: report.cvAuc,
      cvAucStd: report.cvAucStd,
      // Stored with the model so /risk never has to load the whole data set to place one customer.
      metrics: { ...report, featureStats: featureStats(customers), segmentCutoffs: cutoffs, explanations: explained.info, directions, featureDirections },
      artifact: model.toJSON(),
    },
    scores,
    { segments, explanations: explained.rows },
  );
  report.timings.save = performance.now() - t;
  return { model: meta, report, previous };
}
