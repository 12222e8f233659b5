// Keeps the prediction log off the request path: a request only pushes its entry onto an in-memory
// buffer; a timer (every flushIntervalMs) or a full batch (maxBatch entries) writes the buffer in one
// transaction. A crash (kill -9) loses at most what was buffered: the entries of the last
// flushIntervalMs plus a flush in progress. close() stops the timer and writes what is left.
import type { FastifyBaseLogger } from 'fastify';
import type { LogEntry, PredictionLogStore } from './prediction-log-store.js';

export interface LogWriterOptions {
  /** Default 100 ms: the window a crash can lose. */
  flushIntervalMs?: number;
  /** A batch this large is written at once, without waiting for the timer (default 500). */
  maxBatch?: number;
  /** When the database falls behind, entries beyond this many are dropped (and counted), not kept in memory. */
  maxPending?: number;
  logger?: FastifyBaseLogger;
}

export const DEFAULT_FLUSH_INTERVAL_MS = 100;

export class PredictionLogWriter {
  private buffer: LogEntry[] = [];
  private readonly pendingIds = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private soon = false;
  private closed = false;
  readonly flushIntervalMs: number;
  private readonly maxBatch: number;
  private readonly maxPending: number;
  /** Entries written, dropped because the buffer was full, and failed flushes (for /metrics and tests). */
  written = 0;
  dropped = 0;
  failures = 0;

  constructor(
    readonly store: PredictionLogStore,
    private readonly options: LogWriterOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.maxBatch = options.maxBatch ?? 500;
    this.maxPending = options.maxPending ?? 100_000;
    this.timer = setInterval(() => void this.flush(), this.flushIntervalMs);
    this.timer.unref();
  }

  append(entry: LogEntry): void {
    if (this.closed) return;
    if (this.buffer.length >= this.maxPending) {
      this.dropped++;
      return;
    }
    this.buffer.push(entry);
    this.pendingIds.add(entry.requestId);
    if (this.buffer.length >= this.maxBatch && !this.soon) {
      this.soon = true;
      setImmediate(() => {
        this.soon = false;
        void this.flush();
      });
    }
  }

  /** True while the entry is buffered, not yet in the database. */
  isPending(requestId: string): boolean {
    return this.pendingIds.has(requestId);
  }

  /** Writes everything buffered so far (waits for a flush already running first). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.write(batch);
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  private async write(batch: LogEntry[]): Promise<void> {
    try {
      await this.store.insert(batch);
      this.written += batch.length;
      for (const e of batch) this.pendingIds.delete(e.requestId);
    } catch (err) {
      // keep the batch for the next flush (the database may be restarting), up to maxPending entries
      this.failures++;
      const room = Math.max(0, this.maxPending - this.buffer.length);
      const kept = batch.slice(0, room);
      this.dropped += batch.length - kept.length;
      for (const e of batch.slice(room)) this.pendingIds.delete(e.requestId);
      this.buffer = kept.concat(this.buffer);
      this.options.logger?.error({ err, entries: batch.length }, 'prediction log flush failed; will retry');
    }
  }

  /** Stops the timer and writes what is buffered (a last attempt; failures are logged). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
    this.closed = true;
  }
}
