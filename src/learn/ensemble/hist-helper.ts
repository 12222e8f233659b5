// A helper thread for histogram boosting, taken from the ensemble pool (ensemble-pool.ts) for the
// length of one fit (a 'hist-helper' session: hist-helper-loop.ts). fit() stays synchronous: a job
// (a list of partition, histogram or gradient tasks, hist-kernels.ts) is published in a shared
// control block, and the fitting thread and the helper both claim tasks from it with
// compare-and-swap until none is left; the fitting thread then waits only for the helper's task in
// flight. A helper that is slow to wake simply gets fewer tasks; on a busy machine, where it would
// be preempted holding one, jobs measure cheaper in-thread and stay there (preferHelper). Until it
// has started, or when no worker can be had, every task runs in-thread. Results never depend on
// which thread ran a task, so fits are bit-identical either way.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { allocArray } from '../core/shared-arrays.js';
import { WorkerStartError, type PoolTask } from '../core/worker-pool.js';
import { ensemblePool } from './ensemble-pool.js';
import { runTask, TASK_INTS, type HistKernelData } from './hist-kernels.js';

/**
 * Control block (Int32Array over a SharedArrayBuffer). CLAIM packs the job's sequence number
 * (high 15 bits) with the next unclaimed task (low 16 bits), so a stale claim for an older job fails.
 */
export const CTRL = {
  SEQ: 0,
  CLAIM: 1,
  FINISHED: 2,
  KIND: 3,
  COUNT: 4,
  ERROR: 5,
  READY: 6,
  DATA_ID: 7,
  HELPER_TASKS: 8,
  /** Set by the fitting thread when the fit is over: the helper's session ends. */
  STOP: 9,
  /** Always 0: the helper sleeps on it for a moment while kernel data is on its way. */
  IDLE: 10,
  SIZE: 11,
} as const;
/** A task record's last int: 1 once the task is done (by either thread). */
export const TASK_DONE = TASK_INTS - 1;

const JOB_TIMEOUT_MS = 60_000;
const MAX_TASKS = 0xffff;
/**
 * Whether the helper pays off depends on the machine: on a busy one it gets preempted holding a
 * task and the fitting thread waits for it. So each job kind keeps a smoothed cost per row for
 * both ways of running (this thread alone / with the helper); jobs use the cheaper way, and every
 * EXPLORE_EVERY-th job the other one, to keep both estimates current. Results are the same either way.
 */
const EXPLORE_EVERY = 16;
const COST_SMOOTHING = 0.1;
const rowCost = new Float64Array(2 * 8); // [kind * 2 + (helper ? 1 : 0)], 0 = not measured yet
let jobCount = 0;

function preferHelper(kind: number): boolean {
  const alone = rowCost[2 * kind],
    helped = rowCost[2 * kind + 1];
  if (alone === 0 || helped === 0) return alone !== 0;
  const better = helped < alone;
  return ++jobCount % EXPLORE_EVERY === 0 ? !better : better;
}

function recordCost(kind: number, helped: boolean, ms: number, rows: number): void {
  if (rows <= 0) return;
  const i = 2 * kind + (helped ? 1 : 0),
    c = ms / rows;
  rowCost[i] = rowCost[i] === 0 ? c : rowCost[i] + COST_SMOOTHING * (c - rowCost[i]);
}

/** Rows covered by tasks [0, count) (every task record starts with its row range). */
function taskRows(tasks: Int32Array, count: number): number {
  let rows = 0;
  for (let i = 0; i < count; i++) rows += tasks[i * TASK_INTS + 1] - tasks[i * TASK_INTS];
  return rows;
}

interface Helper {
  session: PoolTask<number>;
  port: MessagePort;
  ctrl: Int32Array;
  seq: number;
  /** Kernel data last posted to the helper, its version then, and the id the helper knows it by. */
  posted: HistKernelData | undefined;
  postedVersion: number;
  dataId: number;
}

let helper: Helper | undefined;
let nextDataId = 1;
/** Tasks helpers ran in sessions that have ended. */
let endedSessionTasks = 0;

/**
 * Starts a helper session for a fit (ended by endHistHelper); returns at once, and the helper is used
 * once ready. A session a failed fit left open is ended first.
 */
export function startHistHelper(): void {
  if (helper) endHistHelper();
  const ctrl = allocArray(Int32Array, CTRL.SIZE, true);
  const { port1, port2 } = new MessageChannel();
  let session: PoolTask<number>;
  try {
    session = ensemblePool.postExclusive('hist-helper', { ctrl, port: port2 }, [port2]);
  } catch (e) {
    port1.close();
    if (e instanceof WorkerStartError) return; // no worker to be had: this fit runs in-thread
    throw e;
  }
  port1.unref();
  helper = { session, port: port1, ctrl, seq: 0, posted: undefined, postedVersion: -1, dataId: 0 };
}

