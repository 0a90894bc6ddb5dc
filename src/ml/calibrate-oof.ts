import { makeCalibrator, type Calibrator, type CalibrationKind } from './calibration.ts';
import { brier } from './metrics.ts';
import { stratifiedKFold } from './splits.ts';

export interface CalibrationChoice {
  kind: CalibrationKind;
  calibrator: Calibrator | null;
  brierUncalibrated: number;
  brierCalibrated: number;
  /** Out-of-fold probabilities after the chosen calibration (raw ones when none was kept), one array per repeat. */
  calibratedOof: Float64Array[];
}

/**
 * Picks Platt, isotonic or nothing from out-of-fold predictions. Each calibrator is itself cross-fitted
 * over those predictions, so the calibrated Brier is measured on rows its calibrator never saw; a
 * calibration is kept only when it lowers Brier.
 */
export function chooseCalibration(oof: readonly Float64Array[], y: Uint8Array, seed: number, folds = 5): CalibrationChoice {
  const n = y.length;
  const raw = oof.map((p) => brier(y, p));
  const brierUncalibrated = raw.reduce((a, b) => a + b, 0) / raw.length;
  const splits = stratifiedKFold(y, folds, seed);
  let best: CalibrationChoice = {
    kind: 'none',
    calibrator: null,
    brierUncalibrated,
    brierCalibrated: brierUncalibrated,
    calibratedOof: oof.map((p) => p.slice()),
  };
  for (const kind of ['platt', 'isotonic'] as const) {
    const crossFitted = oof.map(() => new Float64Array(n));
    for (const split of splits) {
      const ps: number[] = [];
      const ys: number[] = [];
      for (const p of oof) for (const i of split.train) ps.push(p[i]), ys.push(y[i]);
      const cal = makeCalibrator(kind).fit(ps, ys);
      oof.forEach((p, r) => split.test.forEach((i) => (crossFitted[r][i] = cal.apply(p[i]))));
    }
    const score = crossFitted.map((p) => brier(y, p)).reduce((a, b) => a + b, 0) / oof.length;
    if (score < best.brierCalibrated) {
      const all: number[] = [];
      const ys: number[] = [];
      for (const p of oof) for (let i = 0; i < n; i++) all.push(p[i]), ys.push(y[i]);
      best = { kind, calibrator: makeCalibrator(kind).fit(all, ys), brierUncalibrated, brierCalibrated: score, calibratedOof: crossFitted };
    }
  }
  return best;
}
