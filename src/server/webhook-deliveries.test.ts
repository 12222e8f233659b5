// GET …/webhooks/deliveries over a real app on a real SQLite file (Fastify's inject): an unknown
// webhook is a 404 with the store's message, and the webhook is looked up once per request (the
// store checks it; the route adds no second lookup).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openSqlStores, type SqlStores } from '../registry/open-stores.js';
import { buildApp } from './app.js';

const DELIVERIES = '/api/2.0/cairn/registry/webhooks/deliveries';

let tmp: string;
let stores: SqlStores;
let app: FastifyInstance;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cairn-deliveries-'));
  stores = await openSqlStores(`sqlite:///${path.join(tmp, 'cairn.db')}`, {
    defaultArtifactRoot: path.join(tmp, 'artifacts'),
  });
  app = await buildApp({
    store: stores.tracking,
    registry: stores.registry,
    webhooks: stores.webhooks,
    serveArtifacts: false,
    logLevel: 'silent',
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await stores?.close();
  await rm(tmp, { recursive: true, force: true });
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
