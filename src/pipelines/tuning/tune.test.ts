// tune() against a real SQLite tracking store: the parent/child structure seen through the tracking
// API, failed and pruned trials, seeded determinism, workers sharing a SQLite study, stale trials.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient } from '../../client/cairn-client.js';
import type { Run } from '../../tracking/entities.js';
import { MedianPruner } from '../../learn/index.js';
import { openStudyStorage, studyDatabaseUri } from './open-study-storage.js';
import { searchProgress } from './search-progress.js';
import type { SearchSpace } from './search-space.js';
import { openSqlStudyStorage } from './sql-study-storage.js';
import { type Objective, tune, type TuneOptions } from './tune.js';

const SPACE: SearchSpace = {
  x: { kind: 'float', low: -5, high: 5 },
  k: { kind: 'int', low: 1, high: 8 },
  mode: { kind: 'categorical', choices: ['a', 'b', null] },
};

/** Maximised at x = 1, k = 3, mode 'b'. */
const quadratic: Objective = (p) => {
  const x = p.x as number;
  const k = p.k as number;
  const score = -((x - 1) ** 2) - 0.1 * (k - 3) ** 2 + (p.mode === 'b' ? 0.5 : 0);
  return { metrics: { score, x_abs: Math.abs(x) }, primary: score };
};

let dir: string;
let uri: string;
let client: CairnClient;
let experimentId: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cairn-tune-'));
  uri = `sqlite:///${path.join(dir, 'cairn.db')}`;
  client = await CairnClient.open(uri);
  experimentId = await client.createExperiment('tuning');
});

