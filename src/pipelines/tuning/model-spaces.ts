// The search space of each model family `cairn train` fits, keyed by the estimator's setParams names
// (the same names the training runs log), with the grid that `--tune grid` walks.
import type { SearchSpace } from './search-space.js';

export type ModelFamily = 'lr' | 'dt' | 'rf' | 'gbm' | 'knn';

export const MODEL_FAMILIES: readonly ModelFamily[] = ['lr', 'dt', 'rf', 'gbm', 'knn'];

export const SEARCH_SPACES: Readonly<Record<ModelFamily, SearchSpace>> = {
  // LogisticRegression
  lr: {
    C: { kind: 'float', low: 1e-3, high: 100, log: true, grid: [0.001, 0.01, 0.1, 1, 10, 100] },
    classWeight: { kind: 'categorical', choices: [null, 'balanced'] },
  },
  // DecisionTreeClassifier
  dt: {
    maxDepth: { kind: 'int', low: 2, high: 20, grid: [3, 5, 8, 12, 20] },
    minSamplesLeaf: { kind: 'int', low: 1, high: 30, log: true, grid: [1, 5, 15, 30] },
    criterion: { kind: 'categorical', choices: ['gini', 'entropy'] },
  },
  // RandomForestClassifier
  rf: {
    nEstimators: { kind: 'int', low: 50, high: 400, log: true, grid: [50, 100, 200, 400] },
    maxDepth: { kind: 'int', low: 3, high: 20, grid: [4, 8, 12, 20] },
    minSamplesLeaf: { kind: 'int', low: 1, high: 20, log: true, grid: [1, 4, 10] },
    maxFeatures: { kind: 'categorical', choices: ['sqrt', 'log2', 0.5] },
  },
  // GradientBoostingClassifier (XGBoost-style: nEstimators rounds, regLambda the L2 on leaf weights)
  gbm: {
    learningRate: { kind: 'float', low: 0.01, high: 0.3, log: true, grid: [0.03, 0.1, 0.3] },
    nEstimators: { kind: 'int', low: 50, high: 500, log: true, grid: [100, 200, 400] },
    maxDepth: { kind: 'int', low: 2, high: 8, grid: [3, 5, 7] },
    regLambda: { kind: 'float', low: 1e-3, high: 10, log: true, grid: [0.1, 1, 10] },
  },
  // KNeighborsClassifier
  knn: {
    nNeighbors: { kind: 'int', low: 1, high: 50, log: true, grid: [3, 5, 11, 21, 35, 50] },
    weights: { kind: 'categorical', choices: ['uniform', 'distance'] },
  },
};

/** The family's space with every name prefixed, for an estimator inside a pipeline (`model__C`). */
export function prefixSpace(space: SearchSpace, prefix: string): SearchSpace {
  return Object.fromEntries(Object.entries(space).map(([name, spec]) => [`${prefix}${name}`, spec]));
}
