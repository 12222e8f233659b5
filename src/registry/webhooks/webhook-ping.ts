// A synchronous test delivery to one webhook (the REST `webhooks/test` endpoint and `cairn webhook
// test`): a WEBHOOK_TEST event, signed like any other, sent once, not queued or retried.
import { randomUUID } from 'node:crypto';
import type { SendResult } from './webhook-sender.js';
import { sendWebhook } from './webhook-sender.js';
import { webhookBody } from './webhook-outbox.js';
import type { SqlWebhookStore } from './webhook-store.js';

export const TEST_EVENT = 'WEBHOOK_TEST';

export async function pingWebhook(
  store: SqlWebhookStore,
  id: string,
  timeoutMs?: number,
): Promise<SendResult & { deliveryId: string }> {
  const row = await store.requireRow(id);
  const deliveryId = randomUUID().replace(/-/g, '');
  const body = webhookBody(deliveryId, TEST_EVENT, Date.now(), {
    webhook_id: row.id,
    message: 'Test delivery from Cairn',
  });
  const result = await sendWebhook({
    url: row.url,
    secret: row.secret,
    body,
    event: TEST_EVENT,
    deliveryId,
    timeoutMs,
  });
  return { ...result, deliveryId };
}
