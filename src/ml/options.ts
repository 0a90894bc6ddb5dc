import { INSTANCE_BASED, familyNames, getFamily } from './catalog.ts';

export interface TrainOptions {
  seed?: number;
  folds?: number;
  repeats?: number;
  families?: string[];
  onProgress?: (stage: string) => void;
  /** Folds and repeats of the k-fold that ranks a family's candidates; each family's best is then re-scored on fresh `folds`×`repeats` splits. */
  searchFolds?: number;
  searchRepeats?: number;
  /** Above this many rows, search and evaluation run on a stratified sample of this size; the winner is refitted on all rows. */
  searchRows?: number;
  /** Sampled feature orders per explanation (rounded up to even); 16 keeps one explanation near 10 ms for KNN. */
  explainSamples?: number;
  /** Keep exact-duplicate rows on one side of every CV split (default true). */
  groupDuplicates?: boolean;
  /** How many of the best single families the ensemble may combine. */
  ensembleCandidates?: number;
  /** Member sets whose search AUC is within this of the best count as tied; the cheapest to score wins. */
  ensembleTolerance?: number;
  /** From this many rows on, the default family list drops the instance-based families (knn, svc). */
  largeRows?: number;
}

/** TrainOptions with every default filled in. */
export interface Resolved {
  seed: number;
  folds: number;
  repeats: number;
  searchFolds: number;
  searchRepeats: number;
  searchRows: number;
  families: string[];
  explainSamples: number;
  ensembleCandidates: number;
  ensembleTolerance: number;
  groupDuplicates: boolean;
  progress: (stage: string) => void;
}

export function resolve(opts: TrainOptions, rows: number): Resolved {
  const large = rows >= (opts.largeRows ?? 50_000);
  const explainSamples = Math.max(2, Math.ceil((opts.explainSamples ?? 16) / 2) * 2);
  const families = opts.families ?? familyNames().filter((f) => !(large && INSTANCE_BASED.has(f)));
  families.forEach(getFamily);
  return {
    seed: opts.seed ?? 42,
    folds: opts.folds ?? 5,
    repeats: opts.repeats ?? 3,
    searchFolds: opts.searchFolds ?? 3,
    searchRepeats: opts.searchRepeats ?? 1,
    searchRows: opts.searchRows ?? 5000,
    families,
    explainSamples,
    ensembleCandidates: opts.ensembleCandidates ?? 4,
    ensembleTolerance: opts.ensembleTolerance ?? 0.001,
    groupDuplicates: opts.groupDuplicates ?? true,
    progress: opts.onProgress ?? (() => {}),
  };
}

