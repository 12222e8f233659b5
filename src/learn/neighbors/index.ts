// Public surface of the neighbour models.
export {
  KNeighborsClassifier,
  type KNeighborsParams,
  type KNeighborsResult,
  type NeighborAlgorithm,
} from './k-neighbors.js';
export type { MetricName } from './distance-metric.js';
