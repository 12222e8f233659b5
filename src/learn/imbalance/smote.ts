// SMOTE oversampling (Chawla et al. 2002, as imbalanced-learn 0.10): each synthetic sample lies on
// the segment between a minority sample and one of its k nearest same-class neighbours. Draws follow
// imbalanced-learn's order over numpy's RandomState (per class: all randint picks, then all steps).
import type { Labels } from '../core/estimator.js';
import type { Matrix } from '../core/matrix.js';
import { matrix } from '../core/matrix.js';
import { checkParamNames, paramError } from '../core/params.js';
import { NumpyRandomState } from '../model-selection/numpy-random-state.js';

/**
 * 'auto' / 'not majority': every class but the majority up to the majority's count;
 * 'minority': only the smallest class; 'not minority'; 'all'; a number r in (0, 1] (binary only):
 * minority count after resampling = r × majority count; or an explicit target count per class.
 */
export type SamplingStrategy =
  | 'auto'
  | 'minority'
  | 'not majority'
  | 'not minority'
  | 'all'
  | number
  | Readonly<Record<number, number>>;

export interface SmoteParams {
  kNeighbors?: number;
  samplingStrategy?: SamplingStrategy;
  /** numpy RandomState seed, integer in [0, 2^32). Default 0. */
  seed?: number;
}

export interface Resampled {
  /** The original rows first, then the synthetic rows. */
  X: Matrix;
  y: Float64Array;
  /** For each synthetic row: the base sample, its neighbour (row indices into the input) and the step in [0, 1). */
  synthetic: { base: Int32Array; neighbor: Int32Array; step: Float64Array };
}

const DEFAULTS: Required<SmoteParams> = { kNeighbors: 5, samplingStrategy: 'auto', seed: 0 };

export class SMOTE {
  /** Unknown names and a bad kNeighbors throw here (the rest depends on y and is checked in fitResample). */
  constructor(readonly params: SmoteParams = {}) {
    checkParamNames('SMOTE', params, Object.keys(DEFAULTS));
    const k = params.kNeighbors ?? DEFAULTS.kNeighbors;
    if (!Number.isInteger(k) || k < 1) throw paramError('kNeighbors', 'must be an integer >= 1', params.kNeighbors);
  }

  getParams(): Required<SmoteParams> {
    return { ...DEFAULTS, ...this.params };
  }

  /** Number of synthetic samples to create per class (sorted classes). */
  samplesToCreate(y: Labels): Map<number, number> {
    const counts = new Map<number, number>();
    for (let i = 0; i < y.length; i++) counts.set(y[i], (counts.get(y[i]) ?? 0) + 1);
    const classes = [...counts.keys()].sort((a, b) => a - b);
    if (classes.length < 2) throw new RangeError(`SMOTE: y needs at least 2 classes, got ${classes.length}`);
    const max = Math.max(...counts.values());
    const min = Math.min(...counts.values());
    const majority = classes.find((c) => counts.get(c) === max)!;
    const minority = classes.find((c) => counts.get(c) === min)!;
    const s = this.params.samplingStrategy ?? 'auto';
    const out = new Map<number, number>();
    const upTo = (pick: (c: number) => boolean) => {
      for (const c of classes) if (pick(c)) out.set(c, max - counts.get(c)!);
    };
    if (s === 'auto' || s === 'not majority') upTo((c) => c !== majority);
    else if (s === 'minority') upTo((c) => c === minority);
    else if (s === 'not minority') upTo((c) => c !== minority);
    else if (s === 'all') upTo(() => true);
    else if (typeof s === 'number') {
      if (classes.length !== 2) throw new RangeError('SMOTE: a numeric samplingStrategy needs a binary target');
      if (!(s > 0 && s <= 1)) throw new RangeError(`SMOTE: a numeric samplingStrategy must be in (0, 1], got ${s}`);
      const target = Math.floor(s * max);
      const have = counts.get(minority)!;
      if (target < have) {
        throw new RangeError(
          `SMOTE: samplingStrategy ${s} asks for ${target} minority samples, fewer than the ${have} present`,
        );
      }
      out.set(minority, target - have);
    } else if (typeof s === 'object' && s !== null) {
      for (const [key, target] of Object.entries(s)) {
        const c = Number(key);
        const have = counts.get(c);
        if (have === undefined) throw new RangeError(`SMOTE: samplingStrategy names class ${c}, which is not in y`);
        if (!Number.isInteger(target) || target < have) {
          throw new RangeError(
            `SMOTE: target count for class ${c} must be an integer >= its current count ${have}, got ${target}`,
          );
        }
        out.set(c, target - have);
      }
    } else {
      throw new RangeError(`SMOTE: unknown samplingStrategy ${String(s)}`);
    }
    return out;
  }