afterAll(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

const base = (over: Partial<TuneOptions> = {}): TuneOptions => ({
  client,
  experimentId,
  objective: quadratic,
  space: SPACE,
  sampler: 'tpe',
  maxEvals: 8,
  direction: 'maximize',
  metric: 'score',
  seed: 3,
  tpe: { nStartupTrials: 4 },
  ...over,
});

function tagOf(run: Run, key: string): string | undefined {
  return run.data.tags.find((t) => t.key === key)?.value;
}

async function children(parentRunId: string): Promise<Run[]> {
  return client.searchAllRuns([experimentId], { filter: `tags.mlflow.parentRunId = '${parentRunId}'` });
}

describe('tune', () => {
  it('logs a parent run with one nested run per trial and tags the best on both', async () => {
    const progress: [number, number, number | undefined][] = [];
    const result = await tune(
      base({
        parentRunName: 'tpe-structure',
        onProgress: (p) => progress.push([p.finished, p.maxEvals, p.best?.value]),
      }),
    );
    expect(progress.map((p) => p[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(progress.every((p) => p[1] === 8)).toBe(true);
    expect(progress.at(-1)![2]).toBe(result.best!.value);
    const curve = searchProgress(result.trials, 'maximize');
    expect(curve.map((p) => p.number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(curve.at(-1)!.bestSoFar).toBe(result.best!.value);
    for (let i = 1; i < curve.length; i++) expect(curve[i].bestSoFar).toBeGreaterThanOrEqual(curve[i - 1].bestSoFar);
    expect(result.complete).toBe(true);
    expect(result.trials.map((t) => t.number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const kids = await children(result.parentRunId);
    expect(kids).toHaveLength(8);
    for (const kid of kids) {
      expect(kid.info.status).toBe('FINISHED');
      expect(tagOf(kid, 'cairn.tuning.state')).toBe('COMPLETE');
      const trial = result.trials.find((t) => t.runId === kid.info.runId)!;
      expect(kid.data.params.find((p) => p.key === 'x')?.value).toBe(String(trial.params.x));
      expect(kid.data.params.find((p) => p.key === 'mode')?.value).toBe(
        trial.params.mode === null ? 'None' : trial.params.mode,
      );
      expect(kid.data.metrics.find((m) => m.key === 'score')?.value).toBe(trial.value);
    }
    const parent = await client.getRun(result.parentRunId);
    expect(parent.info.status).toBe('FINISHED');
    const best = result.best!;
    expect(best.value).toBe(Math.max(...result.trials.map((t) => t.value)));
    expect(tagOf(parent, 'best_trial_run_id')).toBe(best.runId);
    expect(tagOf(parent, 'best_trial_number')).toBe(String(best.number));
    expect(parent.data.metrics.find((m) => m.key === 'best_score')?.value).toBe(best.value);
    expect(parent.data.params.find((p) => p.key === 'best_k')?.value).toBe(String(best.params.k));
    expect(parent.data.params.find((p) => p.key === 'tuning_sampler')?.value).toBe('tpe');
    const tagged = kids.filter((k) => tagOf(k, 'cairn.tuning.best') === 'true');
    expect(tagged.map((k) => k.info.runId)).toEqual([best.runId]);
    // the search history on the parent: one point per trial, at its number
    const history = await client.getMetricHistory(result.parentRunId, 'trial_score');
    expect(history.map((m) => Number(m.step)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('records a failing trial as FAILED with its error and goes on with the search', async () => {
    const result = await tune(
      base({
        parentRunName: 'with-failure',
        objective: (p, ctx) => {
          if (ctx.number === 2) throw new RangeError('k=0 is not a valid neighbour count');
          return quadratic(p, ctx);
        },
      }),
    );
    expect(result.trials).toHaveLength(8);
    const failed = result.trials.filter((t) => t.state === 'FAILED');
    expect(failed.map((t) => t.number)).toEqual([2]);
    const run = await client.getRun(failed[0].runId!);
    expect(run.info.status).toBe('FAILED');
    expect(tagOf(run, 'cairn.tuning.error')).toBe('RangeError: k=0 is not a valid neighbour count');
    expect(result.trials.filter((t) => t.state === 'COMPLETE')).toHaveLength(7);
    expect(result.best!.number).not.toBe(2);
    expect((await client.getRun(result.parentRunId)).info.status).toBe('FINISHED');
  });

  it('marks pruned trials with a tag and the KILLED status, and logs what they reported', async () => {
    const result = await tune(
      base({
        parentRunName: 'with-pruning',
        sampler: 'random',
        maxEvals: 10,
        pruner: new MedianPruner({ nStartupTrials: 2 }),
        objective: async (p, ctx) => {
          const { primary, metrics } = await quadratic(p, ctx);
          for (let step = 0; step < 3; step++) {
            ctx.report(primary, step);
            ctx.pruneIfNeeded();
          }
          return { primary, metrics };
        },
      }),
    );
    const pruned = result.trials.filter((t) => t.state === 'PRUNED');
    expect(pruned.length).toBeGreaterThan(0);
    for (const t of pruned) {
      const run = await client.getRun(t.runId!);
      expect(run.info.status).toBe('KILLED');
      expect(tagOf(run, 'cairn.tuning.state')).toBe('PRUNED');
      expect(tagOf(run, 'cairn.tuning.pruned_step')).toBe('0');
      const reported = await client.getMetricHistory(t.runId!, 'intermediate_score');
      expect(reported.map((m) => m.value)).toEqual([t.value]);
      // pruned because it was worse than the median of the trials completed before it
      const earlier = result.trials.filter((c) => c.state === 'COMPLETE' && c.number < t.number).map((c) => c.value);
      expect(earlier.length).toBeGreaterThanOrEqual(2);
      expect(t.value).toBeLessThan(Math.max(...earlier));
    }
    expect(result.best!.state).toBe('COMPLETE');
  });

  it('gives the same trials for the same seed with one worker, and others for another seed', async () => {
    const a = await tune(base({ parentRunName: 'seed-a', maxEvals: 10, seed: 11 }));
    const b = await tune(base({ parentRunName: 'seed-b', maxEvals: 10, seed: 11 }));
    const c = await tune(base({ parentRunName: 'seed-c', maxEvals: 10, seed: 12 }));
    const params = (r: typeof a) => r.trials.map((t) => t.params);
    expect(params(b)).toEqual(params(a));
    expect(b.trials.map((t) => t.value)).toEqual(a.trials.map((t) => t.value));
    expect(params(c)).not.toEqual(params(a));
    // after the 4 startup trials TPE saw every earlier trial
    expect(a.asked.map((q) => q.observedTrials)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('walks a seeded shuffle of the grid and stops when the grid is done', async () => {
    const space: SearchSpace = {
      C: { kind: 'float', low: 0.01, high: 10, log: true, grid: [0.01, 0.1, 1, 10] },
      classWeight: { kind: 'categorical', choices: [null, 'balanced'] },
    };
    const result = await tune(
      base({
        parentRunName: 'grid',
        sampler: 'grid',
        space,
        maxEvals: 50,
        objective: (p) => ({ metrics: {}, primary: -Math.abs(Math.log10(p.C as number)) }),
      }),
    );
    expect(result.trials).toHaveLength(8);
    const points = result.trials.map((t) => `${t.params.C}/${t.params.classWeight}`);
    expect(new Set(points).size).toBe(8);
    expect(points).not.toEqual([...points].sort()); // shuffled, not ParameterGrid order
    expect(result.best!.params.C).toBe(1);
    expect((await children(result.parentRunId)).length).toBe(8);
  });

  it('runs two workers at a time on a SQLite study, each trial number once', async () => {
    const storage = await openSqlStudyStorage(uri);
    let active = 0;
    let peak = 0;
    try {
      const result = await tune(
        base({
          study: { name: 'sqlite-workers', storage },
          workers: 2,
          maxEvals: 9,
          objective: async (p, ctx) => {
            active++;
            peak = Math.max(peak, active);
            await new Promise((r) => setTimeout(r, 15));
            active--;
            return quadratic(p, ctx);
          },
        }),
      );
      expect(peak).toBe(2);
      expect(result.trials.map((t) => t.number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      expect(result.trials.every((t) => t.state === 'COMPLETE')).toBe(true);
      expect(new Set(result.trials.map((t) => JSON.stringify(t.params))).size).toBe(9);
      expect(await children(result.parentRunId)).toHaveLength(9);
      // a second call on the spent study runs nothing and keeps the same parent
      const again = await tune(base({ study: { name: 'sqlite-workers', storage }, maxEvals: 9 }));
      expect(again.parentRunId).toBe(result.parentRunId);
      expect(again.asked).toEqual([]);
      // raising the budget resumes the study under the same parent, seeing all 9 earlier trials
      const more = await tune(base({ study: { name: 'sqlite-workers', storage }, maxEvals: 11 }));
      expect(more.asked.map((q) => q.number)).toEqual([9, 10]);
      expect(more.asked[0].observedTrials).toBe(9);
      expect(await children(result.parentRunId)).toHaveLength(11);
      expect((await client.getRun(result.parentRunId)).info.status).toBe('FINISHED');
      // a process asking for other settings is refused, naming the field
      await expect(
        tune(base({ study: { name: 'sqlite-workers', storage }, maxEvals: 11, direction: 'minimize' })),
      ).rejects.toThrow(/created with direction 'maximize', this process asks for 'minimize'/);
    } finally {
      await storage.close();
    }
  });

  it("marks a dead process's RUNNING trial STALE and runs the budget without it", async () => {
    const storage = await openSqlStudyStorage(uri);
    try {
      const study = await storage.openStudy({
        name: 'stale',
        direction: 'maximize',
        sampler: 'random',
        seed: 3,
        metric: 'score',
        space: (await import('./search-space.js')).spaceSignature(SPACE),
        experimentId,
      });
      // a process that claimed trial 0 and died before sending another heartbeat
      const dead = await storage.claimTrial(study.id, 4, 'gone:1', 0);
      expect(dead?.number).toBe(0);
      const deadRun = await client.createRun(experimentId, { runName: 'trial-0' });
      await storage.startTrial(study.id, 0, { x: 0, k: 1, mode: 'a' }, deadRun.info.runId);
      await new Promise((r) => setTimeout(r, 30));
      const result = await tune(
        base({ study: { name: 'stale', storage }, sampler: 'random', maxEvals: 4, staleAfterMs: 20 }),
      );
      expect(result.trials.map((t) => [t.number, t.state])).toEqual([
        [0, 'STALE'],
        [1, 'COMPLETE'],
        [2, 'COMPLETE'],
        [3, 'COMPLETE'],
        [4, 'COMPLETE'],
      ]);
      expect(result.trials[0].error).toMatch(/no heartbeat/);
      const reaped = await client.getRun(deadRun.info.runId);
      expect(reaped.info.status).toBe('FAILED');
      expect(tagOf(reaped, 'cairn.tuning.state')).toBe('STALE');
      expect(tagOf(reaped, 'cairn.tuning.error')).toMatch(/no heartbeat/);
      expect(result.complete).toBe(true);
    } finally {
      await storage.close();
    }
  });

  it('refuses bad options with the field named, and a shared study over a server without a database URI', async () => {
    await expect(tune(base({ maxEvals: 0 }))).rejects.toThrow(/maxEvals must be an integer >= 1/);
    await expect(tune(base({ workers: 1.5 }))).rejects.toThrow(/workers must be an integer >= 1/);
    await expect(tune(base({ sampler: 'anneal' as never }))).rejects.toThrow(
      /sampler must be one of tpe, random, grid/,
    );
    await expect(tune(base({ space: { C: { kind: 'float', low: 0, high: 1, log: true } } }))).rejects.toThrow(
      /parameter "C": a log-scaled range needs low > 0/,
    );
    expect(() => studyDatabaseUri('http://127.0.0.1:5000')).toThrow(/needs a database .* --study-uri postgresql:/);
    expect(() => studyDatabaseUri('http://127.0.0.1:5000', 'http://elsewhere')).toThrow(
      /--study-uri must be a database URI/,
    );
    expect(studyDatabaseUri('http://127.0.0.1:5000', 'sqlite:///s.db')).toBe('sqlite:///s.db');
    expect(studyDatabaseUri(uri)).toBe(uri);
    await expect(openStudyStorage('http://127.0.0.1:5000')).rejects.toThrow(/--study-uri/);
  });
});
