// A lazily started, size-bounded pool of worker threads that run typed tasks: each task kind maps an
// input (typed arrays on SharedArrayBuffers are shared, not copied: shared-arrays.ts) to an output.
// Estimators' fit() is synchronous, so a caller may block on its tasks (runSync: Atomics.wait on a
// per-worker completion counter, answers read with receiveMessageOnPort); async callers await them
// (run). A task that throws in its worker fails its caller, with the worker's message, and the pool
// goes on. Workers are unref'd (they never keep a process alive) and close() ends them all. Results
// must not depend on which worker ran a task or how many there were: callers split work by a rule of
// their own (per-tree seeds, fixed row ranges), never by the pool's size.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  workerData,
  type MessagePort,
  type TransferListItem,
  type WorkerOptions,
} from 'node:worker_threads';
import { allocArray } from './shared-arrays.js';

/** Task kinds of a pool: what each takes and gives back (an interface of `kind: { input; output }`). */
export type TaskMap<M> = { [K in keyof M]: { input: unknown; output: unknown } };

/** The worker side of each task kind; push buffers to move (not copy) back into `transfer`. */
export type TaskHandlers<M extends TaskMap<M>> = {
  [K in keyof M]: (input: M[K]['input'], transfer: TransferListItem[]) => M[K]['output'];
};

/** Workers could not be started (no worker support, module not found, timeout): run in-thread instead. */
export class WorkerStartError extends Error {}

/** A task threw in its worker (or the worker died running it). */
export class WorkerTaskError extends Error {
  constructor(
    readonly kind: string,
    message: string,
    readonly workerStack?: string,
  ) {
    super(`${kind} task failed in a worker thread: ${message}`);
  }
}

/** Threads any pool may have at most. */
export const MAX_POOL_WORKERS = 64;
const READY_TIMEOUT_MS = 20_000;
/**
 * Each worker's own shared state: [READY] 1 once it serves tasks, -1 once it exited; [DONE] tasks it
 * completed. Its own block, so a worker still ending after close() cannot touch its successor's.
 */
const READY = 0;
const DONE = 1;

interface Answer {
  output?: unknown;
  error?: string;
  stack?: string;
}

interface PoolWorker {
  slot: number;
  state: Int32Array;
  worker: Worker;
  port: MessagePort;
  /** Tasks posted to it whose answers have not been taken yet, oldest first. */
  pending: PoolTask<unknown>[];
  /** Answers taken so far (compared with the completion counter). */
  taken: number;
  /** Set once it exited or failed: its pending tasks fail, and the slot is started afresh when needed. */
  dead?: string;
}

/** One posted task: its answer arrives once the worker has run it. */
export class PoolTask<O> {
  answer: { output: O } | { error: Error } | undefined;
  constructor(
    readonly kind: string,
    /** @internal */ readonly on: PoolWorker,
    readonly exclusive: boolean,
  ) {}
}

/**
 * Starts a worker thread on `<name>` next to the caller's module: the compiled `<name>.js` when the
 * caller runs as JavaScript, or `<name>.ts` through tsx's loader when it runs as TypeScript source
 * (Vitest, tsx), where there is no .js to load.
 */
function startModuleWorker(callerUrl: string, name: string, options: WorkerOptions): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerUrl), options);
  const tsxDir = dirname(createRequire(callerUrl).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL(`./${name}.ts`, callerUrl).href;
  const code = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { ...options, eval: true });
}

export interface WorkerPoolOptions {
  /** Threads at most (default MAX_POOL_WORKERS); 0 runs nothing on workers (callers work in-thread). */
  maxWorkers?: number;
  /** Names the workers in errors. */
  label?: string;
}

export class WorkerPool<M extends TaskMap<M>> {
  private readonly workers: (PoolWorker | undefined)[] = [];
  private bound: number;
  private unavailableReason: string | undefined;
  readonly label: string;

