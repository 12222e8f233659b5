// Hyperopt's adaptive Parzen estimators: a truncated Gaussian mixture (one component per
// observation plus a wide prior) for numeric parameters, smoothed counts for categorical ones.
import type { Rng } from '../../core/random.js';
import type { CategoricalNode, NumericNode } from './space.js';
import { categoryCount, quantize } from './space.js';

export interface ParzenSettings {
  priorWeight: number;
  /** Observations older than the last `linearForgetting` get linearly decreasing weights. */
  linearForgetting: number;
}

/** Weights for observations in chronological order: a ramp from 1/n to 1, the last LF at 1. */
export function linearForgettingWeights(n: number, lf: number): Float64Array {
  const w = new Float64Array(n).fill(1);
  if (n <= lf || lf <= 0) return w;
  const rampLen = n - lf;
  for (let i = 0; i < rampLen; i++) w[i] = rampLen === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (rampLen - 1);
  return w;
}

export interface Mixture {
  weights: Float64Array;
  mus: Float64Array;
  sigmas: Float64Array;
  low: number;
  high: number;
}

/** The adaptive Parzen mixture over observations `mus` (chronological, working space). */
export function adaptiveParzen(
  obs: ArrayLike<number>,
  priorMu: number,
  priorSigma: number,
  low: number,
  high: number,
  s: ParzenSettings,
): Mixture {
  const n = obs.length;
  const obsWeights = linearForgettingWeights(n, s.linearForgetting);
  const items = Array.from({ length: n }, (_, i) => ({ mu: obs[i], w: obsWeights[i], prior: false }));
  items.push({ mu: priorMu, w: s.priorWeight, prior: true });
  // Stable sort keeps the prior after equal observations only if it was inserted last; hyperopt
  // uses searchsorted (left), so place the prior before equal observations.
  items.sort((a, b) => a.mu - b.mu || (a.prior ? -1 : b.prior ? 1 : 0));
  const m = items.length;
  const mus = Float64Array.from(items, (it) => it.mu);
  const sigmas = new Float64Array(m);
  if (m === 1) sigmas[0] = priorSigma;
  else if (m === 2) {
    sigmas[0] = sigmas[1] = priorSigma * 0.5;
  } else {
    for (let i = 1; i < m - 1; i++) sigmas[i] = Math.max(mus[i] - mus[i - 1], mus[i + 1] - mus[i]);
    sigmas[0] = mus[1] - mus[0];
    sigmas[m - 1] = mus[m - 1] - mus[m - 2];
  }
  const minSigma = priorSigma / Math.min(100, 1 + m);
  const weights = new Float64Array(m);
  let total = 0;
  for (let i = 0; i < m; i++) {
    sigmas[i] = items[i].prior ? priorSigma : Math.min(priorSigma, Math.max(minSigma, sigmas[i]));
    weights[i] = items[i].w;
    total += weights[i];
  }
  for (let i = 0; i < m; i++) weights[i] /= total;
  return { weights, mus, sigmas, low, high };
}

function pickComponent(weights: Float64Array, rng: Rng): number {
  let u = rng.random();
  for (let k = 0; k < weights.length; k++) {
    u -= weights[k];
    if (u < 0) return k;
  }
  return weights.length - 1;
}

/** A draw from the mixture truncated to [low, high] (working space). */
export function sampleMixture(mix: Mixture, rng: Rng): number {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const k = pickComponent(mix.weights, rng);
    const x = mix.mus[k] + mix.sigmas[k] * rng.normal();
    if (x >= mix.low && x <= mix.high) return x;
  }
  return Math.min(mix.high, Math.max(mix.low, mix.mus[pickComponent(mix.weights, rng)]));
}

