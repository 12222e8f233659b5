// A lazily started pool of worker threads for forest fitting and large batch predictions. fit() stays synchronous: jobs are
// posted on per-worker MessagePorts, the caller blocks on a shared counter (Atomics.wait), and
// answers are read with receiveMessageOnPort. Workers are unref'd so they never keep a process
// alive. The worker module is loaded from compiled JS, or from TS source through tsx's loader
// when this file itself runs as .ts (Vitest, tsx).
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { allocArray } from '../core/shared-arrays.js';
import type { BoostPredictJob } from './boost-predict.js';
import type { PredictJob } from './forest-predict.js';
import type { BuiltTrees, ForestJob } from './forest-trees.js';
import { startModuleWorker } from './module-worker.js';

/** Threads the pool starts at most; callers split work into at most this many jobs. */
export const MAX_WORKERS = 64;
const READY_TIMEOUT_MS = 20_000;

/** Workers could not be started (no worker support, module not found, timeout): build in-thread instead. */
export class ForestWorkerStartError extends Error {}

interface PoolWorker {
  worker: Worker;
  port: MessagePort;
}

let signal: Int32Array | undefined;
let unavailable: string | undefined;
const workers: PoolWorker[] = [];

function startWorker(index: number, sig: Int32Array): PoolWorker {
  const { port1, port2 } = new MessageChannel();
  const workerData = { port: port2, signal: sig, index };
  const worker = startModuleWorker(import.meta.url, 'forest-worker', { workerData, transferList: [port2] });
  worker.unref();
  // a worker that dies (e.g. its module cannot load) must not crash the process with an unhandled
  // 'error' event; later fits then build in-thread (the current one falls back after its timeout)
  worker.on('error', (e) => {
    unavailable = `forest worker ${index} failed: ${e instanceof Error ? e.message : String(e)}`;
  });
  return { worker, port: port1 };
}

function ensureWorkers(count: number): Int32Array {
  if (!signal) signal = allocArray(Int32Array, 1 + MAX_WORKERS, true);
  try {
    while (workers.length < Math.min(count, MAX_WORKERS)) workers.push(startWorker(workers.length, signal));
  } catch (e) {
    throw new ForestWorkerStartError(
      `cannot start forest worker threads: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return signal;
}

function waitReady(sig: Int32Array, count: number): void {
  for (let w = 0; w < count; w++) {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Atomics.load(sig, 1 + w) === 0) {
      if (Date.now() > deadline)
        throw new ForestWorkerStartError(`forest worker ${w} did not start within ${READY_TIMEOUT_MS} ms`);
      Atomics.wait(sig, 1 + w, 0, 50);
    }
  }
}

/**
 * Starts `count` workers if they are not running, without waiting for them: true once all of them
 * are ready. For optional parallelism (boosted-tree prediction) that should never block on startup.
 */
export function forestWorkersReady(count: number): boolean {
  if (unavailable) return false;
  try {
    const sig = ensureWorkers(count);
    for (let w = 0; w < count; w++) if (Atomics.load(sig, 1 + w) === 0) return false;
    return true;
  } catch (e) {
    if (e instanceof ForestWorkerStartError) unavailable = e.message;
    return false;
  }
}

/**
 * Splits rows [0, nRows) into nJobs even ranges, runs `job(sharedOut, rowStart, rowEnd)` for each
 * on a worker, and copies what they wrote into `out` (same layout as sharedOut). False, with `out`
 * untouched, when workers cannot start: the caller then predicts in-thread.
 */
export function runRowJobs(
  out: Float64Array,
  nRows: number,
  nJobs: number,
  job: (sharedOut: Float64Array, rowStart: number, rowEnd: number) => PredictJob | BoostPredictJob,
): boolean {
  const os = allocArray(Float64Array, out.length, true);
  const jobs = Array.from({ length: nJobs }, (_, w) =>
    job(os, Math.floor((w * nRows) / nJobs), Math.floor(((w + 1) * nRows) / nJobs)),
  );
  try {
    runForestJobs(jobs);
  } catch (e) {
    if (e instanceof ForestWorkerStartError) return false;
    throw e;
  }
  out.set(os);
  return true;
}

/** Runs one job per worker and returns what each built (nothing for predict jobs), in job order; blocks the calling thread. */
export function runForestJobs(jobs: (ForestJob | PredictJob | BoostPredictJob)[]): BuiltTrees[] {
  if (unavailable) throw new ForestWorkerStartError(unavailable);
  let sig: Int32Array;
  try {
    sig = ensureWorkers(jobs.length);
    waitReady(sig, jobs.length);
  } catch (e) {
    if (e instanceof ForestWorkerStartError) unavailable = e.message;
    throw e;
  }
  Atomics.store(sig, 0, 0);
  jobs.forEach((job, w) => workers[w].port.postMessage(job));
  for (;;) {
    const done = Atomics.load(sig, 0);
    if (done >= jobs.length) break;
    Atomics.wait(sig, 0, done, 1000);
  }
  // read every answer before reporting an error, so no stale answer is left on a port
  const answers = jobs.map((_, w) => {
    let msg = receiveMessageOnPort(workers[w].port);
    for (let tries = 0; !msg && tries < 1000; tries++) {
      Atomics.wait(sig, 0, jobs.length, 1);
      msg = receiveMessageOnPort(workers[w].port);
    }
    return msg
      ? (msg.message as BuiltTrees & { error?: string })
      : { indices: [], trees: [], error: 'finished without an answer' };
  });
  return answers.map((m, w) => {
    if (m.error) throw new Error(`forest worker ${w} failed: ${m.error}`);
    return m;
  });
}