  /** Workers run the module `entry` (beside `callerUrl`), which calls serveTasks with this pool's handlers. */
  constructor(
    private readonly callerUrl: string,
    private readonly entry: string,
    options: WorkerPoolOptions = {},
  ) {
    this.bound = clampWorkers(options.maxWorkers ?? MAX_POOL_WORKERS);
    this.label = options.label ?? 'worker';
    if (typeof SharedArrayBuffer !== 'function') this.unavailableReason = 'SharedArrayBuffer is not available';
  }

  /** Threads this pool uses at most (running workers beyond a lowered bound get no new tasks). */
  get maxWorkers(): number {
    return this.bound;
  }
  set maxWorkers(n: number) {
    this.bound = clampWorkers(n);
  }

  /** Why workers cannot be used in this process, once that is known. */
  get unavailable(): string | undefined {
    return this.unavailableReason;
  }

  /**
   * Starts workers (without waiting for them) so that `count` can take a task at once: true once that
   * many are ready and idle. For optional parallelism that should never block on start-up.
   */
  ready(count: number): boolean {
    if (this.unavailableReason || count > this.bound) return false;
    const idle = this.idleWorkers();
    try {
      while (idle.length < count) {
        const slot = this.freeSlot();
        if (slot < 0) break;
        idle.push(this.startWorker(slot));
      }
    } catch (e) {
      this.unavailableReason = startFailure(this.label, e);
      return false;
    }
    return idle.filter((w) => Atomics.load(w.state, READY) === 1).length >= count;
  }

  /**
   * Posts one task per input, on idle workers first (started as needed), queued behind non-exclusive
   * work when the bound is reached. Throws WorkerStartError when no worker can take them.
   */
  post<K extends keyof M & string>(
    kind: K,
    inputs: M[K]['input'][],
    transfer: (input: M[K]['input']) => TransferListItem[] = () => [],
  ): PoolTask<M[K]['output']>[] {
    const targets = this.targets(inputs.length, false);
    return inputs.map((input, i) => this.postTo(targets[i % targets.length], kind, input, transfer(input), false));
  }

  /** Posts a task that has a worker to itself until it ends (nothing is queued behind it); an idle worker or a new one. */
  postExclusive<K extends keyof M & string>(
    kind: K,
    input: M[K]['input'],
    transfer: TransferListItem[] = [],
  ): PoolTask<M[K]['output']> {
    return this.postTo(this.targets(1, true)[0], kind, input, transfer, true);
  }

  /** Whether `task` has finished (its answer is taken if it has). */
  settled(task: PoolTask<unknown>): boolean {
    this.collect(task.on);
    return task.answer !== undefined;
  }