function normalCdf(x: number): number {
  // Abramowitz–Stegun 7.1.26 via erf, accurate to ~1e-7: ample for ranking candidates.
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf =
    1 -
    t *
      (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
      Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Probability mass the mixture puts on [a, b], renormalised for the truncation to [low, high]. */
function mass(mix: Mixture, a: number, b: number): number {
  let num = 0,
    acc = 0;
  const lo = Math.max(a, mix.low),
    hi = Math.min(b, mix.high);
  for (let k = 0; k < mix.mus.length; k++) {
    const mu = mix.mus[k],
      sd = mix.sigmas[k];
    const cLow = normalCdf((mix.low - mu) / sd),
      cHigh = normalCdf((mix.high - mu) / sd);
    acc += mix.weights[k] * (cHigh - cLow);
    if (hi > lo) num += mix.weights[k] * (normalCdf((hi - mu) / sd) - normalCdf((lo - mu) / sd));
  }
  return num / acc;
}

function logDensity(mix: Mixture, x: number): number {
  let num = 0,
    acc = 0;
  for (let k = 0; k < mix.mus.length; k++) {
    const mu = mix.mus[k],
      sd = mix.sigmas[k];
    const z = (x - mu) / sd;
    num += (mix.weights[k] * Math.exp(-0.5 * z * z)) / (sd * Math.sqrt(2 * Math.PI));
    acc += mix.weights[k] * (normalCdf((mix.high - mu) / sd) - normalCdf((mix.low - mu) / sd));
  }
  return Math.log(num) - Math.log(acc);
}

const isLog = (n: NumericNode) => n.kind === 'loguniform' || n.kind === 'qloguniform';

/** The model l(x) or g(x) of one numeric parameter. */
export class NumericParzen {
  private readonly mix: Mixture;

  constructor(
    readonly node: NumericNode,
    observations: ArrayLike<number>,
    s: ParzenSettings,
  ) {
    const toWork = (v: number) => (isLog(node) ? Math.log(Math.max(v, Number.MIN_VALUE)) : v);
    const work = Array.from(observations, toWork);
    this.mix = adaptiveParzen(work, (node.low + node.high) / 2, node.high - node.low, node.low, node.high, s);
  }

  sample(rng: Rng): number {
    const w = sampleMixture(this.mix, rng);
    const v = isLog(this.node) ? Math.exp(w) : w;
    return this.node.kind === 'quniform' || this.node.kind === 'qloguniform' ? quantize(v, this.node.q) : v;
  }

  /** Log density (or log mass for quantized nodes); the log-space Jacobian cancels in l/g. */
  logLikelihood(v: number): number {
    const n = this.node;
    if (n.kind === 'uniform') return logDensity(this.mix, v);
    if (n.kind === 'loguniform') return logDensity(this.mix, Math.log(Math.max(v, Number.MIN_VALUE)));
    const a = v - n.q / 2,
      b = v + n.q / 2;
    const m =
      n.kind === 'quniform'
        ? mass(this.mix, a, b)
        : mass(this.mix, Math.log(Math.max(a, Number.MIN_VALUE)), Math.log(Math.max(b, Number.MIN_VALUE)));
    return Math.log(Math.max(m, 1e-300));
  }
}

/** The model of one categorical parameter: forgetting-weighted counts plus priorWeight each. */
export class CategoricalParzen {
  readonly probs: Float64Array;

  constructor(
    readonly node: CategoricalNode,
    observations: ArrayLike<number>,
    s: ParzenSettings,
  ) {
    const k = categoryCount(node);
    const offset = node.kind === 'randint' ? node.low : 0;
    const w = linearForgettingWeights(observations.length, s.linearForgetting);
    const counts = new Float64Array(k).fill(s.priorWeight);
    for (let i = 0; i < observations.length; i++) counts[observations[i] - offset] += w[i];
    let total = 0;
    for (const c of counts) total += c;
    this.probs = counts.map((c) => c / total);
  }

  sample(rng: Rng): number {
    const offset = this.node.kind === 'randint' ? this.node.low : 0;
    return offset + pickComponent(this.probs, rng);
  }

  logLikelihood(v: number): number {
    const offset = this.node.kind === 'randint' ? this.node.low : 0;
    return Math.log(this.probs[v - offset]);
  }
}
