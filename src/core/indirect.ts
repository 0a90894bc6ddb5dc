/**
 * Indirect signals: features whose pull on a customer's risk must not be read as a cause.
 *
 * A model learns what goes with decline, not what causes it. For most features the two agree
 * (fewer pages per visit, more decline); for some the data say the opposite of business sense —
 * on the real «В один клик» set customers with *fewer* service errors decline more, because it is
 * the active customers who run into errors. Such a driver stands for something else (here: low
 * activity), so /risk says what it likely stands for, and no offer is ever justified by it.
 *
 * The list below is the one place that names the candidates and the direction business sense
 * expects. Whether a candidate is indirect under a given model is decided from that model's own
 * evidence (`learnedDirections`, stored with the model at train time), so a data set where errors
 * do go with decline gets them explained as a plain driver.
 */
import { featureDirections, type FeatureDirection, type Frame } from '../ml/index.ts';
import type { FeatureName } from './domain.ts';
import { FEATURE_SCHEMA } from './features.ts';

export type Sign = -1 | 0 | 1;

export interface IndirectCandidate {
  /** The way business sense says more of the feature moves the risk of decline. */
  expected: 1 | -1;
  /** Why that is the sense a manager would apply. */
  sense: string;
  /**
   * What the real «В один клик» set showed (docs/decisions.md «Indirect signals»): the feature's
   * correlation with the label and the served model's partial dependence, 90th − 10th percentile.
   */
  realSet: { correlation: number; pdDelta: number };
}

export const INDIRECT_CANDIDATES = {
  serviceErrors: {
    expected: 1,
    sense: 'errors annoy customers, so more errors should mean more decline',
    // Fewer errors, more decline: the customers who rarely visit rarely see an error.
    realSet: { correlation: -0.099, pdDelta: -0.011 },
  },
  marketActiveCurrent: {
    expected: -1,
    sense: 'marketing contacts are meant to keep customers buying',
    // Flat in the data (3, 4 or 5 contacts for almost everyone); the model's small pull is not backed by it.
    realSet: { correlation: -0.004, pdDelta: -0.012 },
  },
} as const satisfies Partial<Record<FeatureName, IndirectCandidate>>;

export type IndirectFeature = keyof typeof INDIRECT_CANDIDATES;

export const isIndirectCandidate = (feature: string): feature is IndirectFeature => Object.hasOwn(INDIRECT_CANDIDATES, feature);

/** One candidate's evidence under one model, stored in the model's metrics (`directions`). */
export interface LearnedDirection {
  feature: string;
  /** Pearson correlation of the feature with the label over the training customers. */
  correlation: number;
  /** Partial dependence of the model's probability, 90th − 10th percentile of the feature. */
  pdDelta: number;
  /** Sign of pdDelta; 0 when the curve is flat (|pdDelta| < 0.005, src/ml/directions.ts). */
  direction: Sign;
}

/**
 * Customers the partial dependence averages over. With 200–300 the errors' curve on the real set
 * moved from −0.018 to −0.003 with the sample (flat by the ±0.005 bar for some seeds); 500 keep it
 * within −0.011…−0.015, and with only the candidates measured this costs 0.35 s of training there.
 */
const PD_SAMPLE_ROWS = 500;

/**
 * The one measurement of feature directions at train time: every feature's correlation with the
 * label and, given the stored scores, how it goes with them (what /top_features states,
 * src/core/importance.ts scoreDirections), over every training customer; the partial dependence
 * only for the candidates here, the only features whose learned direction is read (on the real set
 * it costs 0.35 s for the two, 3.2 s for every feature).
 */
export function measureDirections(
  X: Frame,
  y: ArrayLike<number>,
  predict: (X: Frame) => Float64Array,
  seed: number,
  scores?: ArrayLike<number>,
): FeatureDirection[] {
  return featureDirections(FEATURE_SCHEMA, X, y, predict, { sampleRows: PD_SAMPLE_ROWS, seed, scores, partialDependence: isIndirectCandidate });
}

/** Every candidate's evidence under a trained model, from measureDirections: what it learned (partial dependence) and what the data say (correlation). */
export function learnedDirections(measured: readonly FeatureDirection[]): LearnedDirection[] {
  return measured
    .filter((d) => isIndirectCandidate(d.feature) && d.kind === 'numeric')
    .map((d) => ({ feature: d.feature, correlation: d.correlation, pdDelta: d.pdDelta, direction: d.direction }));
}

/**
 * How an indirect driver reads. `opposite`: the data (and the model) tie the feature to decline
 * the other way round from sense, so it stands for something it goes with. `unclear`: neither
 * clearly — the model leans on it only together with other features.
 */
export type IndirectReading = 'opposite' | 'unclear';

export type IndirectSignals = ReadonlyMap<string, IndirectReading>;

/** A correlation weaker than this says nothing about the data's direction (the bar /top_features uses to state one). */
const CLEAR_CORRELATION = 0.05;

/**
 * The candidates that are indirect under a model with this evidence. A candidate reads as a plain
 * driver only when both the model (partial dependence) and the data (correlation) go the way sense
 * expects; the correlation is exact while the partial dependence is a sample estimate, so the
 * data's clear word decides `opposite` unless the model clearly learned the sensible way.
 * Models stored before the evidence was recorded get every candidate as `unclear`: an unmeasured
 * candidate must not be named as a cause, and a retrain records the evidence.
 */
export function indirectSignals(directions: readonly LearnedDirection[] | undefined): IndirectSignals {
  const out = new Map<string, IndirectReading>();
  for (const [feature, c] of Object.entries(INDIRECT_CANDIDATES)) {
    const d = directions?.find((x) => x.feature === feature);
    if (!d) {
      out.set(feature, 'unclear');
      continue;
    }
    const data: Sign = Math.abs(d.correlation) < CLEAR_CORRELATION ? 0 : d.correlation > 0 ? 1 : -1;
    if (d.direction === c.expected && data === c.expected) continue;
    const against = d.direction === -c.expected || (data === -c.expected && d.direction !== c.expected);
    out.set(feature, against ? 'opposite' : 'unclear');
  }
  return out;
}
