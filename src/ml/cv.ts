import type { Estimator } from './estimator.ts';
import { takeFrameRows } from './frame.ts';
import { rocAuc } from './metrics.ts';
import type { Split } from './splits.ts';
import type { Frame } from './types.ts';

export interface CvResult {
  /** ROC AUC of each split, in split order. */
  aucs: number[];
  /** Out-of-fold probabilities, one array per repeat (every row is held out once per repeat). */
  oof: Float64Array[];
}

export interface FoldContext {
  split: Split;
  fitted: Estimator<Frame>;
  Xtest: Frame;
  ytest: Uint8Array;
  proba: Float64Array;
}

function take(y: Uint8Array, idx: Uint32Array): Uint8Array {
  const out = new Uint8Array(idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = y[idx[k]];
  return out;
}

/** Fits a fresh clone on each split's training rows and scores its test rows; `onFold` sees each fitted fold. */
export function crossValidate(
  estimator: Estimator<Frame>,
  X: Frame,
  y: Uint8Array,
  splits: readonly Split[],
  onFold?: (ctx: FoldContext) => void,
): CvResult {
  const repeats = splits.reduce((m, s) => Math.max(m, s.repeat + 1), 0);
  const oof = Array.from({ length: repeats }, () => new Float64Array(X.n).fill(Number.NaN));
  const aucs: number[] = [];
  for (const split of splits) {
    const fitted = estimator.clone().fit(takeFrameRows(X, split.train), take(y, split.train));
    const Xtest = takeFrameRows(X, split.test);
    const ytest = take(y, split.test);
    const proba = fitted.predictProba(Xtest);
    aucs.push(rocAuc(ytest, proba));
    split.test.forEach((row, k) => (oof[split.repeat][row] = proba[k]));
    onFold?.({ split, fitted, Xtest, ytest, proba });
  }
  return { aucs, oof };
}

export { take as takeLabels };

/** Per-split ROC AUC of given out-of-fold probabilities (one array per repeat), as crossValidate would report. */
export function splitAucs(oof: readonly Float64Array[], y: Uint8Array, splits: readonly Split[]): number[] {
  return splits.map((s) => rocAuc(take(y, s.test), Float64Array.from(s.test, (i) => oof[s.repeat][i])));
}
