// Background batching of metrics, params and tags: calls return at once, a flusher coalesces the
// queue into log-batch requests within MLflow's limits (per run, in order), on size, on a timer,
// on flush()/endRun and on `beforeExit`. Transient failures are retried with backoff; a failure
// that persists is kept and surfaced — the run's next call, flush() or close() rejects with it.
//
// Durability: what has been acknowledged by flush() is stored. A hard kill (SIGKILL, power loss,
// process.exit() before a flush) loses only the tail still queued in memory.
import { CairnError } from '../core/errors.js';
import type { Metric, Param, Tag } from '../tracking/entities.js';
import type { LogBatchInput } from '../tracking/store.js';
import {
  MAX_ENTITIES_PER_BATCH,
  MAX_PARAMS_TAGS_PER_BATCH,
  validateMetric,
  validateParam,
  validateTag,
} from '../tracking/validation.js';
import { metricRoom } from './batch-split.js';
import { backoffDelay } from '../core/backoff.js';
import { isTransientError, sleep } from './http-connection.js';

export interface BatchLoggerOptions {
  /** A partly filled queue is sent after this long (default 1000 ms). */
  flushIntervalMs?: number;
  /** Queued entities that start a flush at once (default MAX_ENTITIES_PER_BATCH). */
  flushSize?: number;
  /** How long a batch is retried on transient errors before the failure is surfaced (default 120 s). */
  retryForMs?: number;
  initialRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Flush on the process's `beforeExit` (default true). */
  flushOnExit?: boolean;
}

export interface BatchSink {
  logBatch(runId: string, batch: LogBatchInput): Promise<void>;
}

/**
 * A batch's param was rejected, and its metrics and tags, re-sent without the params, failed too: both
 * failures are reported (`errors`), under the code of the resend's, which is the one that lost data.
 */
export class ResendFailed extends CairnError {
  readonly errors: [rejection: CairnError, resendFailure: Error];
  constructor(rejection: CairnError, resendFailure: Error, rest: { metrics: Metric[]; tags: Tag[] }) {
    const code = resendFailure instanceof CairnError ? resendFailure.errorCode : 'INTERNAL_ERROR';
    super(
      code,
      `${rejection.message} The batch's ${rest.metrics.length} metric(s) and ${rest.tags.length} tag(s), ` +
        `re-sent without its params, were not stored either: ${resendFailure.message}`,
    );
    this.errors = [rejection, resendFailure];
    this.cause = resendFailure;
  }
}

