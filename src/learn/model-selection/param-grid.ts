// Parameter grids and distributions, named by `setParams` keys (`step__param` for pipelines).
import type { Rng } from '../core/random.js';

export type ParamGrid = Record<string, readonly unknown[]>;
export type ParamSet = Record<string, unknown>;

/** All combinations, as scikit-learn's ParameterGrid: keys sorted, the last key varies fastest. */
export function expandGrid(grid: ParamGrid | readonly ParamGrid[]): ParamSet[] {
  const grids = Array.isArray(grid) ? (grid as ParamGrid[]) : [grid as ParamGrid];
  const out: ParamSet[] = [];
  for (const g of grids) {
    const keys = Object.keys(g).sort();
    for (const k of keys) {
      if (!Array.isArray(g[k]) || g[k].length === 0) {
        throw new RangeError(`param grid: "${k}" must be a non-empty array of values`);
      }
    }
    const idx = new Array<number>(keys.length).fill(0);
    for (;;) {
      const p: ParamSet = {};
      keys.forEach((k, i) => {
        p[k] = g[k][idx[i]];
      });
      out.push(p);
      let d = keys.length - 1;
      while (d >= 0 && ++idx[d] === g[keys[d]].length) {
        idx[d] = 0;
        d--;
      }
      if (d < 0) break;
    }
  }
  return out;
}

/** A distribution to sample a parameter from. */
export interface ParamDistribution {
  sample(rng: Rng): unknown;
}

export function uniform(low: number, high: number): ParamDistribution {
  if (!(high > low)) throw new RangeError(`uniform: high (${high}) must exceed low (${low})`);
  return { sample: (rng) => low + (high - low) * rng.random() };
}

/** Log-uniform on [low, high] (both > 0), as scipy's loguniform. */
export function logUniform(low: number, high: number): ParamDistribution {
  if (!(low > 0 && high > low)) throw new RangeError(`logUniform: need 0 < low < high, got [${low}, ${high}]`);
  const a = Math.log(low),
    b = Math.log(high);
  return { sample: (rng) => Math.exp(a + (b - a) * rng.random()) };
}

/** Integer uniform on [low, high) as scipy's randint. */
export function randInt(low: number, high: number): ParamDistribution {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new RangeError(`randInt: need integers low < high, got [${low}, ${high})`);
  }
  return { sample: (rng) => low + rng.int(high - low) };
}

export type ParamDistributions = Record<string, readonly unknown[] | ParamDistribution>;

function isDistribution(v: unknown): v is ParamDistribution {
  return typeof v === 'object' && v !== null && typeof (v as ParamDistribution).sample === 'function';
}

/**
 * nIter parameter sets. When every entry is a list, sampling is without replacement from the
 * full grid (as scikit-learn's ParameterSampler); otherwise each parameter is drawn independently.
 */
export function sampleParams(dists: ParamDistributions, nIter: number, rng: Rng): ParamSet[] {
  if (!Number.isInteger(nIter) || nIter < 1) throw new RangeError(`nIter must be an integer >= 1, got ${nIter}`);
  const keys = Object.keys(dists).sort();
  if (keys.every((k) => Array.isArray(dists[k]))) {
    const grid = expandGrid(dists as ParamGrid);
    const order = rng.shuffle(Int32Array.from({ length: grid.length }, (_, i) => i));
    return Array.from(order.subarray(0, Math.min(nIter, grid.length)), (i) => grid[i]);
  }
  const out: ParamSet[] = [];
  for (let it = 0; it < nIter; it++) {
    const p: ParamSet = {};
    for (const k of keys) {
      const d = dists[k];
      if (isDistribution(d)) p[k] = d.sample(rng);
      else if (Array.isArray(d) && d.length > 0) p[k] = d[rng.int(d.length)];
      else throw new RangeError(`param distributions: "${k}" must be a non-empty array or a distribution`);
    }
    out.push(p);
  }
  return out;
}