/** Ends the fit's helper session: the helper drops the fit's buffers and its worker returns to the pool. */
export function endHistHelper(): void {
  const h = helper;
  helper = undefined;
  if (!h) return;
  endedSessionTasks += Atomics.load(h.ctrl, CTRL.HELPER_TASKS);
  Atomics.store(h.ctrl, CTRL.STOP, 1);
  Atomics.notify(h.ctrl, CTRL.SEQ);
  h.port.close();
}

/** Whether a fit's helper session is open (a worker held out of the pool for it). */
export function histHelperSessionOpen(): boolean {
  return helper !== undefined;
}

/** How many tasks helper threads have run so far. */
export function histHelperTaskCount(): number {
  return endedSessionTasks + (helper ? Atomics.load(helper.ctrl, CTRL.HELPER_TASKS) : 0);
}

/** Whether the current fit's helper is running and ready to take tasks. */
export function histHelperReady(): boolean {
  return readyHelper() !== undefined;
}

function readyHelper(): Helper | undefined {
  const h = helper;
  return h && Atomics.load(h.ctrl, CTRL.READY) === 1 && Atomics.load(h.ctrl, CTRL.ERROR) === 0 ? h : undefined;
}

/** Claims the next task of job `seq`; -1 when none is left or the job is over. */
export function claimTask(c: Int32Array, seq: number, count: number): number {
  for (;;) {
    const w = Atomics.load(c, CTRL.CLAIM);
    const i = w & 0xffff;
    if (w >>> 16 !== seq || i >= count) return -1;
    if (Atomics.compareExchange(c, CTRL.CLAIM, w, w + 1) === w) return i;
  }
}

/**
 * Runs tasks [0, count) of one kind, on this thread and the helper when `shared` and the helper is
 * ready (tasks are claimed in order, so put the largest first). `d` must live on SharedArrayBuffers.
 */
export function runSharedTasks(d: HistKernelData, shared: boolean, kind: number, count: number): void {
  const h = shared && count > 1 && count <= MAX_TASKS ? readyHelper() : undefined;
  const helped = h !== undefined && preferHelper(kind);
  const t0 = h ? performance.now() : 0;
  if (!helped) {
    for (let i = 0; i < count; i++) runTask(d, kind, i);
  } else {
    runWithHelper(h, d, kind, count);
  }
  if (h) recordCost(kind, helped, performance.now() - t0, taskRows(d.tasks, count));
}

function runWithHelper(h: Helper, d: HistKernelData, kind: number, count: number): void {
  const c = h.ctrl,
    tasks = d.tasks;
  if (h.posted !== d || h.postedVersion !== d.version) {
    h.dataId = nextDataId++;
    h.port.postMessage({ id: h.dataId, data: d });
    h.posted = d;
    h.postedVersion = d.version;
  }
  // publish: close claims first, so a helper that reads this job's fields can never claim an older job's tasks
  Atomics.store(c, CTRL.CLAIM, 0);
  for (let i = 0; i < count; i++) tasks[i * TASK_INTS + TASK_DONE] = 0;
  Atomics.store(c, CTRL.KIND, kind);
  Atomics.store(c, CTRL.COUNT, count);
  Atomics.store(c, CTRL.DATA_ID, h.dataId);
  Atomics.store(c, CTRL.FINISHED, 0);
  const seq = (h.seq = (h.seq % 0x7fff) + 1);
  Atomics.store(c, CTRL.CLAIM, seq << 16);
  Atomics.store(c, CTRL.SEQ, seq);
  Atomics.notify(c, CTRL.SEQ);
  for (let i = claimTask(c, seq, count); i >= 0; i = claimTask(c, seq, count)) {
    runTask(d, kind, i);
    tasks[i * TASK_INTS + TASK_DONE] = 1;
    Atomics.add(c, CTRL.FINISHED, 1);
  }
  if (!awaitFinished(c, count)) {
    for (let i = 0; i < count; i++) if (tasks[i * TASK_INTS + TASK_DONE] === 0) runTask(d, kind, i);
  }
}

/** Waits for the helper's tasks in flight; false when it failed or stalled (the session is then ended). */
function awaitFinished(c: Int32Array, count: number): boolean {
  for (let spin = 0; spin < 5000 && Atomics.load(c, CTRL.FINISHED) < count; spin++);
  const deadline = Date.now() + JOB_TIMEOUT_MS;
  for (let done = Atomics.load(c, CTRL.FINISHED); done < count; done = Atomics.load(c, CTRL.FINISHED)) {
    // a failed or stalled helper is let go; this thread runs what is left, now and for the rest of the fit
    if (Atomics.load(c, CTRL.ERROR) !== 0 || Date.now() > deadline) {
      endHistHelper();
      return false;
    }
    Atomics.wait(c, CTRL.FINISHED, done, 20);
  }
  return true;
}
