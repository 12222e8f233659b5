import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/random.js';
import { blobs, NearestCentroid } from '../../../../test/support/learn/nearest-centroid.js';
import { TPESearch } from '../tpe-search.js';
import { MedianPruner, TrialPruned } from './median-pruner.js';
import { adaptiveParzen, linearForgettingWeights } from './parzen.js';
import { collectNodes, hp, samplePrior, spaceEval } from './space.js';
import { tpeSearch } from './tpe.js';

const quad1d = (c: { x: number }) => (c.x - 1.3) ** 2;
const quad2d = (c: { x: number; lr: number }) => (c.x - 2) ** 2 + (Math.log10(c.lr) + 2.5) ** 2;

async function bestAfter(space: unknown, f: (c: any) => number, algorithm: 'tpe' | 'random', seed: number, n: number) {
  const r = await tpeSearch(space, f, { maxEvals: n, seed, algorithm, nStartupTrials: 10 });
  return r.best.value;
}

describe('hp spaces', () => {
  it('samples each kind inside its bounds, quantized where asked', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 200; i++) {
      const u = samplePrior(hp.uniform('u', -2, 3), rng);
      expect(u).toBeGreaterThanOrEqual(-2);
      expect(u).toBeLessThan(3);
      const l = samplePrior(hp.loguniform('l', Math.log(1e-3), Math.log(1)), rng);
      expect(l).toBeGreaterThanOrEqual(1e-3);
      expect(l).toBeLessThan(1);
      const q = samplePrior(hp.quniform('q', 0, 10, 2.5), rng);
      expect(q / 2.5).toBe(Math.round(q / 2.5));
      const ql = samplePrior(hp.qloguniform('ql', 0, Math.log(100), 5), rng);
      expect(ql % 5).toBe(0);
      const r = samplePrior(hp.randint('r', 3, 7), rng);
      expect([3, 4, 5, 6]).toContain(r);
      expect([0, 1, 2]).toContain(samplePrior(hp.randint('r0', 3), rng));
    }
  });

  it('rejects malformed nodes and clashing labels', () => {
    expect(() => hp.uniform('u', 1, 1)).toThrow(/hp.uniform\("u"\): need finite low < high/);
    expect(() => hp.quniform('q', 0, 1, 0)).toThrow(/q must be > 0/);
    expect(() => hp.choice('c', [])).toThrow(/options must be a non-empty array/);
    expect(() => hp.randint('r', 2.5)).toThrow(/need integers/);
    expect(() => collectNodes({ a: hp.uniform('x', 0, 1), b: hp.uniform('x', 0, 2) })).toThrow(
      /label "x" is used by two different/,
    );
  });

  it('builds Parzen mixtures as hyperopt: prior kept wide, neighbour-gap sigmas, forgetting ramp', () => {
    const m = adaptiveParzen([0.1, 0.5, 0.2], 0.5, 1, 0, 1, { priorWeight: 1, linearForgetting: 25 });
    expect(Array.from(m.mus)).toEqual([0.1, 0.2, 0.5, 0.5]);
    expect(m.sigmas[2]).toBe(1); // the prior (placed before the equal observation)
    expect(m.sigmas[1]).toBeCloseTo(0.3, 12);
    expect(m.sigmas[0]).toBeCloseTo(0.2, 12); // gap 0.1 clipped up to prior_sigma / (1 + 4)
    expect(m.sigmas[3]).toBeCloseTo(1 / 5, 12); // gap 0 clipped up to prior_sigma / (1 + 4)
    expect(Array.from(linearForgettingWeights(4, 2))).toEqual([0.25, 1, 1, 1]);
  });
});

