// Public surface of the ensembles.
export { RandomForestClassifier, type RandomForestParams, type PackedForest } from './random-forest.js';
export {
  GradientBoostingClassifier,
  type GradientBoostingParams,
  type GradientBoostingFitOptions,
  type PackedBoost,
} from './gradient-boosting.js';
// the worker threads both ensembles share: `ensemblePool.maxWorkers = n` caps them, `close()` ends them
export { ensemblePool } from './ensemble-pool.js';
