// Cairn's registry webhooks under /api/2.0/cairn: create, list, get, update, delete registrations
// (the secret is returned by create only), a synchronous test delivery, and the delivery records.
import type { FastifyInstance } from 'fastify';
import { EXTERNAL_EVENT_TYPES } from '../../registry/webhooks/registry-events.js';
import type { Webhook, WebhookDelivery } from '../../registry/webhooks/webhook-entities.js';
import type { WebhookStore } from '../../registry/webhooks/store.js';
import type { FromSchema } from '../schema-types.js';

export interface WebhookRouteOptions {
  webhooks: WebhookStore;
}

const BASE = '/registry/webhooks';

export function webhookToJson(w: Webhook): Record<string, unknown> {
  return {
    id: w.id,
    name: w.name,
    url: w.url,
    events: w.events,
    model_name: w.modelName,
    description: w.description,
    active: w.active,
    creation_timestamp: w.creationTimestamp,
    last_updated_timestamp: w.lastUpdatedTimestamp,
  };
}

export function deliveryToJson(d: WebhookDelivery): Record<string, unknown> {
  return {
    id: d.id,
    webhook_id: d.webhookId,
    event_id: d.eventId,
    event: d.event,
    status: d.status,
    attempts: d.attempts,
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    creation_timestamp: d.creationTimestamp,
    last_attempt_timestamp: d.lastAttemptTimestamp,
    next_attempt_timestamp: d.nextAttemptTimestamp,
    delivered_timestamp: d.deliveredTimestamp,
  };
}

const nullableString = { type: ['string', 'null'] } as const;
const fields = {
  url: { type: 'string' },
  events: { type: 'array', items: { type: 'string' } },
  name: nullableString,
  model_name: nullableString,
  description: nullableString,
  secret: { type: 'string' },
  active: { type: 'boolean' },
} as const;
const createBody = {
  type: 'object',
  properties: fields,
  required: ['url', 'events'],
  additionalProperties: false,
} as const;
const updateBody = { type: 'object', properties: fields, additionalProperties: false } as const;
const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1 } }, required: ['id'] } as const;
const listQuery = { type: 'object', properties: { model_name: { type: 'string' } } } as const;
const deliveriesQuery = {
  type: 'object',
  properties: {
    webhook_id: { type: 'string' },
    status: { type: 'string', enum: ['PENDING', 'DELIVERED', 'FAILED', 'pending', 'delivered', 'failed'] },
    max_results: { type: 'integer' },
  },
} as const;
// an event no registry write causes (a monitor's finding); the store checks the payload per event type
const eventBody = {
  type: 'object',
  properties: {
    event: { type: 'string', enum: [...EXTERNAL_EVENT_TYPES] },
    name: { type: 'string', minLength: 1 },
    data: { type: 'object' },
  },
  required: ['event', 'name', 'data'],
  additionalProperties: false,
} as const;
const testBody = { type: 'object', properties: { id: { type: 'string', minLength: 1 } }, required: ['id'] } as const;

export async function webhookRoutes(app: FastifyInstance, opts: WebhookRouteOptions): Promise<void> {
  const { webhooks } = opts;

  app.post<{ Body: FromSchema<typeof createBody> }>(BASE, { schema: { body: createBody } }, async (request) => {
    const b = request.body;
    const { webhook, secret } = await webhooks.createWebhook({
      url: b.url,
      events: b.events,
      name: b.name,
      modelName: b.model_name,
      description: b.description,
      secret: b.secret,
      active: b.active,
    });
    // the only time the secret leaves the server: receivers need it to check signatures
    return { webhook: webhookToJson(webhook), secret };
  });

  app.get<{ Querystring: FromSchema<typeof listQuery> }>(
    BASE,
    { schema: { querystring: listQuery } },
    async (request) => ({
      webhooks: (await webhooks.listWebhooks({ modelName: request.query.model_name || undefined })).map(webhookToJson),
    }),
  );

  app.get<{ Querystring: FromSchema<typeof deliveriesQuery> }>(
    `${BASE}/deliveries`,
    {
      schema: { querystring: deliveriesQuery },
    },
    async (request) => {
      // an unknown webhook_id is the store's 404 (one check, which the direct store gives as well)
      const q = request.query;
      const list = await webhooks.listDeliveries({
        webhookId: q.webhook_id || undefined,
        status: q.status,
        maxResults: q.max_results,
      });
      return { deliveries: list.map(deliveryToJson) };
    },
  );

  app.post<{ Body: FromSchema<typeof eventBody> }>(
    `${BASE}/events`,
    { schema: { body: eventBody } },
    async (request) => {
      const b = request.body;
      const queued = await webhooks.recordEvent({
        event: b.event,
        modelName: b.name,
        data: b.data as Record<string, unknown>,
      });
      return { deliveries_queued: queued };
    },
  );

  app.post<{ Body: FromSchema<typeof testBody> }>(`${BASE}/test`, { schema: { body: testBody } }, async (request) => {
    const r = await webhooks.testWebhook(request.body.id);
    return {
      delivery_id: r.deliveryId,
      success: r.ok,
      status_code: r.statusCode,
      error: r.error,
      duration_ms: Math.round(r.durationMs * 10) / 10,
    };
  });

  app.get<{ Params: FromSchema<typeof idParams> }>(
    `${BASE}/:id`,
    { schema: { params: idParams } },
    async (request) => ({ webhook: webhookToJson(await webhooks.getWebhook(request.params.id)) }),
  );

  app.patch<{ Params: FromSchema<typeof idParams>; Body: FromSchema<typeof updateBody> }>(
    `${BASE}/:id`,
    {
      schema: { params: idParams, body: updateBody },
    },
    async (request) => {
      const b = request.body ?? {};
      const webhook = await webhooks.updateWebhook(request.params.id, {
        url: b.url,
        events: b.events,
        name: b.name,
        modelName: b.model_name,
        description: b.description,
        secret: b.secret,
        active: b.active,
      });
      return { webhook: webhookToJson(webhook) };
    },
  );

  app.delete<{ Params: FromSchema<typeof idParams> }>(
    `${BASE}/:id`,
    { schema: { params: idParams } },
    async (request) => {
      await webhooks.deleteWebhook(request.params.id);
      return {};
    },
  );
}
