// Model selection: splitting, cross-validation, grid / random / TPE search.
export { NumpyRandomState } from './numpy-random-state.js';
export { StratifiedKFold, splitForFold } from './stratified-k-fold.js';
export type { CrossValidator, Split, StratifiedKFoldParams } from './stratified-k-fold.js';
export { trainTestSplit } from './train-test-split.js';
export type { TrainTestSplitOptions } from './train-test-split.js';
export {
  labelScorer,
  probaScorer,
  registerScorer,
  registeredScorerNames,
  resolveScorer,
  resolveScorers,
  scoreScorer,
} from './scoring.js';
export type { LabelMetric, Predictions, Scorer, ScoringSpec } from './scoring.js';
export { crossValidate, meanStd, takeLabels, takeSamples } from './cross-validate.js';
export type { CrossValidateOptions, CrossValidateResult, FoldResult, MeanStd } from './cross-validate.js';
export { expandGrid, logUniform, randInt, sampleParams, uniform } from './param-grid.js';
export type { ParamDistribution, ParamDistributions, ParamGrid, ParamSet } from './param-grid.js';
export type { CvResults, SearchOptions, SearchResult } from './search-cv.js';
export { GridSearch } from './grid-search.js';
export { RandomSearch } from './random-search.js';
export type { RandomSearchOptions } from './random-search.js';
export { hp, spaceEval } from './tpe/space.js';
export type { HpNode } from './tpe/space.js';
export { MedianPruner, TrialPruned } from './tpe/median-pruner.js';
export type { Direction, MedianPrunerOptions } from './tpe/median-pruner.js';
export { tpeSearch } from './tpe/tpe.js';
export type { Objective, TpeOptions, TpeResult, Trial, TrialContext } from './tpe/tpe.js';
export { TPESearch, flattenConfig } from './tpe-search.js';
export type { TPESearchOptions } from './tpe-search.js';
