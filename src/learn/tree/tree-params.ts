// Parameter rules shared by the tree estimators, checked in fit with errors that name the param.
import type { Labels } from '../core/estimator.js';
import type { Matrix } from '../core/matrix.js';
import { paramError } from '../core/params.js';

export type MaxFeatures = null | 'sqrt' | 'log2' | number;
export type ClassWeight = null | 'balanced' | Record<string, number>;

/** sklearn's max_features: null = all, 'sqrt'/'log2', an integer count, or a fraction in (0, 1). */
export function resolveMaxFeatures(v: MaxFeatures | undefined, nFeatures: number, name = 'maxFeatures'): number {
  if (v === null || v === undefined) return nFeatures;
  if (v === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(nFeatures)));
  if (v === 'log2') return Math.max(1, Math.floor(Math.log2(nFeatures)));
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1) {
    if (v > nFeatures) throw paramError(name, `must be <= the number of features (${nFeatures})`, v);
    return v;
  }
  if (typeof v === 'number' && v > 0 && v < 1) return Math.max(1, Math.floor(v * nFeatures));
  throw paramError(name, "must be null, 'sqrt', 'log2', an integer >= 1 or a fraction in (0, 1)", v);
}

export function resolveMaxDepth(v: number | null | undefined): number {
  if (v === null || v === undefined) return Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(v) || v < 1) throw paramError('maxDepth', 'must be null or an integer >= 1', v);
  return v;
}

export function resolveMinSamplesSplit(v: number | undefined, nRows: number): number {
  if (v === undefined) return 2;
  if (Number.isInteger(v) && v >= 2) return v;
  if (typeof v === 'number' && v > 0 && v < 1) return Math.max(2, Math.ceil(v * nRows));
  throw paramError('minSamplesSplit', 'must be an integer >= 2 or a fraction in (0, 1)', v);
}

export function resolveMinSamplesLeaf(v: number | undefined, nRows: number): number {
  if (v === undefined) return 1;
  if (Number.isInteger(v) && v >= 1) return v;
  if (typeof v === 'number' && v > 0 && v < 0.5) return Math.max(1, Math.ceil(v * nRows));
  throw paramError('minSamplesLeaf', 'must be an integer >= 1 or a fraction in (0, 0.5)', v);
}

export function resolveCriterion(v: string | undefined): 'gini' | 'entropy' {
  if (v === undefined) return 'gini';
  if (v === 'gini' || v === 'entropy') return v;
  throw paramError('criterion', "must be 'gini' or 'entropy'", v);
}

export function resolveSeed(v: number | undefined, name = 'seed'): number {
  if (v === undefined) return 0;
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw paramError(name, 'must be an integer in [0, 2^32)', v);
  return v;
}

export function checkTrainingInput(X: Matrix, y: Labels, sampleWeight?: Float64Array): void {
  if (X.nRows === 0) throw new RangeError('X has no rows');
  if (X.nCols === 0) throw new RangeError('X has no columns');
  if (y.length !== X.nRows) throw new RangeError(`y has ${y.length} labels, X has ${X.nRows} rows`);
  if (sampleWeight && sampleWeight.length !== X.nRows) {
    throw new RangeError(`sampleWeight has ${sampleWeight.length} values, X has ${X.nRows} rows`);
  }
  if (sampleWeight) {
    for (let i = 0; i < sampleWeight.length; i++) {
      if (!(sampleWeight[i] >= 0) || !Number.isFinite(sampleWeight[i])) {
        throw new RangeError(`sampleWeight[${i}] must be a finite number >= 0, got ${sampleWeight[i]}`);
      }
    }
  }
}

/** Sorted distinct labels and each row's index into them. */
export function encodeLabels(y: Labels): { classes: Float64Array; yIdx: Int32Array } {
  const set = new Set<number>();
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) throw new RangeError(`y[${i}] must be a finite number, got ${y[i]}`);
    set.add(y[i]);
  }
  const classes = Float64Array.from([...set].sort((a, b) => a - b));
  const index = new Map<number, number>();
  classes.forEach((c, k) => index.set(c, k));
  const yIdx = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) yIdx[i] = index.get(y[i])!;
  return { classes, yIdx };
}

/** Per-row weights: sample weights times class weights ('balanced' = n / (nClasses * count)). */
export function rowWeights(
  yIdx: Int32Array,
  classes: Float64Array,
  classWeight: ClassWeight | undefined,
  sampleWeight?: Float64Array,
): Float64Array {
  const n = yIdx.length,
    nc = classes.length;
  const perClass = new Float64Array(nc).fill(1);
  if (classWeight === 'balanced') {
    const counts = new Float64Array(nc);
    for (let i = 0; i < n; i++) counts[yIdx[i]]++;
    for (let k = 0; k < nc; k++) perClass[k] = n / (nc * counts[k]);
  } else if (classWeight !== null && classWeight !== undefined) {
    if (typeof classWeight !== 'object')
      throw paramError('classWeight', "must be null, 'balanced' or a {label: weight} map", classWeight);
    for (const [label, w] of Object.entries(classWeight)) {
      const k = classes.indexOf(Number(label));
      if (k < 0) throw paramError('classWeight', `names label ${label} which is not in y`, classWeight);
      if (!(typeof w === 'number' && w >= 0 && Number.isFinite(w)))
        throw paramError('classWeight', 'weights must be finite numbers >= 0', classWeight);
      perClass[k] = w;
    }
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = perClass[yIdx[i]] * (sampleWeight ? sampleWeight[i] : 1);
  return out;
}

export function checkPredictInput(X: Matrix, nFeatures: number | undefined, name: string): void {
  if (nFeatures === undefined) throw new Error(`${name} is not fitted: call fit first`);
  if (X.nCols !== nFeatures) throw new RangeError(`X has ${X.nCols} columns, ${name} was fitted with ${nFeatures}`);
}
