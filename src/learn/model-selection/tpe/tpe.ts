// Tree-structured Parzen Estimator search (hyperopt's tpe.suggest): random trials first, then
// per parameter a Parzen model l(x) of the best gamma-quantile trials and g(x) of the rest, and the
// candidate (drawn from l) with the largest l(x)/g(x) — the expected-improvement maximiser.
import { Rng } from '../../core/random.js';
import type { Direction, MedianPruner } from './median-pruner.js';
import { TrialPruned } from './median-pruner.js';
import type { ParzenSettings } from './parzen.js';
import { CategoricalParzen, NumericParzen } from './parzen.js';
import type { HpNode } from './space.js';
import { collectNodes, instantiate, isCategorical, samplePrior } from './space.js';

export type TrialState = 'complete' | 'pruned';

export interface Trial<C = unknown> {
  number: number;
  config: C;
  /** Flat values of the active parameters: choice → option index, others → the value. */
  vals: Record<string, number>;
  state: TrialState;
  /** The objective's value (complete) or the last reported intermediate value (pruned). */
  value: number;
  intermediate: Map<number, number>;
  durationMs: number;
}

export interface TrialContext {
  readonly number: number;
  readonly vals: Readonly<Record<string, number>>;
  /** Records an intermediate value (e.g. the running CV score after fold `step`). */
  report(value: number, step: number): void;
  /** Whether the pruner would stop this trial at its last reported step. */
  shouldPrune(): boolean;
  /** Throws TrialPruned when shouldPrune() is true. */
  pruneIfNeeded(): void;
}

export type Objective<C> = (config: C, trial: TrialContext) => number | Promise<number>;

export interface TpeOptions<C = unknown> {
  maxEvals: number;
  seed?: number;
  direction?: Direction;
  /** Trials drawn from the prior before TPE takes over (hyperopt: n_startup_jobs). Default 20. */
  nStartupTrials?: number;
  /** Fraction (scaled by sqrt of the trial count) that forms the "good" group. Default 0.25. */
  gamma?: number;
  /** Candidates drawn from l(x) per parameter. Default 24. */
  nEiCandidates?: number;
  priorWeight?: number;
  linearForgetting?: number;
  /** 'tpe' (default) or 'random' (every trial from the prior: the baseline). */
  algorithm?: 'tpe' | 'random';
  pruner?: MedianPruner;
  /** Called after every trial; awaited, so it can log a nested run. */
  onTrial?: (trial: Trial<C>) => void | Promise<void>;
}

export interface TpeResult<C> {
  trials: Trial<C>[];
  best: Trial<C>;
}

export async function tpeSearch<C = unknown>(
  space: unknown,
  objective: Objective<C>,
  options: TpeOptions<C>,
): Promise<TpeResult<C>> {
  const maxEvals = options.maxEvals;
  if (!Number.isInteger(maxEvals) || maxEvals < 1)
    throw new RangeError(`tpeSearch: maxEvals must be an integer >= 1, got ${maxEvals}`);
  const gamma = options.gamma ?? 0.25;
  if (!(gamma > 0 && gamma < 1)) throw new RangeError(`tpeSearch: gamma must be in (0, 1), got ${gamma}`);
  const direction = options.direction ?? 'minimize';
  if (direction !== 'minimize' && direction !== 'maximize')
    throw new RangeError(`tpeSearch: direction must be 'minimize' or 'maximize', got ${direction}`);
  const nStartup = options.algorithm === 'random' ? Infinity : (options.nStartupTrials ?? 20);
  const nCandidates = options.nEiCandidates ?? 24;
  if (!Number.isInteger(nCandidates) || nCandidates < 1)
    throw new RangeError(`tpeSearch: nEiCandidates must be an integer >= 1, got ${nCandidates}`);
  if (nStartup !== Infinity && (!Number.isInteger(nStartup) || nStartup < 0)) {
    throw new RangeError(`tpeSearch: nStartupTrials must be an integer >= 0, got ${nStartup}`);
  }
  const settings: ParzenSettings = {
    priorWeight: options.priorWeight ?? 1,
    linearForgetting: options.linearForgetting ?? 25,
  };
  collectNodes(space); // validates labels before any trial runs
  const rng = new Rng(options.seed ?? 0);
  const trials: Trial<C>[] = [];
  for (let t = 0; t < maxEvals; t++) {
    const suggest =
      t < nStartup
        ? (node: HpNode) => samplePrior(node, rng)
        : tpeSuggester(trials, direction, gamma, nCandidates, settings, rng);
    const { config, vals } = instantiate(space, suggest);
    const trial = await runTrial(t, config as C, vals, objective, direction, trials, options.pruner);
    trials.push(trial);
    await options.onTrial?.(trial);
  }
  return { trials, best: bestTrial(trials, direction) };
}

