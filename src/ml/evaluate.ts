import { ENSEMBLE, getFamily } from './catalog.ts';
import { averageOof, crossValidate, splitAucs, takeLabels } from './cv.ts';
import { checkBinary, scoringCost } from './estimator.ts';
import { duplicateGroups, takeFrameRows, validateFrame } from './frame.ts';
import { mean, std } from './metrics.ts';
import type { Resolved } from './options.ts';
import { Pipeline } from './pipeline.ts';
import { deriveSeed } from './rng.ts';
import { searchFamily, type FamilyResult } from './search.ts';
import { repeatedStratifiedKFold, stratifiedSample } from './splits.ts';
import type { ColumnSpec, Frame } from './types.ts';

export interface Evaluation {
  chosen: string;
  params: Record<string, unknown>;
  cvAuc: number;
  cvAucStd: number;
  families: FamilyResult[];
  timings: Record<string, number>;
  rows: number;
  /** Rows the search and CV ran on (< rows when sampled). */
  searchRows: number;
}

export interface Scored {
  result: FamilyResult;
  /** Out-of-fold probabilities on the evaluation splits, one array per repeat. */
  oof: Float64Array[];
  /** The models fitted on the first repeat's folds, kept so importance needs no refit. */
  folds: { test: Uint32Array; predict: (X: Frame) => Float64Array }[];
}

export interface Internal {
  evaluation: Evaluation;
  winner: Scored;
  /** The rows search and CV used. */
  X: Frame;
  y: Uint8Array;
}

/** Non-empty subsets of size ≥ 2 of `items`, smaller subsets first. */
function subsets<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let mask = 1; mask < 1 << items.length; mask++) {
    const pick = items.filter((_, k) => mask & (1 << k));
    if (pick.length >= 2) out.push(pick);
  }
  return out.sort((a, b) => a.length - b.length);
}

/** Grid search per family, fresh-split scoring of each family's best, then the ensemble's turn; picks the winner. */
export function evaluate(schema: readonly ColumnSpec[], X: Frame, y: Uint8Array, o: Resolved): Internal {
  validateFrame(schema, X);
  checkBinary(y, X.n);
  const t0 = performance.now();
  let Xs = X;
  let ys = y;
  if (X.n > o.searchRows) {
    const idx = stratifiedSample(y, o.searchRows, deriveSeed(o.seed, 0));
    Xs = takeFrameRows(X, idx);
    ys = takeLabels(y, idx);
  }
  // Exact duplicates stay on one side of every split: a twin in the training folds would let
  // memorising families (KNN, deep trees) score its copy for free.
  const groups = o.groupDuplicates ? duplicateGroups(schema, Xs) : undefined;
  const searchSplits = repeatedStratifiedKFold(ys, o.searchFolds, o.searchRepeats, deriveSeed(o.seed, 1), groups);
  // Fresh splits for the reported scores, so they are not the ones the grids were tuned on.
  const evalSplits = repeatedStratifiedKFold(ys, o.folds, o.repeats, deriveSeed(o.seed, 2), groups);
  const timings: Record<string, number> = {};
  const scored: (Scored & { searchOof: Float64Array[]; searchAuc: number; cost: number })[] = [];
  for (const name of o.families.filter((f) => f !== ENSEMBLE)) {
    o.progress(`search:${name}`);
    const family = getFamily(name);
    const found = searchFamily(family, schema, Xs, ys, searchSplits);
    const t = performance.now();
    const folds: Scored['folds'] = [];
    let cost = 0;
    const cv = crossValidate(new Pipeline(schema, family.make(found.result.params)), Xs, ys, evalSplits, ({ split, fitted }) => {
      if (split.repeat !== 0) return;
      folds.push({ test: split.test, predict: (F) => fitted.predictProba(F) });
      cost = scoringCost((fitted as Pipeline).estimator);
    });
    const searchMs = found.result.searchMs + (performance.now() - t);
    timings[`family:${name}`] = searchMs;
    scored.push({
      cost,
      result: { ...found.result, cvAucMean: mean(cv.aucs), cvAucStd: std(cv.aucs), searchMs },
      oof: cv.oof,
      folds,
      searchOof: found.oof,
      searchAuc: found.result.cvAucMean,
    });
  }
  const all: Scored[] = [...scored];
  if (o.families.includes(ENSEMBLE) && scored.length >= 2) {
    o.progress(`search:${ENSEMBLE}`);
    const t = performance.now();
    // Members are chosen on the search splits' predictions and scored on the evaluation splits, like every family.
    const top = [...scored].sort((a, b) => b.searchAuc - a.searchAuc).slice(0, o.ensembleCandidates);
    const combos = subsets(top).map((members) => ({
      members,
      auc: mean(splitAucs(averageOof(members.map((m) => m.searchOof)), ys, searchSplits)),
      cost: members.reduce((s, m) => s + m.cost, 0),
    }));
    // Differences this small are noise at this data size; among them, the fastest to score and explain wins.
    const top1 = Math.max(...combos.map((c) => c.auc));
    const best = combos
      .filter((c) => c.auc >= top1 - o.ensembleTolerance)
      .reduce((a, b) => (b.cost < a.cost ? b : a)).members;
    const oof = averageOof(best.map((m) => m.oof));
    const aucs = splitAucs(oof, ys, evalSplits);
    const searchMs = performance.now() - t;
    timings[`family:${ENSEMBLE}`] = searchMs;
    all.push({
      result: {
        family: ENSEMBLE,
        params: { members: best.map((m) => ({ family: m.result.family, params: m.result.params })) },
        cvAucMean: mean(aucs),
        cvAucStd: std(aucs),
        candidates: combos.length,
        searchMs,
      },
      oof,
      folds: best[0].folds.map((f, k) => ({
        test: f.test,
        predict: (F: Frame) => {
          const parts = best.map((m) => m.folds[k].predict(F));
          return Float64Array.from(parts[0], (_, i) => parts.reduce((s, p) => s + p[i], 0) / parts.length);
        },
      })),
    });
  }
  if (all.length === 0) throw new Error('no model family to search');
  // An ensemble is kept only when it beats every single family outright.
  const winner = all.reduce((a, b) => (b.result.cvAucMean > a.result.cvAucMean + 1e-12 ? b : a));
  timings.search = performance.now() - t0;
  return {
    evaluation: {
      chosen: winner.result.family,
      params: winner.result.params,
      cvAuc: winner.result.cvAucMean,
      cvAucStd: winner.result.cvAucStd,
      families: all.map((s) => s.result),
      timings,
      rows: X.n,
      searchRows: Xs.n,
    },
    winner,
    X: Xs,
    y: ys,
  };
}

