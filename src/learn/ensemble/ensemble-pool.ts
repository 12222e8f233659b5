// The ensembles' worker pool (core/worker-pool.ts), one per process: the task kinds its workers run
// (ensemble-worker.ts) and the row-range split batch predictions use.
import { allocArray } from '../core/shared-arrays.js';
import { MAX_POOL_WORKERS, WorkerPool, WorkerStartError } from '../core/worker-pool.js';
import type { BoostPredictJob } from './boost-predict.js';
import type { PredictJob } from './forest-predict.js';
import type { BuiltTrees, ForestJob } from './forest-trees.js';
import type { HistHelperSession } from './hist-helper-loop.js';

export interface EnsembleTasks {
  /** Builds forest trees, claiming them from the job's shared counter. */
  'forest-build': { input: ForestJob; output: BuiltTrees };
  /** Forest class fractions of a row range, into the job's shared output. */
  'forest-predict': { input: PredictJob; output: null };
  /** Gradient-boosting probabilities of a row range, into the job's shared output. */
  'boost-predict': { input: BoostPredictJob; output: null };
  /** Takes a share of a boosting fit's steps until told to stop; answers the number of tasks it ran. */
  'hist-helper': { input: HistHelperSession; output: number };
}

/** Threads the ensembles may use at most; callers split work into at most this many jobs. */
export const MAX_WORKERS = MAX_POOL_WORKERS;

export const ensemblePool = new WorkerPool<EnsembleTasks>(import.meta.url, 'ensemble-worker', {
  label: 'ensemble worker',
});

/**
 * Splits rows [0, nRows) into nJobs even ranges, runs `job(sharedOut, rowStart, rowEnd)` for each
 * on a worker, and copies what they wrote into `out` (same layout as sharedOut). False, with `out`
 * untouched, when workers cannot start: the caller then predicts in-thread.
 */
export function runRowJobs<K extends 'forest-predict' | 'boost-predict'>(
  kind: K,
  out: Float64Array,
  nRows: number,
  nJobs: number,
  job: (sharedOut: Float64Array, rowStart: number, rowEnd: number) => EnsembleTasks[K]['input'],
): boolean {
  const os = allocArray(Float64Array, out.length, true);
  const jobs = Array.from({ length: nJobs }, (_, w) =>
    job(os, Math.floor((w * nRows) / nJobs), Math.floor(((w + 1) * nRows) / nJobs)),
  );
  try {
    ensemblePool.runSync(kind, jobs);
  } catch (e) {
    if (e instanceof WorkerStartError) return false;
    throw e;
  }
  out.set(os);
  return true;
}
