// The drift statistics, each as Evidently computes it by default and checked against SciPy.
export { binnedShares, jensenShannonDistance, populationStabilityIndex, sturgesEdges } from './binned-distances.js';
export { chiSquareTest, proportionsZTest, type Category } from './categorical-tests.js';
export { kolmogorovSf } from './kolmogorov.js';
export { ks2Samp, KS_MAX_EXACT_N, type KsResult } from './ks-test.js';
export { wassersteinDistance, wassersteinDistanceNorm } from './wasserstein.js';
