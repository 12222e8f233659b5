// Model inspection: permutation feature importance.
export { permutationImportance } from './permutation-importance.js';
export type {
  FeatureImportances,
  PermutationImportanceOptions,
  PermutationImportanceResult,
} from './permutation-importance.js';