  /** Blocks this thread until the task has run; its output, or its error thrown. */
  waitSync<O>(task: PoolTask<O>): O {
    const w = task.on,
      state = w.state;
    const startBy = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      this.collect(w);
      if (task.answer) return unwrap(task.answer);
      const ready = Atomics.load(state, READY);
      if (ready === 0 && Date.now() > startBy) {
        const reason = `${this.label} ${w.slot} did not start within ${READY_TIMEOUT_MS} ms`;
        this.unavailableReason = reason;
        this.kill(w, reason);
        throw new WorkerStartError(reason);
      }
      const done = Atomics.load(state, DONE);
      if (done === w.taken) Atomics.wait(state, DONE, done, ready === 1 ? 1000 : 50);
    }
  }

  /** Waits, without blocking the event loop, until the task has run; its output, or its error. */
  async wait<O>(task: PoolTask<O>): Promise<O> {
    const w = task.on,
      state = w.state;
    w.worker.ref(); // an awaited task keeps the process alive, as any pending I/O does
    try {
      for (;;) {
        this.collect(w);
        if (task.answer) return unwrap(task.answer);
        const done = Atomics.load(state, DONE);
        if (done !== w.taken) continue;
        const res = waitAsync(state, DONE, done, 1000);
        if (res.async) await res.value;
      }
    } finally {
      if (!w.dead) w.worker.unref();
    }
  }

  /** Runs one task per input on the workers and returns their outputs in input order; blocks this thread. */
  runSync<K extends keyof M & string>(
    kind: K,
    inputs: M[K]['input'][],
    transfer?: (input: M[K]['input']) => TransferListItem[],
  ): M[K]['output'][] {
    const tasks = this.post(kind, inputs, transfer);
    // wait for every task before reporting a failure, so none is still writing when the caller goes on
    const results = tasks.map((t) => {
      try {
        return { ok: true as const, output: this.waitSync(t) };
      } catch (error) {
        return { ok: false as const, error };
      }
    });
    return results.map((r) => {
      if (!r.ok) throw r.error;
      return r.output;
    });
  }

  /** As runSync, without blocking the event loop. */
  async run<K extends keyof M & string>(
    kind: K,
    inputs: M[K]['input'][],
    transfer?: (input: M[K]['input']) => TransferListItem[],
  ): Promise<M[K]['output'][]> {
    const tasks = this.post(kind, inputs, transfer);
    const settled = await Promise.allSettled(tasks.map((t) => this.wait(t)));
    return settled.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    });
  }

  /** Ends every worker (tasks still pending fail); the pool starts new ones when next used. */
  async close(): Promise<void> {
    const all = this.workers.filter((w): w is PoolWorker => w !== undefined);
    this.workers.length = 0;
    for (const w of all) this.kill(w, `${this.label} pool closed`);
    await Promise.all(all.map((w) => w.worker.terminate().catch(() => undefined)));
  }

  private postTo<K extends keyof M & string>(
    w: PoolWorker,
    kind: K,
    input: M[K]['input'],
    transfer: TransferListItem[],
    exclusive: boolean,
  ): PoolTask<M[K]['output']> {
    const task = new PoolTask<M[K]['output']>(kind, w, exclusive);
    w.pending.push(task);
    w.port.postMessage({ kind, input }, transfer);
    return task;
  }

  /** `count` workers to post to: idle ones, then new ones, then (not for exclusive tasks) busy shareable ones. */
  private targets(count: number, exclusive: boolean): PoolWorker[] {
    if (this.unavailableReason) throw new WorkerStartError(this.unavailableReason);
    const chosen = this.idleWorkers().slice(0, count);
    try {
      while (chosen.length < count) {
        const slot = this.freeSlot();
        if (slot < 0) break;
        chosen.push(this.startWorker(slot));
      }
    } catch (e) {
      this.unavailableReason = startFailure(this.label, e);
      if (chosen.length === 0) throw new WorkerStartError(this.unavailableReason);
    }
    if (chosen.length === 0 && !exclusive) {
      const shareable = this.live().filter((w) => !w.pending.some((t) => t.exclusive));
      shareable.sort((a, b) => a.pending.length - b.pending.length);
      chosen.push(...shareable.slice(0, count));
    }
    if (chosen.length === 0) throw new WorkerStartError(`no ${this.label} is free (at most ${this.bound})`);
    return chosen;
  }

  private live(): PoolWorker[] {
    const out: PoolWorker[] = [];
    for (let s = 0; s < Math.min(this.bound, this.workers.length); s++) {
      const w = this.workers[s];
      if (w && !w.dead) out.push(w);
    }
    return out;
  }

  private idleWorkers(): PoolWorker[] {
    return this.live().filter((w) => {
      this.collect(w);
      return w.pending.length === 0;
    });
  }

  /** A slot below the bound with no live worker; -1 when there is none. */
  private freeSlot(): number {
    for (let s = 0; s < this.bound; s++) {
      const w = this.workers[s];
      if (!w || w.dead) return s;
    }
    return -1;
  }

  private startWorker(slot: number): PoolWorker {
    const state = allocArray(Int32Array, 2, true);
    const { port1, port2 } = new MessageChannel();
    const init: WorkerInit = { port: port2, state };
    const worker = startModuleWorker(this.callerUrl, this.entry, { workerData: init, transferList: [port2] });
    worker.unref();
    port1.unref();
    const w: PoolWorker = { slot, state, worker, port: port1, pending: [], taken: 0 };
    // a worker that dies must not crash the process with an unhandled 'error' event: its tasks fail
    worker.on('error', (e) => this.kill(w, `${this.label} ${slot} failed: ${e instanceof Error ? e.message : e}`));
    worker.on('exit', (code) => this.kill(w, `${this.label} ${slot} exited (code ${code})`));
    this.workers[slot] = w;
    return w;
  }

  /** Takes the answers the worker has posted and hands them to their tasks, oldest first. */
  private collect(w: PoolWorker): void {
    if (w.dead) return;
    const state = w.state;
    const done = Atomics.load(state, DONE);
    while (w.taken < done) {
      // the answer is posted just before the counter moves; it may take a moment to reach this port
      let msg = receiveMessageOnPort(w.port);
      for (let tries = 0; !msg && tries < 1000; tries++) {
        Atomics.wait(state, DONE, Atomics.load(state, DONE), 1);
        msg = receiveMessageOnPort(w.port);
      }
      if (!msg) {
        this.kill(w, `${this.label} ${w.slot} finished a task without an answer`);
        return;
      }
      w.taken++;
      const task = w.pending.shift()!;
      const a = msg.message as Answer;
      task.answer =
        a.error !== undefined ? { error: new WorkerTaskError(task.kind, a.error, a.stack) } : { output: a.output };
    }
    if (Atomics.load(state, READY) === -1) this.kill(w, `${this.label} ${w.slot} exited`);
  }

  /** Marks a worker gone: its pending tasks fail with `reason`, and its slot is free for a new worker. */
  private kill(w: PoolWorker, reason: string): void {
    if (w.dead) return;
    w.dead = reason;
    for (const t of w.pending.splice(0)) t.answer = { error: new WorkerTaskError(t.kind, reason) };
    void w.worker.terminate().catch(() => undefined);
  }
}