  fitResample(X: Matrix, y: Labels): Resampled {
    if (X.nRows !== y.length) throw new RangeError(`SMOTE: X has ${X.nRows} rows but y has ${y.length} labels`);
    for (let i = 0; i < X.data.length; i++) {
      if (!Number.isFinite(X.data[i])) {
        throw new RangeError(
          `SMOTE: X[${Math.floor(i / X.nCols)}, ${i % X.nCols}] is ${X.data[i]}; impute missing values first`,
        );
      }
    }
    const k = this.params.kNeighbors ?? 5;
    const seed = this.params.seed ?? 0;
    const plan = this.samplesToCreate(y);
    const total = [...plan.values()].reduce((a, b) => a + b, 0);
    const d = X.nCols;
    const out = matrix(X.nRows + total, d);
    out.data.set(X.data);
    const yOut = new Float64Array(X.nRows + total);
    for (let i = 0; i < y.length; i++) yOut[i] = y[i];
    const base = new Int32Array(total),
      neighbor = new Int32Array(total),
      step = new Float64Array(total);
    let row = X.nRows;
    for (const [c, nNew] of plan) {
      if (nNew === 0) continue;
      const members: number[] = [];
      for (let i = 0; i < y.length; i++) if (y[i] === c) members.push(i);
      if (members.length <= k) {
        throw new RangeError(
          `SMOTE: class ${c} has ${members.length} samples; kNeighbors=${k} needs at least ${k + 1}`,
        );
      }
      const nn = kNearestWithin(X, members, k);
      // imbalanced-learn re-creates RandomState(seed) for every class it oversamples.
      const rng = new NumpyRandomState(seed);
      const picks = Float64Array.from({ length: nNew }, () => rng.randint(members.length * k));
      const steps = Float64Array.from({ length: nNew }, () => rng.randomSample());
      for (let s = 0; s < nNew; s++, row++) {
        const a = Math.floor(picks[s] / k);
        const b = nn[a * k + (picks[s] % k)];
        const t = steps[s];
        const ia = members[a],
          ib = members[b];
        for (let j = 0; j < d; j++) {
          const xa = X.data[ia * d + j];
          out.data[row * d + j] = xa + t * (X.data[ib * d + j] - xa);
        }
        yOut[row] = c;
        base[row - X.nRows] = ia;
        neighbor[row - X.nRows] = ib;
        step[row - X.nRows] = t;
      }
    }
    return { X: out, y: yOut, synthetic: { base, neighbor, step } };
  }
}

/** For each member, the positions (into `members`) of its k nearest other members (euclidean). */
export function kNearestWithin(X: Matrix, members: number[], k: number): Int32Array {
  const m = members.length,
    d = X.nCols;
  const out = new Int32Array(m * k);
  const dist = new Float64Array(m);
  const order = new Int32Array(m);
  for (let a = 0; a < m; a++) {
    const ia = members[a] * d;
    for (let b = 0; b < m; b++) {
      const ib = members[b] * d;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = X.data[ia + j] - X.data[ib + j];
        s += t * t;
      }
      dist[b] = s;
      order[b] = b;
    }
    dist[a] = Infinity; // a sample is not its own neighbour
    const sorted = Array.from(order).sort((p, q) => dist[p] - dist[q] || p - q);
    for (let c = 0; c < k; c++) out[a * k + c] = sorted[c];
  }
  return out;
}
