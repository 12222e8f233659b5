// GET …/webhooks/deliveries over a real app on a real SQLite file (Fastify's inject): an unknown
// webhook is a 404 with the store's message, and the webhook is looked up once per request (the
// store checks it; the route adds no second lookup).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openInProcessApp, type InProcessApp } from '../../test/support/in-process-app.js';
import type { SqlStores } from '../registry/open-stores.js';

const DELIVERIES = '/api/2.0/cairn/registry/webhooks/deliveries';

let env: InProcessApp;
let app: FastifyInstance;
let stores: SqlStores;

beforeAll(async () => {
  env = await openInProcessApp('cairn-deliveries-');
  ({ app, stores } = env);
});

afterAll(async () => {
  await env?.close();
});

describe('listing webhook deliveries', () => {
  it('answers 404 RESOURCE_DOES_NOT_EXIST for an unknown webhook', async () => {
    const res = await app.inject({ method: 'GET', url: `${DELIVERIES}?webhook_id=nope` });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Webhook with id=nope not found' });
  });

  it('looks the webhook up once, and lists its deliveries', async () => {
    const { webhook } = await stores.webhooks.createWebhook({
      url: 'https://hooks.example.com/cairn',
      events: ['REGISTERED_MODEL_CREATED'],
    });
    await stores.registry.createRegisteredModel('deliveries-model');
    const lookups = vi.spyOn(stores.webhooks, 'requireRow');
    try {
      const res = await app.inject({ method: 'GET', url: `${DELIVERIES}?webhook_id=${webhook.id}` });
      expect(res.statusCode).toBe(200);
      expect(res.json().deliveries.map((d: { event: string }) => d.event)).toEqual(['REGISTERED_MODEL_CREATED']);
      expect(lookups).toHaveBeenCalledTimes(1);
    } finally {
      lookups.mockRestore();
    }
  });

  it('lists every delivery without a webhook id, with no lookup', async () => {
    const lookups = vi.spyOn(stores.webhooks, 'requireRow');
    try {
      const res = await app.inject({ method: 'GET', url: DELIVERIES });
      expect(res.statusCode).toBe(200);
      expect(res.json().deliveries.length).toBeGreaterThanOrEqual(1);
      expect(lookups).not.toHaveBeenCalled();
    } finally {
      lookups.mockRestore();
    }
  });
});
