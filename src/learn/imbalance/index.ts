// Imbalance handling: class weights, SMOTE oversampling, decision-threshold tuning.
export { computeClassWeight, computeSampleWeight } from './class-weight.js';
export type { ClassWeights, ClassWeightSpec } from './class-weight.js';
export { SMOTE, kNearestWithin } from './smote.js';
export type { Resampled, SamplingStrategy, SmoteParams } from './smote.js';
export { ResampledClassifier } from './resampled-classifier.js';
export type { ResampledClassifierParams } from './resampled-classifier.js';
export { applyThreshold, tuneThreshold } from './threshold.js';
export type { ThresholdResult, ThresholdTarget, TuneThresholdOptions } from './threshold.js';
