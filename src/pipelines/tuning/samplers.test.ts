// The samplers as ask functions: TPE learns from finished trials (it beats random search on a simple
// bowl), a trial number fixes its draw whatever the order the history comes in, random search follows
// learn's sampleParams sequence, the grid is walked once, and every family's space gives parameters
// its estimator accepts and fits with.
import { describe, expect, it } from 'vitest';
import {
  DecisionTreeClassifier,
  expandGrid,
  GradientBoostingClassifier,
  KNeighborsClassifier,
  LogisticRegression,
  matrix,
  RandomForestClassifier,
  Rng,
  sampleParams,
} from '../../learn/index.js';
import { MODEL_FAMILIES, prefixSpace, SEARCH_SPACES } from './model-spaces.js';
import { createSampler, type ObservedTrial, type SamplerName } from './samplers.js';
import { type SearchSpace, toDistributions, toGrid } from './search-space.js';

const BOWL: SearchSpace = { x: { kind: 'float', low: -10, high: 10 } };

/** A sequential ask/tell loop minimising (x - 3)²; returns the x of each trial. */
function search(name: SamplerName, seed: number, n: number): number[] {
  const sampler = createSampler(name, BOWL, seed, { nStartupTrials: 8 });
  const done: ObservedTrial[] = [];
  for (let i = 0; i < n; i++) {
    const params = sampler.ask(i, done, 'minimize');
    done.push({ number: i, state: 'COMPLETE', value: ((params.x as number) - 3) ** 2, params });
  }
  return done.map((t) => t.params.x as number);
}

const meanDistance = (xs: number[]) => xs.reduce((s, x) => s + Math.abs(x - 3), 0) / xs.length;

describe('samplers', () => {
  it('TPE finds better points than random search once it models the finished trials', () => {
    let tpeBest = 0;
    let randomBest = 0;
    let tpeSpread = 0;
    let randomSpread = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const tpe = search('tpe', seed, 40);
      const random = search('random', seed, 40);
      tpeBest += Math.min(...tpe.map((x) => Math.abs(x - 3)));
      randomBest += Math.min(...random.map((x) => Math.abs(x - 3)));
      tpeSpread += meanDistance(tpe.slice(20));
      randomSpread += meanDistance(random.slice(20));
    }
    expect(tpeBest).toBeLessThan(randomBest * 0.75);
    expect(tpeSpread).toBeLessThan(randomSpread * 0.8);
  });

  it('asks the same for a trial number whatever the order the history comes in', () => {
    const sampler = createSampler('tpe', BOWL, 9, { nStartupTrials: 3 });
    const history: ObservedTrial[] = [0, 1, 2, 3, 4].map((i) => ({
      number: i,
      state: i === 3 ? 'PRUNED' : 'COMPLETE',
      value: i * 1.5,
      params: { x: i - 2 },
    }));
    const first = sampler.ask(5, history, 'minimize');
    expect(sampler.ask(5, [...history].reverse(), 'minimize')).toEqual(first);
    expect(createSampler('tpe', BOWL, 9, { nStartupTrials: 3 }).ask(5, history, 'minimize')).toEqual(first);
    expect(sampler.ask(6, history, 'minimize')).not.toEqual(first);
  });

  it("random search is learn's sampleParams sequence, trial n taking the n-th draw", () => {
    const space = SEARCH_SPACES.rf;
    const expected = sampleParams(toDistributions(space), 30, new Rng(4));
    const sampler = createSampler('random', space, 4);
    const asked = [29, 0, 7, 15].map((n) => [n, sampler.ask(n, [], 'maximize')] as const);
    for (const [n, params] of asked) expect(params).toEqual(expected[n]);
  });

  it('the grid sampler proposes every grid point once, in a seeded order', () => {
    const space = SEARCH_SPACES.dt;
    const grid = expandGrid(toGrid(space));
    const sampler = createSampler('grid', space, 1);
    expect(sampler.capacity).toBe(grid.length);
    const seen = Array.from({ length: grid.length }, (_, n) => JSON.stringify(sampler.ask(n, [], 'maximize')));
    expect(new Set(seen).size).toBe(grid.length);
    expect([...seen].sort()).toEqual(grid.map((p) => JSON.stringify(p)).sort());
    expect(() => sampler.ask(grid.length, [], 'maximize')).toThrow(/only 40 points/);
    const other = createSampler('grid', space, 2);
    expect(Array.from({ length: 5 }, (_, n) => JSON.stringify(other.ask(n, [], 'maximize')))).not.toEqual(
      seen.slice(0, 5),
    );
  });

  it('keeps int parameters integral and inside their bounds, ends included', () => {
    const space: SearchSpace = {
      k: { kind: 'int', low: 1, high: 4 },
      n: { kind: 'int', low: 2, high: 300, log: true },
    };
    for (const name of ['tpe', 'random'] as const) {
      const sampler = createSampler(name, space, 5, { nStartupTrials: 5 });
      const done: ObservedTrial[] = [];
      const ks = new Set<number>();
      for (let i = 0; i < 60; i++) {
        const p = sampler.ask(i, done, 'maximize');
        expect(Number.isInteger(p.k) && Number.isInteger(p.n)).toBe(true);
        expect(p.k as number).toBeGreaterThanOrEqual(1);
        expect(p.k as number).toBeLessThanOrEqual(4);
        expect(p.n as number).toBeGreaterThanOrEqual(2);
        expect(p.n as number).toBeLessThanOrEqual(300);
        ks.add(p.k as number);
        done.push({ number: i, state: 'COMPLETE', value: -Math.abs((p.k as number) - 2), params: p });
      }
      expect([...ks].sort()).toEqual([1, 2, 3, 4]);
    }
  });

  it("gives each family's estimator parameters it accepts and fits with", () => {
    const rng = new Rng(0);
    const X = matrix(80, 3);
    const y = new Float64Array(80);
    for (let i = 0; i < 80; i++) {
      y[i] = i % 2;
      for (let j = 0; j < 3; j++) X.data[i * 3 + j] = rng.normal() + y[i];
    }
    const make = {
      lr: () => new LogisticRegression(),
      dt: () => new DecisionTreeClassifier({ seed: 0 }),
      rf: () => new RandomForestClassifier({ seed: 0, nJobs: 1 }),
      gbm: () => new GradientBoostingClassifier({ seed: 0 }),
      knn: () => new KNeighborsClassifier(),
    };
    for (const family of MODEL_FAMILIES) {
      for (const name of ['tpe', 'random', 'grid'] as const) {
        const params = createSampler(name, SEARCH_SPACES[family], 3).ask(0, [], 'maximize');
        const model = make[family]().setParams(params).fit(X, y);
        expect(model.predict(X)).toHaveLength(80);
      }
    }
    expect(Object.keys(prefixSpace(SEARCH_SPACES.lr, 'model__'))).toEqual(['model__C', 'model__classWeight']);
  });
});
