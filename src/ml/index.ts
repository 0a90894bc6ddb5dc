/**
 * Public surface of the ML layer. Everything here is pure computation over Frames and typed arrays;
 * nothing imports the rest of the project.
 */
export type { ColumnSpec, Frame, Matrix } from './types.ts';
export type { Estimator, EstimatorJSON, Params } from './estimator.ts';
export { estimatorFromJSON, registerEstimator } from './estimator.ts';
export { rocAuc, brier, logLoss } from './metrics.ts';
export { stratifiedKFold, repeatedStratifiedKFold, stratifiedSample, stratifiedHoldout, type Split } from './splits.ts';
export { Rng } from './rng.ts';
export { TabularPreprocessor } from './preprocess.ts';
export { Pipeline } from './pipeline.ts';
export { LogisticRegression, type LogisticParams } from './families/logistic.ts';
export { crossValidate, type CvResult } from './cv.ts';
export { familyNames, getFamily, defaultFamilies, type Family } from './catalog.ts';
export type { FamilyResult } from './search.ts';
export { reliabilityTable, type ReliabilityBin } from './reliability.ts';
export { PlattCalibrator, IsotonicCalibrator } from './calibration.ts';
export { loadModel, type Model, type Contribution, type Explanation } from './model.ts';
export { featureDirections, type FeatureDirection } from './directions.ts';
export { trainBest, evaluateFamilies, type TrainOptions, type TrainReport, type TrainResult, type Evaluation } from './train.ts';
export type { NestedResult } from './evaluate.ts';
