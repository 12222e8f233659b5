// Delivers the outbox: polls due PENDING deliveries, claims each with a lease (so several server
// processes never send one delivery at once), POSTs it, and records the outcome; failures retry with
// jittered exponential backoff up to maxAttempts, then the delivery is FAILED. Rows are the only
// state, so a restarted process resumes where a killed one stopped. Delivery is at-least-once: a
// process killed after the receiver answered but before recording it sends again, with the same
// X-Cairn-Delivery id, once the lease has expired.
import { randomUUID } from 'node:crypto';
import { backoffDelay } from '../../core/backoff.js';
import type { SqlDatabase } from '../../db/sql-database.js';
import type { DeliveryRow, WebhookRow } from './webhook-entities.js';
import { privateWebhookAddressesAllowed } from './public-address.js';
import { DEFAULT_WEBHOOK_TIMEOUT_MS, sendWebhook, type SendResult } from './webhook-sender.js';

export interface DeliveryWorkerOptions {
  pollIntervalMs: number;
  timeoutMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Deliveries claimed per poll (sent concurrently). */
  batchSize: number;
  /** Send to loopback, private and link-local addresses too (CAIRN_WEBHOOK_ALLOW_PRIVATE_IPS). */
  allowPrivateAddresses: boolean;
  logger?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export const DEFAULT_DELIVERY_WORKER_OPTIONS: DeliveryWorkerOptions = {
  pollIntervalMs: 500,
  timeoutMs: DEFAULT_WEBHOOK_TIMEOUT_MS,
  maxAttempts: 8,
  backoffBaseMs: 2000,
  backoffMaxMs: 15 * 60_000,
  batchSize: 16,
  allowPrivateAddresses: false,
};

/** Overrides from CAIRN_WEBHOOK_{POLL_MS,TIMEOUT_MS,MAX_ATTEMPTS,BACKOFF_MS,BACKOFF_MAX_MS,ALLOW_PRIVATE_IPS}. */
export function deliveryWorkerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DeliveryWorkerOptions {
  const o = { ...DEFAULT_DELIVERY_WORKER_OPTIONS };
  const read = (name: string, min: number): number | undefined => {
    const raw = env[`CAIRN_WEBHOOK_${name}`];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`CAIRN_WEBHOOK_${name} must be an integer >= ${min}, got '${raw}'`);
    return n;
  };
  o.pollIntervalMs = read('POLL_MS', 10) ?? o.pollIntervalMs;
  o.timeoutMs = read('TIMEOUT_MS', 100) ?? o.timeoutMs;
  o.maxAttempts = read('MAX_ATTEMPTS', 1) ?? o.maxAttempts;
  o.backoffBaseMs = read('BACKOFF_MS', 1) ?? o.backoffBaseMs;
  o.backoffMaxMs = read('BACKOFF_MAX_MS', 1) ?? o.backoffMaxMs;
  o.allowPrivateAddresses = privateWebhookAddressesAllowed(env);
  return o;
}

/** Delay before attempt `attempts + 1`: base·2^(attempts−1), capped, ±25 % jitter. */
export function nextAttemptDelay(
  attempts: number,
  o: Pick<DeliveryWorkerOptions, 'backoffBaseMs' | 'backoffMaxMs'>,
  random = Math.random,
): number {
  const policy = { initialDelayMs: o.backoffBaseMs, maxDelayMs: o.backoffMaxMs, jitter: [0.75, 1.25] as const };
  return backoffDelay(policy, attempts - 1, random);
}

type Claimed = DeliveryRow & Pick<WebhookRow, 'url' | 'secret'>;

export class WebhookDeliveryWorker {
  private readonly o: DeliveryWorkerOptions;
  private readonly owner = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(
    private readonly db: SqlDatabase,
    options: Partial<DeliveryWorkerOptions> = {},
  ) {
    this.o = { ...DEFAULT_DELIVERY_WORKER_OPTIONS, ...options };
  }

  /** A claim outlives the longest send, so only a crashed process's claim ever expires. */
  private get leaseMs(): number {
    return this.o.timeoutMs * 2 + 5000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for deliveries in flight (each bounded by the send timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((err: unknown) => {
          this.o.logger?.error({ err }, 'webhook delivery poll failed');
          return 0;
        })
        .then((sent) => this.schedule(sent === this.o.batchSize ? 0 : this.o.pollIntervalMs));
    }, ms);
    this.timer.unref();
  }

  /** One poll: claims up to batchSize due deliveries and sends them; returns how many it sent. */
  async runOnce(now = Date.now()): Promise<number> {
    // a plain read first, so an idle outbox never takes the write lock
    const due = await this.db.get(
      `SELECT id FROM registry_webhook_deliveries
       WHERE status = ? AND next_attempt_time <= ? AND (lease_until IS NULL OR lease_until < ?) LIMIT 1`,
      ['PENDING', now, now],
    );
    if (!due) return 0;
    const claimed = await this.claim(now);
    await Promise.all(claimed.map((d) => this.deliver(d)));
    return claimed.length;
  }

  private claim(now: number): Promise<Claimed[]> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.all<Claimed>(
        `SELECT d.*, w.url, w.secret FROM registry_webhook_deliveries d JOIN registry_webhooks w ON w.id = d.webhook_id
         WHERE d.status = 'PENDING' AND d.next_attempt_time <= ? AND (d.lease_until IS NULL OR d.lease_until < ?)
         ORDER BY d.next_attempt_time, d.id LIMIT ${this.o.batchSize}`,
        [now, now],
      );
      const mine: Claimed[] = [];
      for (const row of rows) {
        // re-checked in the UPDATE: under PostgreSQL's READ COMMITTED a concurrent claimer gets 0 rows
        const res = await tx.run(
          `UPDATE registry_webhook_deliveries SET lease_until = ?, lease_owner = ?
           WHERE id = ? AND status = 'PENDING' AND (lease_until IS NULL OR lease_until < ?)`,
          [now + this.leaseMs, this.owner, row.id, now],
        );
        if (res.changes === 1) mine.push(row);
      }
      return mine;
    });
  }

  private async deliver(d: Claimed): Promise<void> {
    const result = await sendWebhook({
      url: d.url,
      secret: d.secret,
      body: d.payload,
      event: d.event,
      deliveryId: d.id,
      timeoutMs: this.o.timeoutMs,
      allowPrivateAddresses: this.o.allowPrivateAddresses,
    });
    await this.record(d, result);
  }

  private async record(d: Claimed, r: SendResult): Promise<void> {
    const now = Date.now();
    const attempts = Number(d.attempts) + 1;
    let status = 'PENDING';
    let next: number | null = now + nextAttemptDelay(attempts, this.o);
    if (r.ok) {
      status = 'DELIVERED';
      next = null;
    } else if (attempts >= this.o.maxAttempts) {
      status = 'FAILED';
      next = null;
    }
    if (!r.ok)
      this.o.logger?.warn(
        { delivery: d.id, attempts, status: r.statusCode, error: r.error },
        'webhook delivery failed',
      );
    await this.db.run(
      `UPDATE registry_webhook_deliveries
         SET status = ?, attempts = ?, last_status_code = ?, last_error = ?, last_attempt_time = ?,
         next_attempt_time = ?, delivered_time = ?, lease_until = NULL, lease_owner = NULL
       WHERE id = ? AND lease_owner = ?`,
      [status, attempts, r.statusCode, r.error, now, next, r.ok ? now : null, d.id, this.owner],
    );
  }
}
