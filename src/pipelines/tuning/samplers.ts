// The three samplers behind `--tune tpe|random|grid`, as ask functions over a study's finished
// trials: learn's TPE (hyperopt's tpe.suggest) read as ask/tell, learn's random-search sampling
// and learn's parameter grid. Trial `number` alone fixes the random stream a trial draws from, so
// the same trial number asks the same way in any process, and two processes never draw the same
// startup trial or the same grid point.
import { expandGrid, type ParamSet, Rng, sampleParams, type Trial } from '../../learn/index.js';
import type { Direction } from '../../learn/model-selection/tpe/median-pruner.js';
import { instantiate, samplePrior } from '../../learn/model-selection/tpe/space.js';
import { tpeSuggester } from '../../learn/model-selection/tpe/tpe.js';
import {
  type ParamValue,
  paramsFromVals,
  type SearchSpace,
  toDistributions,
  toGrid,
  toHyperoptSpace,
  validateSpace,
} from './search-space.js';

export type SamplerName = 'tpe' | 'random' | 'grid';
export const SAMPLER_NAMES: readonly SamplerName[] = ['tpe', 'random', 'grid'];

/** A finished trial as a sampler sees it: complete (value is the objective) or pruned (worst group). */
export interface ObservedTrial {
  number: number;
  state: 'COMPLETE' | 'PRUNED';
  value: number;
  params: ParamSet;
}

export interface Sampler {
  readonly name: SamplerName;
  /** How many distinct trials the sampler can propose (the grid's size), else Infinity. */
  readonly capacity: number;
  /** The parameters of trial `number`, given every finished trial of the study (any process). */
  ask(number: number, finished: readonly ObservedTrial[], direction: Direction): ParamSet;
}

export interface TpeSettings {
  /** Finished trials drawn from the prior before TPE models them (Optuna's default 10). */
  nStartupTrials?: number;
  gamma?: number;
  nEiCandidates?: number;
  priorWeight?: number;
  linearForgetting?: number;
}

/** The seed of trial `number`'s own random stream. */
export function trialSeed(seed: number, number: number): number {
  return (seed ^ Math.imul(number + 1, 0x9e3779b1)) >>> 0;
}

export function createSampler(name: SamplerName, space: SearchSpace, seed: number, tpe: TpeSettings = {}): Sampler {
  validateSpace(space);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
  if (name === 'tpe') return tpeSampler(space, seed, tpe);
  if (name === 'random') return randomSampler(space, seed);
  if (name === 'grid') return gridSampler(space, seed);
  throw new RangeError(`sampler must be one of ${SAMPLER_NAMES.join(', ')}, got "${String(name)}"`);
}

function tpeSampler(space: SearchSpace, seed: number, o: TpeSettings): Sampler {
  const hpSpace = toHyperoptSpace(space);
  const nStartup = o.nStartupTrials ?? 10;
  const gamma = o.gamma ?? 0.25;
  const nCandidates = o.nEiCandidates ?? 24;
  if (!Number.isInteger(nStartup) || nStartup < 0)
    throw new RangeError(`tpe: nStartupTrials must be an integer >= 0, got ${nStartup}`);
  if (!(gamma > 0 && gamma < 1)) throw new RangeError(`tpe: gamma must be in (0, 1), got ${gamma}`);
  const settings = { priorWeight: o.priorWeight ?? 1, linearForgetting: o.linearForgetting ?? 25 };
  return {
    name: 'tpe',
    capacity: Infinity,
    ask(number, finished, direction) {
      const rng = new Rng(trialSeed(seed, number));
      const history = [...finished].sort((a, b) => a.number - b.number).map((t) => asLearnTrial(space, t));
      const suggest =
        history.length < nStartup
          ? (node: Parameters<typeof samplePrior>[0]) => samplePrior(node, rng)
          : tpeSuggester(history, direction, gamma, nCandidates, settings, rng);
      return paramsFromVals(space, instantiate(hpSpace, suggest).vals);
    },
  };
}

/** A finished trial in the form learn's TPE models: flat values (choice → its index). */
function asLearnTrial(space: SearchSpace, t: ObservedTrial): Trial<unknown> {
  const vals: Record<string, number> = {};
  for (const [name, p] of Object.entries(space)) {
    const v = t.params[name];
    if (p.kind === 'categorical') {
      const i = p.choices.indexOf(v as ParamValue);
      if (i >= 0) vals[name] = i;
    } else if (typeof v === 'number') vals[name] = v;
  }
  return {
    number: t.number,
    config: t.params,
    vals,
    state: t.state === 'COMPLETE' ? 'complete' : 'pruned',
    value: t.value,
    intermediate: new Map(),
    durationMs: 0,
  };
}

/** Random search: trial n takes the n-th draw of learn's sampleParams (RandomizedSearchCV's sequence). */
function randomSampler(space: SearchSpace, seed: number): Sampler {
  const dists = toDistributions(space);
  const drawn: ParamSet[] = [];
  const allLists = Object.values(space).every((p) => p.kind === 'categorical');
  const capacity = allLists ? expandGrid(toGrid(space)).length : Infinity;
  return {
    name: 'random',
    capacity,
    ask(number) {
      if (number >= capacity) throw new RangeError(`random: the space has only ${capacity} distinct points`);
      // sampleParams draws a prefix-stable sequence, so growing it never changes earlier trials
      if (number >= drawn.length) {
        const n = Math.min(capacity, Math.max(number + 1, 2 * drawn.length, 16));
        drawn.splice(0, drawn.length, ...sampleParams(dists, n, new Rng(seed)));
      }
      return { ...drawn[number] };
    },
  };
}

/** Grid search: learn's ParameterGrid order, shuffled once by the seed (as Optuna's GridSampler) so a
 * budget smaller than the grid still spreads over it. */
function gridSampler(space: SearchSpace, seed: number): Sampler {
  const grid = expandGrid(toGrid(space));
  const order = new Rng(seed).shuffle(Int32Array.from(grid, (_, i) => i));
  return {
    name: 'grid',
    capacity: grid.length,
    ask(number) {
      if (number >= grid.length) throw new RangeError(`grid: the grid has only ${grid.length} points`);
      return { ...grid[order[number]] };
    },
  };
}