/** A FIFO with a moving head, so taking a batch off the front of a long queue costs only the batch. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  take(n: number): T[] {
    const out = this.items.slice(this.head, this.head + n);
    this.head += out.length;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return out;
  }
}

class RunQueue {
  readonly metrics = new Fifo<Metric>();
  readonly params = new Fifo<Param>();
  readonly tags = new Fifo<Tag>();
  get size(): number {
    return this.metrics.length + this.params.length + this.tags.length;
  }
  takeBatch(): Required<LogBatchInput> {
    const params = this.params.take(MAX_PARAMS_TAGS_PER_BATCH);
    const tags = this.tags.take(MAX_PARAMS_TAGS_PER_BATCH);
    const metrics = this.metrics.take(metricRoom(params.length, tags.length));
    return { metrics, params, tags };
  }
}

export class BatchLogger {
  private readonly queues = new Map<string, RunQueue>();
  private readonly failures = new Map<string, Error>();
  private queued = 0;
  private draining: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private exitHook: (() => void) | null = null;
  private readonly opts: Required<BatchLoggerOptions>;

  constructor(
    private readonly sink: BatchSink,
    options: BatchLoggerOptions = {},
  ) {
    this.opts = {
      flushIntervalMs: 1000,
      flushSize: MAX_ENTITIES_PER_BATCH,
      retryForMs: 120_000,
      initialRetryDelayMs: 200,
      maxRetryDelayMs: 5000,
      flushOnExit: true,
      ...options,
    };
  }

  /** Entities queued and not yet acknowledged by the store. */
  get pending(): number {
    return this.queued;
  }

  logMetric(runId: string, metric: Metric): void {
    this.enqueue(runId, { metrics: [metric] });
  }

  logParam(runId: string, param: Param): void {
    this.enqueue(runId, { params: [param] });
  }

  setTag(runId: string, tag: Tag): void {
    this.enqueue(runId, { tags: [tag] });
  }

  /** Validates now (bad input throws here), queues, and returns without waiting for the store. */
  enqueue(runId: string, batch: LogBatchInput): void {
    this.throwFailure(runId);
    for (const m of batch.metrics ?? []) validateMetric(m);
    for (const p of batch.params ?? []) validateParam(p);
    for (const t of batch.tags ?? []) validateTag(t);
    let queue = this.queues.get(runId);
    if (!queue) {
      queue = new RunQueue();
      this.queues.set(runId, queue);
    }
    for (const m of batch.metrics ?? []) queue.metrics.push(m);
    for (const p of batch.params ?? []) queue.params.push(p);
    for (const t of batch.tags ?? []) queue.tags.push(t);
    this.queued += (batch.metrics?.length ?? 0) + (batch.params?.length ?? 0) + (batch.tags?.length ?? 0);
    this.installExitHook();
    // drain() keeps each failure for flush() to report and never rejects: nothing to await here.
    if (this.queued >= this.opts.flushSize) void this.startDrain();
    else
      this.timer ??= setTimeout(() => {
        this.timer = null;
        void this.startDrain();
      }, this.opts.flushIntervalMs).unref();
  }

  /**
   * Resolves once everything queued before the call is stored; rejects with a failure kept for
   * `runId` (any run when omitted). A failure is reported once, then forgotten.
   */
  async flush(runId?: string): Promise<void> {
    while (this.queued > 0 || this.draining) await this.startDrain();
    if (runId !== undefined) this.throwFailure(runId);
    else {
      const first = this.failures.entries().next();
      if (!first.done) {
        this.failures.delete(first.value[0]);
        throw first.value[1];
      }
    }
  }

  /** Flushes, then stops the timer and the exit hook; rejects with any failure not yet reported. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      if (this.exitHook) process.removeListener('beforeExit', this.exitHook);
      this.exitHook = null;
    }
  }

  private throwFailure(runId: string): void {
    const failure = this.failures.get(runId);
    if (failure) {
      this.failures.delete(runId);
      throw failure;
    }
  }

  private installExitHook(): void {
    if (this.exitHook || !this.opts.flushOnExit) return;
    this.exitHook = () => {
      if (this.queued === 0 && this.failures.size === 0) return;
      this.flush().catch((err: Error) => {
        process.stderr.write(`cairn: logging batched metrics failed before exit: ${err.message}\n`);
        process.exitCode ||= 1;
      });
    };
    process.on('beforeExit', this.exitHook);
  }

  private startDrain(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  /** Round-robin over runs, one batch each per pass, until every queue is empty. */
  private async drain(): Promise<void> {
    while (this.queued > 0) {
      for (const [runId, queue] of this.queues) {
        if (queue.size === 0) {
          this.queues.delete(runId);
          continue;
        }
        const batch = queue.takeBatch();
        const n = batch.metrics.length + batch.params.length + batch.tags.length;
        try {
          await this.send(runId, batch);
        } catch (err) {
          if (!this.failures.has(runId)) this.failures.set(runId, err as Error);
        } finally {
          this.queued -= n;
        }
      }
    }
  }

  private async send(runId: string, batch: Required<LogBatchInput>): Promise<void> {
    const started = Date.now();
    for (let retry = 0; ; retry++) {
      try {
        await this.sink.logBatch(runId, batch);
        return;
      } catch (err) {
        if (isTransientError(err) && Date.now() - started < this.opts.retryForMs) {
          await sleep(
            backoffDelay(
              { initialDelayMs: this.opts.initialRetryDelayMs, maxDelayMs: this.opts.maxRetryDelayMs },
              retry,
            ),
          );
          continue;
        }
        // a rejected param must not take the batch's metrics and tags down with it
        if (
          !isTransientError(err) &&
          batch.params.length > 0 &&
          batch.metrics.length + batch.tags.length > 0 &&
          err instanceof CairnError &&
          err.errorCode === 'INVALID_PARAMETER_VALUE'
        ) {
          const rest = { metrics: batch.metrics, params: [], tags: batch.tags };
          const resendFailure = await this.send(runId, rest).then(
            () => null,
            (e: unknown) => e as Error,
          );
          if (resendFailure) throw new ResendFailed(err, resendFailure, rest);
        }
        throw err;
      }
    }
  }
}
