import { makeCalibrator, type Calibrator, type CalibrationKind } from './calibration.ts';
import { brier } from './metrics.ts';
import type { Split } from './splits.ts';

export interface CalibrationChoice {
  kind: CalibrationKind;
  /** Fitted on every out-of-fold prediction: what the refitted model applies. */
  calibrator: Calibrator | null;
  brierUncalibrated: number;
  /** Brier of `calibratedOof`: each row calibrated by a map fitted without it. */
  brierCalibrated: number;
  /** Out-of-fold probabilities after the chosen calibration (raw ones when none was kept), one array per repeat. */
  calibratedOof: Float64Array[];
  /**
   * The calibrator that produced each first-repeat split's test rows in `calibratedOof[0]`, in split
   * order (null when none was kept): with that split's fold model it is the model behind those scores.
   */
  foldCalibrators: (Calibrator | null)[];
}

const meanBrier = (y: Uint8Array, ps: readonly Float64Array[]): number => ps.reduce((s, p) => s + brier(y, p), 0) / ps.length;

/**
 * Picks Platt, isotonic or nothing from out-of-fold predictions, cross-fitted along the model's own
 * splits: the test rows of a split are calibrated by a map fitted on that split's training rows only, so
 * a row's calibrated score, like its raw one, comes from parts fitted without its label. A calibration
 * is kept only when this held-out Brier is lower than the raw one.
 */
export function chooseCalibration(oof: readonly Float64Array[], y: Uint8Array, splits: readonly Split[]): CalibrationChoice {
  const brierUncalibrated = meanBrier(y, oof);
  const first = splits.filter((s) => s.repeat === 0);
  let best: CalibrationChoice = {
    kind: 'none',
    calibrator: null,
    brierUncalibrated,
    brierCalibrated: brierUncalibrated,
    calibratedOof: oof.map((p) => p.slice()),
    foldCalibrators: first.map(() => null),
  };
  for (const kind of ['platt', 'isotonic'] as const) {
    const crossFitted = oof.map(() => new Float64Array(y.length));
    const foldCalibrators: Calibrator[] = [];
    for (const split of splits) {
      const p = oof[split.repeat];
      const cal = makeCalibrator(kind).fit(
        Float64Array.from(split.train, (i) => p[i]),
        Uint8Array.from(split.train, (i) => y[i]),
      );
      for (const i of split.test) crossFitted[split.repeat][i] = cal.apply(p[i]);
      if (split.repeat === 0) foldCalibrators.push(cal);
    }
    const score = meanBrier(y, crossFitted);
    if (score < best.brierCalibrated) {
      const all: number[] = [];
      const ys: number[] = [];
      for (const p of oof) for (let i = 0; i < y.length; i++) all.push(p[i]), ys.push(y[i]);
      best = { kind, calibrator: makeCalibrator(kind).fit(all, ys), brierUncalibrated, brierCalibrated: score, calibratedOof: crossFitted, foldCalibrators };
    }
  }
  return best;
}