async function runTrial<C>(
  number: number,
  config: C,
  vals: Record<string, number>,
  objective: Objective<C>,
  direction: Direction,
  previous: Trial<C>[],
  pruner: MedianPruner | undefined,
): Promise<Trial<C>> {
  const intermediate = new Map<number, number>();
  let lastStep: number | undefined;
  const completed = () => previous.filter((p) => p.state === 'complete').map((p) => p.intermediate);
  const ctx: TrialContext = {
    number,
    vals,
    report(value, step) {
      if (!Number.isInteger(step) || step < 0)
        throw new RangeError(`trial.report: step must be an integer >= 0, got ${step}`);
      intermediate.set(step, value);
      lastStep = step;
    },
    shouldPrune() {
      if (!pruner || lastStep === undefined) return false;
      return pruner.shouldPrune(intermediate.get(lastStep)!, lastStep, completed(), direction);
    },
    pruneIfNeeded() {
      if (this.shouldPrune()) throw new TrialPruned(lastStep);
    },
  };
  const t0 = performance.now();
  try {
    const value = await objective(config, ctx);
    if (typeof value !== 'number')
      throw new TypeError(`tpeSearch: the objective must return a number, got ${typeof value}`);
    return { number, config, vals, state: 'complete', value, intermediate, durationMs: performance.now() - t0 };
  } catch (e) {
    if (!(e instanceof TrialPruned)) throw e;
    const value = lastStep === undefined ? NaN : intermediate.get(lastStep)!;
    return { number, config, vals, state: 'pruned', value, intermediate, durationMs: performance.now() - t0 };
  }
}

export function bestTrial<C>(trials: Trial<C>[], direction: Direction): Trial<C> {
  let best: Trial<C> | undefined;
  for (const t of trials) {
    if (t.state !== 'complete' || Number.isNaN(t.value)) continue;
    if (!best || (direction === 'minimize' ? t.value < best.value : t.value > best.value)) best = t;
  }
  if (!best) throw new Error('tpeSearch: no trial completed with a numeric value');
  return best;
}

/**
 * Orders trials best first (complete by loss, then pruned) and returns the "below" set:
 * the first ceil(gamma * sqrt(n)) trials, capped at linearForgetting as hyperopt does.
 */
function splitTrials<C>(trials: Trial<C>[], direction: Direction, gamma: number, lf: number): { below: Set<number> } {
  const loss = (t: Trial<C>) =>
    t.state !== 'complete' || Number.isNaN(t.value) ? Infinity : direction === 'minimize' ? t.value : -t.value;
  const order = [...trials].sort((a, b) => loss(a) - loss(b) || a.number - b.number);
  const nBelow = Math.min(Math.ceil(gamma * Math.sqrt(trials.length)), lf);
  const below = new Set<number>();
  for (const t of order.slice(0, nBelow)) if (loss(t) !== Infinity) below.add(t.number);
  return { below };
}

/** The TPE suggestion for one trial given the finished ones (chronological); the ask half of an ask/tell loop. */
export function tpeSuggester<C>(
  trials: Trial<C>[],
  direction: Direction,
  gamma: number,
  nCandidates: number,
  s: ParzenSettings,
  rng: Rng,
): (node: HpNode) => number {
  const { below } = splitTrials(trials, direction, gamma, s.linearForgetting);
  return (node) => {
    const good: number[] = [];
    const bad: number[] = [];
    for (const t of trials) {
      const v = t.vals[node.label];
      if (v === undefined) continue;
      (below.has(t.number) ? good : bad).push(v);
    }
    const [l, g] = isCategorical(node)
      ? [new CategoricalParzen(node, good, s), new CategoricalParzen(node, bad, s)]
      : [new NumericParzen(node, good, s), new NumericParzen(node, bad, s)];
    let bestX = NaN,
      bestScore = -Infinity;
    for (let c = 0; c < nCandidates; c++) {
      const x = l.sample(rng);
      const score = l.logLikelihood(x) - g.logLikelihood(x);
      if (score > bestScore || Number.isNaN(bestX)) {
        bestScore = score;
        bestX = x;
      }
    }
    return bestX;
  };
}