describe('tpeSearch', () => {
  const space1 = { x: hp.uniform('x', -5, 5) };
  const space2 = { x: hp.quniform('x', -10, 10, 0.5), lr: hp.loguniform('lr', Math.log(1e-5), Math.log(1)) };

  it('is deterministic for a seed', async () => {
    const a = await tpeSearch(space2, quad2d, { maxEvals: 30, seed: 7, nStartupTrials: 10 });
    const b = await tpeSearch(space2, quad2d, { maxEvals: 30, seed: 7, nStartupTrials: 10 });
    const c = await tpeSearch(space2, quad2d, { maxEvals: 30, seed: 8, nStartupTrials: 10 });
    expect(b.trials.map((t) => t.vals)).toEqual(a.trials.map((t) => t.vals));
    expect(c.trials.map((t) => t.vals)).not.toEqual(a.trials.map((t) => t.vals));
  });

  it('beats random search on average on seeded 1-D and 2-D objectives', async () => {
    for (const [space, f] of [
      [space1, quad1d],
      [space2, quad2d],
    ] as const) {
      let tpe = 0,
        rnd = 0;
      for (let seed = 1; seed <= 20; seed++) {
        tpe += await bestAfter(space, f, 'tpe', seed, 50);
        rnd += await bestAfter(space, f, 'random', seed, 50);
      }
      // measured: 1-D mean best 1.9e-3 vs 8.3e-3, 2-D 0.33 vs 0.71
      expect(tpe).toBeLessThan(rnd * 0.75);
    }
  });

  it('maximises when asked', async () => {
    const r = await tpeSearch(space1, (c: { x: number }) => -quad1d(c), {
      maxEvals: 60,
      seed: 3,
      direction: 'maximize',
    });
    expect(Math.abs(r.best.config.x - 1.3)).toBeLessThan(0.3);
    expect(r.best.value).toBe(Math.max(...r.trials.map((t) => t.value)));
  });

  it('handles nested choices: only the chosen branch is active, and TPE learns the better branch', async () => {
    const space = {
      model: hp.choice('model', [
        { kind: 'a', x: hp.uniform('a_x', 0, 1) },
        {
          kind: 'b',
          k: hp.randint('b_k', 1, 6),
          inner: hp.choice('b_inner', ['flat', { z: hp.quniform('b_z', 0, 10, 2) }]),
        },
      ]),
    };
    type C = { model: { kind: 'a'; x: number } | { kind: 'b'; k: number; inner: 'flat' | { z: number } } };
    const f = (c: C) =>
      c.model.kind === 'a'
        ? 5 + c.model.x
        : typeof c.model.inner === 'string'
          ? 3
          : Math.abs(c.model.inner.z - 6) + Math.abs(c.model.k - 4);
    const r = await tpeSearch<C>(space, f, { maxEvals: 80, seed: 11 });
    for (const t of r.trials) {
      const keys = Object.keys(t.vals).sort();
      if (t.vals.model === 0) expect(keys).toEqual(['a_x', 'model']);
      else if (t.vals.b_inner === 0) expect(keys).toEqual(['b_inner', 'b_k', 'model']);
      else expect(keys).toEqual(['b_inner', 'b_k', 'b_z', 'model']);
      expect(spaceEval(space, t.vals)).toEqual(t.config);
    }
    expect(r.best.value).toBe(0);
    const late = r.trials.slice(40);
    expect(late.filter((t) => t.vals.model === 1 && t.vals.b_inner === 1).length).toBeGreaterThan(late.length * 0.6);
  });

  it('awaits an async onTrial callback in trial order', async () => {
    const seen: number[] = [];
    await tpeSearch(space1, quad1d, {
      maxEvals: 5,
      seed: 1,
      onTrial: async (t) => {
        await new Promise((res) => setTimeout(res, 5 - t.number));
        seen.push(t.number);
      },
    });
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it('prunes trials worse than the median of completed trials at the same step', async () => {
    const steps = 6;
    let stepsRun = 0;
    const objective = (c: { x: number }, trial: { report(v: number, s: number): void; pruneIfNeeded(): void }) => {
      let v = 0;
      for (let s = 0; s < steps; s++) {
        stepsRun++;
        v = quad1d(c) * (1 + 1 / (s + 1));
        trial.report(v, s);
        trial.pruneIfNeeded();
      }
      return v;
    };
    const pruner = new MedianPruner({ nStartupTrials: 4, nWarmupSteps: 1 });
    const r = await tpeSearch(space1, objective, { maxEvals: 40, seed: 5, pruner });
    const pruned = r.trials.filter((t) => t.state === 'pruned');
    expect(pruned.length).toBeGreaterThan(5);
    expect(stepsRun).toBeLessThan(40 * steps);
    for (const t of pruned) {
      const step = Math.max(...t.intermediate.keys());
      expect(step).toBeGreaterThanOrEqual(1);
      const earlier = r.trials
        .filter((p) => p.number < t.number && p.state === 'complete')
        .map((p) => p.intermediate.get(step)!);
      expect(earlier.length).toBeGreaterThanOrEqual(4);
      const sorted = [...earlier].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
      expect(t.value).toBeGreaterThan(median);
    }
    // The best trial still completes, and no trial among the first nStartupTrials is pruned.
    expect(r.best.state).toBe('complete');
    expect(r.trials.slice(0, 4).every((t) => t.state === 'complete')).toBe(true);
    const unpruned = await tpeSearch(space1, objective, { maxEvals: 10, seed: 5 });
    expect(unpruned.trials.every((t) => t.state === 'complete')).toBe(true);
    expect(new TrialPruned(3).message).toMatch(/step 3/);
  });

  it('explains bad options', async () => {
    await expect(tpeSearch(space1, quad1d, { maxEvals: 0 })).rejects.toThrow(/maxEvals must be an integer >= 1/);
    await expect(tpeSearch(space1, quad1d, { maxEvals: 3, gamma: 1.5 })).rejects.toThrow(/gamma must be in \(0, 1\)/);
    await expect(tpeSearch(space1, quad1d, { maxEvals: 3, nEiCandidates: 0 })).rejects.toThrow(
      /nEiCandidates must be an integer >= 1/,
    );
    await expect(tpeSearch(space1, quad1d, { maxEvals: 3, nStartupTrials: -1 })).rejects.toThrow(
      /nStartupTrials must be an integer >= 0/,
    );
    expect(() => new MedianPruner({ intervalSteps: 0 })).toThrow(/intervalSteps must be an integer >= 1/);
  });
});

describe('TPESearch', () => {
  it('tunes an estimator by CV, reporting each fold for pruning, and refits the best', async () => {
    const { X, y } = blobs(200, 3, 1.5, 21);
    const logged: Array<{ n: number; params: Record<string, unknown>; folds: number | undefined }> = [];
    const search = await new TPESearch(
      new NearestCentroid(),
      {
        temperature: hp.loguniform('temperature', Math.log(0.1), Math.log(10)),
        sub: hp.choice('features', [{ features: [1] }, { features: [2] }, { features: [0] }, { features: [1, 2] }]),
      },
      {
        maxEvals: 25,
        seed: 4,
        nStartupTrials: 8,
        cv: 5,
        scoring: ['roc_auc', 'accuracy'],
        pruner: new MedianPruner({ nStartupTrials: 5, nWarmupSteps: 1 }),
        onTrial: (t, params, cv) => {
          logged.push({ n: t.number, params, folds: cv?.folds.length });
        },
      },
    ).fit(X, y);
    expect(search.bestParams_!.features).toEqual([0]);
    expect((search.bestEstimator_ as NearestCentroid).fitCount).toBe(1);
    expect(logged.length).toBe(25);
    expect(Object.keys(logged[0].params).sort()).toEqual(['features', 'temperature']);
    const pruned = search.trials.filter((t) => t.state === 'pruned');
    expect(pruned.length).toBeGreaterThan(0);
    for (const t of pruned) expect(logged[t.number].folds).toBeUndefined();
    expect(search.bestScore).toBe(Math.max(...search.trials.filter((t) => t.state === 'complete').map((t) => t.value)));
  });
});
