import type { Estimator, Params } from './estimator.ts';
import { LogisticRegression, type LogisticParams } from './families/logistic.ts';
import { SoftVotingEnsemble } from './families/ensemble.ts';
import { KNearestNeighbors, type KnnParams } from './families/knn.ts';
import { SupportVectorClassifier, type SvcParams } from './families/svc/svc.ts';
import { GradientBoosting, type BoostingParams } from './families/trees/boosting.ts';
import { DecisionTree, type DecisionTreeParams } from './families/trees/decision-tree.ts';
import { RandomForest, type ForestParams } from './families/trees/forest.ts';
import type { Matrix } from './types.ts';

/**
 * A model family the search knows: how to build one and which configurations to try.
 * Grids are small on purpose — the whole search has to fit in about ten seconds of one core — and
 * hold the values that led wider sweeps on the shop's data (k 25–80, C 0.01–10, γ 0.003–0.2,
 * 0.1–0.5 of the features per split, depth 2–4 boosting).
 */
export interface Family {
  name: string;
  make(params: Params): Estimator<Matrix>;
  /** Candidate configurations for a training set of `n` rows. */
  grid(n: number): Params[];
}

const logistic: Family = {
  name: 'logistic',
  make: (p) => new LogisticRegression(p as Partial<LogisticParams>),
  grid: () => [...[0.01, 0.03, 0.1, 1].map((C) => ({ penalty: 'l2', C })), { penalty: 'l1', C: 0.1 }],
};

const knn: Family = {
  name: 'knn',
  make: (p) => new KNearestNeighbors(p as Partial<KnnParams>),
  grid: () => [...[25, 35, 45, 60].map((k) => ({ k, weights: 'distance' })), { k: 45, weights: 'uniform' }],
};

const svc: Family = {
  name: 'svc',
  make: (p) => new SupportVectorClassifier(p as Partial<SvcParams>),
  grid: () => [
    { C: 0.5, gamma: 0.1 },
    { C: 1, gamma: 'scale' },
  ],
};

const tree: Family = {
  name: 'tree',
  make: (p) => new DecisionTree(p as Partial<DecisionTreeParams>),
  grid: () => [4, 6, 8].flatMap((maxDepth) => [{ maxDepth, minLeaf: 10 }, { maxDepth, minLeaf: 25 }]),
};

const forest: Family = {
  name: 'forest',
  make: (p) => new RandomForest(p as Partial<ForestParams>),
  // Few features per split won on this data: decorrelated trees average better.
  grid: () => [
    { maxFeatures: 0.1, minLeaf: 2 },
    { maxFeatures: 0.2, minLeaf: 2 },
  ],
};

const boosting: Family = {
  name: 'boosting',
  make: (p) => new GradientBoosting(p as Partial<BoostingParams>),
  grid: () => [
    { maxDepth: 3, rounds: 100, learningRate: 0.1 },
    { maxDepth: 4, rounds: 150, learningRate: 0.05, minLeaf: 10 },
  ],
};

/**
 * Soft voting over other families' tuned configurations. It has no grid of its own: the search picks
 * which members to combine from their out-of-fold predictions (see train.ts).
 */
const ensemble: Family = {
  name: 'ensemble',
  make: (p) => {
    const members = (p.members ?? []) as { family: string; params: Params }[];
    return new SoftVotingEnsemble(members.map((m) => getFamily(m.family).make(m.params)));
  },
  grid: () => [],
};

export const ENSEMBLE = ensemble.name;

const FAMILIES = new Map<string, Family>([logistic, knn, svc, tree, forest, boosting, ensemble].map((f) => [f.name, f]));

export function getFamily(name: string): Family {
  const f = FAMILIES.get(name);
  if (!f) throw new Error(`unknown model family "${name}" (known: ${[...FAMILIES.keys()].join(', ')})`);
  return f;
}

export function familyNames(): string[] {
  return [...FAMILIES.keys()];
}

/**
 * Families whose scoring cost grows with the training set (reference rows, support vectors).
 * Past `TrainOptions.largeRows` they are left out of the default search: at a million rows to score
 * they cannot meet the scoring budget, while the tree and linear families scale with rows × trees.
 */
export const INSTANCE_BASED = new Set(['knn', 'svc']);
