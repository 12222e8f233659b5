// The ensembles' one worker pool: results do not depend on how many workers it has, a task that
// throws in a worker fails its caller (promise or blocking call) and the pool carries on, and a
// closed pool starts again when next used.
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../core/matrix.js';
import { Rng } from '../core/random.js';
import { allocArray, sharedCopy } from '../core/shared-arrays.js';
import { WorkerTaskError } from '../core/worker-pool.js';
import { ensemblePool, MAX_WORKERS } from './ensemble-pool.js';
import { predictForestRows, type PredictJob } from './forest-predict.js';
import { GradientBoostingClassifier } from './gradient-boosting.js';
import { histHelperSessionOpen, histHelperTaskCount } from './hist-helper.js';
import { RandomForestClassifier } from './random-forest.js';

function synthetic(seed: number, n: number) {
  const rng = new Rng(seed);
  const X = matrix(n, 5);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 5; j++) X.data[i * 5 + j] = rng.random() < 0.05 ? NaN : j < 3 ? rng.normal() : rng.int(4);
    const s = (X.data[i * 5] || 0) + 0.7 * (X.data[i * 5 + 1] || 0) + 0.4 * rng.normal();
    y[i] = s > 0.3 ? 1 : 0;
  }
  return { X, y };
}

async function poolReady(count: number): Promise<void> {
  for (let t = 0; t < 600 && !ensemblePool.ready(count); t++) await new Promise((r) => setTimeout(r, 50));
  expect(ensemblePool.ready(count)).toBe(true);
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

afterEach(() => {
  ensemblePool.maxWorkers = MAX_WORKERS;
});

describe('ensemble worker pool', () => {
  it('forest and boosting give identical models and predictions with 1 worker and with 2', async () => {
    const train = synthetic(1, 1500);
    const big = synthetic(2, 200_001).X; // x 20 trees: above the forest's threshold for worker prediction
    const gbmTrain = synthetic(3, 24_000); // above the size at which boosting takes a helper thread
    const outcome = async (workers: number) => {
      ensemblePool.maxWorkers = workers;
      await poolReady(workers);
      const helperTasks0 = histHelperTaskCount();
      // nJobs 2 on a 1-worker pool queues the second job behind the first: the same trees either way
      const forest = new RandomForestClassifier({ nEstimators: 20, seed: 4, nJobs: 2 }).fit(train.X, train.y);
      const gbm = new GradientBoostingClassifier({ nEstimators: 4, maxDepth: 5, subsample: 0.9, seed: 5 }).fit(
        gbmTrain.X,
        gbmTrain.y,
      );
      return {
        forest: JSON.stringify(forest.toJSON()),
        forestProba: forest.predictProba(big).data,
        gbm: JSON.stringify(gbm.toJSON()),
        gbmProba: gbm.predictProba(gbmTrain.X).data,
        helperTasks: histHelperTaskCount() - helperTasks0,
      };
    };
    const one = await outcome(1);
    const two = await outcome(2);
    expect(two.forest).toBe(one.forest);
    expect(sameBits(two.forestProba, one.forestProba)).toBe(true);
    expect(two.gbm).toBe(one.gbm);
    expect(sameBits(two.gbmProba, one.gbmProba)).toBe(true);
    // the helper really took part in both fits, so the comparison is between threaded fits
    expect(one.helperTasks).toBeGreaterThan(0);
    expect(two.helperTasks).toBeGreaterThan(0);
    const inThread = new RandomForestClassifier({ nEstimators: 20, seed: 4, nJobs: 1 }).fit(train.X, train.y);
    expect(JSON.stringify({ ...inThread.toJSON(), params: { nEstimators: 20, seed: 4, nJobs: 2 } })).toBe(one.forest);
  }, 240_000);

  it('a boosting fit that throws hands its helper worker back to the pool', () => {
    const big = synthetic(6, 24_000); // large enough for the fit to take a helper thread
    const badEval = { X: matrix(3, 4), y: new Float64Array(3) }; // 4 columns where X has 5: refused mid-fit
    const gbm = new GradientBoostingClassifier({ nEstimators: 2, seed: 1 });
    expect(() => gbm.fit(big.X, big.y, { evalSet: badEval })).toThrow(/evalSet.X has 4 columns/);
    expect(histHelperSessionOpen()).toBe(false);
  });

  it('a task that throws in a worker rejects the caller; the pool stays usable', async () => {
    const { X, y } = synthetic(6, 400);
    const m = new RandomForestClassifier({ nEstimators: 5, seed: 6, nJobs: 1 }).fit(X, y);
    const job = (): PredictJob => ({
      forest: m.forest_!,
      X: sharedCopy(X.data),
      nCols: 5,
      out: allocArray(Float64Array, X.nRows * 2, true),
      rowStart: 0,
      rowEnd: X.nRows,
    });
    const broken = { ...job(), forest: undefined } as unknown as PredictJob;

    const rejection = await ensemblePool.run('forest-predict', [job(), broken]).catch((e: unknown) => e);
    expect(rejection).toBeInstanceOf(WorkerTaskError);
    expect((rejection as WorkerTaskError).kind).toBe('forest-predict');
    expect((rejection as Error).message).toMatch(/forest-predict task failed in a worker thread: .*undefined/);
    expect(() => ensemblePool.runSync('forest-predict', [broken])).toThrow(WorkerTaskError);

    // the same workers go on: a good task right after, and a threaded fit equal to the in-thread one
    const good = job();
    await ensemblePool.run('forest-predict', [good]);
    const expected = new Float64Array(X.nRows * 2);
    predictForestRows(m.forest_!, X.data, 5, expected, 0, X.nRows);
    expect(sameBits(good.out, expected)).toBe(true);
    const threaded = new RandomForestClassifier({ nEstimators: 6, seed: 7, nJobs: 2 }).fit(X, y);
    const single = new RandomForestClassifier({ nEstimators: 6, seed: 7, nJobs: 1 }).fit(X, y);
    expect(JSON.stringify(threaded.toJSON().state)).toBe(JSON.stringify(single.toJSON().state));
  }, 120_000);

  it('close() ends the workers without leaving a caller hanging; the pool starts afresh when next used', async () => {
    const { X, y } = synthetic(8, 300);
    const m = new RandomForestClassifier({ nEstimators: 3, seed: 8, nJobs: 1 }).fit(X, y);
    const job = (): PredictJob => ({
      forest: m.forest_!,
      X: sharedCopy(X.data),
      nCols: 5,
      out: allocArray(Float64Array, X.nRows * 2, true),
      rowStart: 0,
      rowEnd: X.nRows,
    });
    await poolReady(1);
    const inFlight = ensemblePool.run('forest-predict', [job()]);
    await ensemblePool.close();
    // either it finished before close() or it failed with the pool: it never hangs
    await inFlight.catch((e: unknown) => expect(e).toBeInstanceOf(WorkerTaskError));
    expect(ensemblePool.ready(1)).toBe(false); // nothing running right after close
    const again = job();
    await ensemblePool.run('forest-predict', [again]);
    const expected = new Float64Array(X.nRows * 2);
    predictForestRows(m.forest_!, X.data, 5, expected, 0, X.nRows);
    expect(sameBits(again.out, expected)).toBe(true);
  }, 120_000);
});