// Atomics.waitAsync (Node >= 16) is not in this project's ES lib yet
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, i: number, v: number, t: number): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

function clampWorkers(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`maxWorkers must be an integer >= 0, got ${n}`);
  return Math.min(n, MAX_POOL_WORKERS);
}

function startFailure(label: string, e: unknown): string {
  return `cannot start ${label} threads: ${e instanceof Error ? e.message : String(e)}`;
}

function unwrap<O>(answer: { output: O } | { error: Error }): O {
  if ('error' in answer) throw answer.error;
  return answer.output;
}

interface WorkerInit {
  port: MessagePort;
  state: Int32Array;
}

/**
 * The worker side: call it once from a pool's entry module with a handler per task kind. Answers each
 * task on the pool's port, then moves this worker's completion counter (which a blocked caller waits on).
 */
export function serveTasks<M extends TaskMap<M>>(handlers: TaskHandlers<M>): void {
  const { port, state } = workerData as WorkerInit;
  process.on('exit', () => {
    Atomics.store(state, READY, -1);
    Atomics.notify(state, DONE);
  });
  port.on('message', (msg: { kind: string; input: unknown }) => {
    const transfer: TransferListItem[] = [];
    let answer: Answer;
    try {
      const handler = (handlers as Record<string, unknown>)[msg.kind] as
        | ((input: unknown, t: TransferListItem[]) => unknown)
        | undefined;
      if (!handler) throw new Error(`unknown task kind '${msg.kind}'`);
      answer = { output: handler(msg.input, transfer) };
    } catch (e) {
      transfer.length = 0;
      answer = e instanceof Error ? { error: e.message, stack: e.stack } : { error: String(e) };
    }
    port.postMessage(answer, transfer);
    Atomics.add(state, DONE, 1);
    Atomics.notify(state, DONE);
  });
  Atomics.store(state, READY, 1);
  Atomics.notify(state, READY);
}
