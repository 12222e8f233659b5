// The outbox writer: inside the registry change's transaction, one PENDING delivery row per active
// webhook subscribed to the event (and to the model, when it filters), carrying the exact JSON body.
import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../../db/sql-database.js';
import type { RegistryEvent, RegistryEventSink } from './registry-events.js';
import type { WebhookRow } from './webhook-entities.js';

const newId = () => randomUUID().replace(/-/g, '');

/** The delivered body: `{id, event, timestamp, data}`; stored once so every retry sends the same bytes. */
export function webhookBody(eventId: string, event: string, timestamp: number, data: Record<string, unknown>): string {
  return JSON.stringify({ id: eventId, event, timestamp, data });
}

export class WebhookOutbox implements RegistryEventSink {
  async record(tx: SqlExecutor, event: RegistryEvent): Promise<void> {
    await this.queue(tx, event);
  }

  /** Queues the event for every subscribed webhook; the number of deliveries queued. */
  async queue(tx: SqlExecutor, event: RegistryEvent): Promise<number> {
    const hooks = await tx.all<Pick<WebhookRow, 'id' | 'events' | 'model_name'>>(
      `SELECT id, events, model_name FROM registry_webhooks
       WHERE active = 1 AND (model_name IS NULL OR model_name = ?)`,
      [event.modelName],
    );
    const targets = hooks.filter((h) => h.events.split(',').includes(event.event));
    if (targets.length === 0) return 0;
    const now = Date.now();
    const eventId = newId();
    const body = webhookBody(eventId, event.event, now, event.data);
    for (const hook of targets) {
      await tx.run(
        `INSERT INTO registry_webhook_deliveries
           (id, webhook_id, event_id, event, payload, status, attempts, creation_time, next_attempt_time)
         VALUES (?, ?, ?, ?, ?, 'PENDING', 0, ?, ?)`,
        [newId(), hook.id, eventId, event.event, body, now, now],
      );
    }
    return targets.length;
  }
}
