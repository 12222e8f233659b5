// Typed search spaces for tuning (Optuna's suggest_float / suggest_int / suggest_categorical as
// data), and their translation to what learn's samplers read: hyperopt `hp` nodes for TPE, scipy-style
// distributions for random search, value lists for grid search.
import {
  hp,
  type HpNode,
  logUniform,
  type ParamDistributions,
  type ParamSet,
  randInt,
  uniform,
} from '../../learn/index.js';

/** A scalar a parameter takes: what a learn estimator's setParams accepts. */
export type ParamValue = number | string | boolean | null;

export interface FloatParam {
  readonly kind: 'float';
  readonly low: number;
  readonly high: number;
  /** Sampled uniformly in log space (needs low > 0). */
  readonly log?: boolean;
  /** The values grid search tries; default 5 points spread evenly (in log space when log). */
  readonly grid?: readonly number[];
}

export interface IntParam {
  readonly kind: 'int';
  /** Inclusive bounds. */
  readonly low: number;
  readonly high: number;
  readonly log?: boolean;
  readonly grid?: readonly number[];
}

export interface CategoricalParam {
  readonly kind: 'categorical';
  readonly choices: readonly ParamValue[];
}

export type ParamSpec = FloatParam | IntParam | CategoricalParam;

/** Parameter name (an estimator's setParams key) → how it is searched. */
export type SearchSpace = Readonly<Record<string, ParamSpec>>;

const GRID_POINTS = 5;

/** Throws naming the parameter and the rule when a space is malformed. */
export function validateSpace(space: SearchSpace): void {
  const names = Object.keys(space);
  if (names.length === 0) throw new RangeError('search space: needs at least one parameter');
  for (const name of names) {
    const p = space[name];
    const where = `search space: parameter "${name}"`;
    if (p.kind === 'categorical') {
      if (!Array.isArray(p.choices) || p.choices.length === 0)
        throw new RangeError(`${where}: choices must be a non-empty array`);
      continue;
    }
    if (p.kind !== 'float' && p.kind !== 'int')
      throw new RangeError(`${where}: kind must be 'float', 'int' or 'categorical'`);
    if (!Number.isFinite(p.low) || !Number.isFinite(p.high) || !(p.high > p.low))
      throw new RangeError(`${where}: needs finite low < high, got [${p.low}, ${p.high}]`);
    if (p.kind === 'int' && (!Number.isInteger(p.low) || !Number.isInteger(p.high)))
      throw new RangeError(`${where}: int bounds must be integers, got [${p.low}, ${p.high}]`);
    if (p.log && !(p.low > 0)) throw new RangeError(`${where}: a log-scaled range needs low > 0, got ${p.low}`);
    if (p.grid !== undefined) {
      if (!Array.isArray(p.grid) || p.grid.length === 0) throw new RangeError(`${where}: grid must be non-empty`);
      for (const v of p.grid)
        if (!(v >= p.low && v <= p.high))
          throw new RangeError(`${where}: grid value ${v} is outside [${p.low}, ${p.high}]`);
    }
  }
}

/** The space as hyperopt nodes, each labelled by its parameter name (ints as q-uniform with q = 1). */
export function toHyperoptSpace(space: SearchSpace): Record<string, HpNode> {
  const out: Record<string, HpNode> = {};
  for (const [name, p] of Object.entries(space)) {
    if (p.kind === 'categorical') out[name] = hp.choice(name, p.choices);
    else if (p.kind === 'float')
      out[name] = p.log ? hp.loguniform(name, Math.log(p.low), Math.log(p.high)) : hp.uniform(name, p.low, p.high);
    // Widened by half a step so that rounding gives both ends the same mass as the inner integers.
    else if (p.log) out[name] = hp.qloguniform(name, Math.log(p.low - 0.5 + 1e-9), Math.log(p.high + 0.5), 1);
    else out[name] = hp.quniform(name, p.low - 0.5 + 1e-9, p.high + 0.5 - 1e-9, 1);
  }
  return out;
}

/** A TPE configuration (hyperopt's flat values) as parameter values: choice index → the choice, ints clamped. */
export function paramsFromVals(space: SearchSpace, vals: Readonly<Record<string, number>>): ParamSet {
  const out: ParamSet = {};
  for (const [name, p] of Object.entries(space)) {
    const v = vals[name];
    if (v === undefined) throw new RangeError(`search space: no value for parameter "${name}"`);
    if (p.kind === 'categorical') out[name] = p.choices[v];
    else if (p.kind === 'int') out[name] = Math.min(p.high, Math.max(p.low, Math.round(v)));
    else out[name] = v;
  }
  return out;
}

/** The space as distributions for learn's sampleParams (random search). */
export function toDistributions(space: SearchSpace): ParamDistributions {
  const out: ParamDistributions = {};
  for (const [name, p] of Object.entries(space)) {
    if (p.kind === 'categorical') out[name] = p.choices;
    else if (p.kind === 'float') out[name] = p.log ? logUniform(p.low, p.high) : uniform(p.low, p.high);
    else if (p.log) {
      const d = logUniform(p.low - 0.5 + 1e-9, p.high + 0.5);
      out[name] = { sample: (rng) => Math.min(p.high, Math.max(p.low, Math.round(d.sample(rng) as number))) };
    } else out[name] = randInt(p.low, p.high + 1);
  }
  return out;
}

/** The values grid search tries for each parameter. */
export function toGrid(space: SearchSpace): Record<string, readonly ParamValue[]> {
  const out: Record<string, readonly ParamValue[]> = {};
  for (const [name, p] of Object.entries(space)) {
    if (p.kind === 'categorical') out[name] = p.choices;
    else if (p.grid) out[name] = p.grid;
    else out[name] = defaultGrid(p);
  }
  return out;
}

function defaultGrid(p: FloatParam | IntParam): number[] {
  if (p.kind === 'int' && p.high - p.low + 1 <= GRID_POINTS)
    return Array.from({ length: p.high - p.low + 1 }, (_, i) => p.low + i);
  const pts: number[] = [];
  for (let i = 0; i < GRID_POINTS; i++) {
    const t = i / (GRID_POINTS - 1);
    const v = p.log
      ? Math.exp(Math.log(p.low) + t * (Math.log(p.high) - Math.log(p.low)))
      : p.low + t * (p.high - p.low);
    pts.push(p.kind === 'int' ? Math.round(v) : v);
  }
  return [...new Set(pts)];
}

/** Canonical text of a space: two processes joining one study must search the same space. */
export function spaceSignature(space: SearchSpace): string {
  const sorted = Object.keys(space)
    .sort()
    .map((name) => [name, space[name]]);
  return JSON.stringify(sorted);
}

/** How a parameter value is written as an MLflow param (Python's spelling of null, as sklearn runs log it). */
export function formatParamValue(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}
