// The public surface of `learn`: pure ML on typed arrays with scikit-learn's contract.
// Importing this module also registers every component type for JSON restore.
export * from './core/matrix.js';
export * from './core/frame.js';
export * from './core/estimator.js';
export { Rng } from './core/random.js';
export { registerComponent, restoreComponent } from './core/serialization.js';
export { InvalidParamError } from './core/params.js';
export { ModelFormatError } from './core/restore-check.js';
export * from './data/index.js';
export * from './preprocessing/index.js';
export * from './pipeline.js';
export * from './linear/index.js';
export * from './tree/index.js';
export * from './ensemble/index.js';
export * from './neighbors/index.js';
export * from './metrics/index.js';
export * from './model-selection/index.js';
export * from './imbalance/index.js';
export * from './inspection/index.js';
