import { GROWS_WITH_ROWS, defaultFamilies, getFamily } from './catalog.ts';

export interface TrainOptions {
  seed?: number;
  /** Folds and repeats of the grouped stratified k-fold every candidate is cross-validated on (selection). */
  folds?: number;
  repeats?: number;
  families?: string[];
  onProgress?: (stage: string) => void;
  /** Above this many rows, search and evaluation run on a stratified sample of this size; the winner is refitted on all rows. */
  searchRows?: number;
  /**
   * Outer folds of the nested cross-validation that measures the whole selection procedure: each
   * outer training part reruns the search, and the model it picks is scored on the outer test fold.
   * 0 skips it, and the report then carries the (optimistic) selection score instead. Default 5, or 3
   * when the search runs on a sample.
   */
  nestedFolds?: number;
  nestedRepeats?: number;
  /** Background rows explanations are measured against: one drawn from each of this many prediction strata. */
  explainBackground?: number;
  /** Feature orders walked per background row and explanation. */
  explainOrders?: number;
  /** Keep exact-duplicate rows on one side of every CV split (default true). */
  groupDuplicates?: boolean;
  /** How many of the best single families the ensemble may combine. */
  ensembleCandidates?: number;
  /** From this many rows on, the default family list drops the families whose models grow with the rows. */
  largeRows?: number;
}

/** TrainOptions with every default filled in. */
export interface Resolved {
  seed: number;
  folds: number;
  repeats: number;
  searchRows: number;
  families: string[];
  nestedFolds: number;
  nestedRepeats: number;
  explainBackground: number;
  explainOrders: number;
  ensembleCandidates: number;
  groupDuplicates: boolean;
  progress: (stage: string) => void;
}

export function resolve(opts: TrainOptions, rows: number): Resolved {
  const large = rows >= (opts.largeRows ?? 50_000);
  const families = opts.families ?? defaultFamilies(large).filter((f) => !(large && GROWS_WITH_ROWS.has(f)));
  families.forEach(getFamily);
  const searchRows = opts.searchRows ?? 5000;
  const o: Resolved = {
    seed: opts.seed ?? 42,
    folds: opts.folds ?? 5,
    repeats: opts.repeats ?? 1,
    searchRows,
    families,
    // On a sampled search every rerun costs seconds; three outer folds keep large trainings in budget.
    nestedFolds: opts.nestedFolds ?? (rows > searchRows ? 3 : 5),
    nestedRepeats: opts.nestedRepeats ?? 1,
    explainBackground: opts.explainBackground ?? 32,
    explainOrders: opts.explainOrders ?? 1,
    ensembleCandidates: opts.ensembleCandidates ?? 3,
    groupDuplicates: opts.groupDuplicates ?? true,
    progress: opts.onProgress ?? (() => {}),
  };
  for (const k of ['folds', 'repeats', 'explainBackground', 'explainOrders'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new Error(`${k} must be a positive integer, got ${o[k]}`);
  }
  if (o.folds < 2) throw new Error(`folds must be ≥ 2, got ${o.folds}`);
  if (!Number.isInteger(o.nestedFolds) || o.nestedFolds === 1 || o.nestedFolds < 0) throw new Error(`nestedFolds must be 0 or ≥ 2, got ${o.nestedFolds}`);
  return o;
}
