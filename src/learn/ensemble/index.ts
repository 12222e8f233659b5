// Public surface of the ensembles.
export { RandomForestClassifier, type RandomForestParams, type PackedForest } from './random-forest.js';
export {
  GradientBoostingClassifier,
  type GradientBoostingParams,
  type GradientBoostingFitOptions,
  type PackedBoost,
} from './gradient-boosting.js';
