// Webhooks over a real SQLite file and real HTTP receivers on loopback: the outbox rows commit with
// the registry change (and only then), signatures verify, retries back off and are recorded,
// leases keep two workers off one delivery, URLs and events are validated.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registryStoreBackends } from '../../../test/support/registry-stores.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/support/webhook-receiver.js';
import type { SqlStores as Stores } from '../open-stores.js';
import { WebhookDeliveryWorker, nextAttemptDelay } from './delivery-worker.js';
import { EventingRegistryStore } from './eventing-registry-store.js';
import { pingWebhook } from './webhook-ping.js';
import { verifyWebhookSignature } from './webhook-signature.js';

const unique = () => `m-${Date.now()}-${Math.random().toString(16).slice(2, 8)}`;
// The receivers listen on loopback: allowed here (registration and pings read the variable); the
// guard against private addresses is tested in webhook-egress.test.ts.
process.env.CAIRN_WEBHOOK_ALLOW_PRIVATE_IPS = 'true';

describe.each(registryStoreBackends())('webhooks on $name', (backend) => {
  let stores: Stores;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    stores = await backend.open();
  }, 120_000);
  afterAll(async () => {
    await backend.cleanup();
  });
  afterEach(async () => {
    while (receivers.length) await receivers.pop()!.close();
  });

  async function receiver(script: number[] = []): Promise<WebhookReceiver> {
    const r = await startWebhookReceiver({ script });
    receivers.push(r);
    return r;
  }

  async function hook(r: WebhookReceiver, events: string[], modelName?: string) {
    const { webhook, secret } = await stores.webhooks.createWebhook({ url: r.url, events, modelName });
    r.secret = secret;
    return webhook;
  }

  /** Polls the worker until the webhook has no PENDING delivery left (bounded). */
  async function drain(worker: WebhookDeliveryWorker, webhookId: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await worker.runOnce();
      const pending = await stores.webhooks.listDeliveries({ webhookId, status: 'PENDING' });
      if (pending.length === 0) return;
      if (Date.now() > deadline) throw new Error(`still pending: ${JSON.stringify(pending)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  const fastWorker = (o: Partial<ConstructorParameters<typeof WebhookDeliveryWorker>[1]> = {}) =>
    new WebhookDeliveryWorker(stores.webhooks.db, {
      backoffBaseMs: 5,
      backoffMaxMs: 50,
      timeoutMs: 2000,
      allowPrivateAddresses: true,
      ...o,
    });

  describe('webhook delivery', () => {
    it('delivers a signed {id, event, timestamp, data} body that the receiver verifies', async () => {
      const r = await receiver();
      const name = unique();
      const w = await hook(r, ['REGISTERED_MODEL_CREATED', 'MODEL_VERSION_CREATED', 'REGISTERED_MODEL_ALIAS_SET']);
      await stores.registry.createRegisteredModel(name);
      await stores.registry.createModelVersion({ name, source: 's3://b/m' });
      await stores.registry.setRegisteredModelAlias(name, 'champion', '1');
      await drain(fastWorker(), w.id);
      const got = await r.waitFor(3);
      const mine = got.filter((g) => g.json.data.name === name);
      expect(mine.map((g) => g.json.event).sort()).toEqual([
        'MODEL_VERSION_CREATED',
        'REGISTERED_MODEL_ALIAS_SET',
        'REGISTERED_MODEL_CREATED',
      ]);
      for (const g of mine) {
        expect(g.signatureValid).toBe(true);
        expect(
          verifyWebhookSignature(
            r.secret,
            String(g.headers['x-cairn-timestamp']),
            g.body,
            String(g.headers['x-cairn-signature']),
          ),
        ).toBe(true);
        expect(
          verifyWebhookSignature(
            'wrong-secret-123',
            String(g.headers['x-cairn-timestamp']),
            g.body,
            String(g.headers['x-cairn-signature']),
          ),
        ).toBe(false);
        expect(g.headers['x-cairn-event']).toBe(g.json.event);
        expect(g.headers['content-type']).toBe('application/json');
        expect(typeof g.json.id).toBe('string');
        expect(typeof g.json.timestamp).toBe('number');
      }
      const created = mine.find((g) => g.json.event === 'MODEL_VERSION_CREATED')!;
      expect(created.json.data).toMatchObject({ name, version: '1', source: 's3://b/m', current_stage: 'None' });
      expect(mine.find((g) => g.json.event === 'REGISTERED_MODEL_ALIAS_SET')!.json.data).toEqual({
        name,
        alias: 'champion',
        version: '1',
      });
      const deliveries = await stores.webhooks.listDeliveries({ webhookId: w.id });
      expect(deliveries).toHaveLength(3);
      for (const d of deliveries) {
        expect(d).toMatchObject({
          status: 'DELIVERED',
          attempts: 1,
          lastStatusCode: 200,
          lastError: null,
          nextAttemptTimestamp: null,
        });
        expect(d.deliveredTimestamp).toBeGreaterThan(0);
        expect(mine.map((g) => g.deliveryId)).toContain(d.id);
      }
    });

    it('retries a failing receiver with backoff and records 3 attempts when it fails twice then succeeds', async () => {
      const r = await receiver([500, 503]);
      const name = unique();
      await stores.registry.createRegisteredModel(name);
      const w = await hook(r, ['MODEL_VERSION_TRANSITIONED_STAGE'], name);
      await stores.registry.createModelVersion({ name, source: 's3://b/m' });
      await stores.registry.transitionModelVersionStage(name, '1', 'staging', false);
      await drain(fastWorker(), w.id);
      expect(r.received.map((g) => g.answered)).toEqual([500, 503, 200]);
      expect(new Set(r.received.map((g) => g.deliveryId)).size).toBe(1);
      expect(new Set(r.received.map((g) => g.body)).size).toBe(1);
      expect(r.received.every((g) => g.signatureValid)).toBe(true);
      expect(r.received[0].json.data).toMatchObject({
        name,
        version: '1',
        to_stage: 'Staging',
        archive_existing_versions: false,
      });
      const [d] = await stores.webhooks.listDeliveries({ webhookId: w.id });
      expect(d).toMatchObject({
        status: 'DELIVERED',
        attempts: 3,
        lastStatusCode: 200,
        event: 'MODEL_VERSION_TRANSITIONED_STAGE',
      });
    });

    it('gives up after maxAttempts and records the last error', async () => {
      const r = await receiver([500, 500, 500, 500]);
      const name = unique();
      await stores.registry.createRegisteredModel(name);
      const w = await hook(r, ['MODEL_VERSION_TAG_SET'], name);
      await stores.registry.createModelVersion({ name, source: 's3://b/m' });
      await stores.registry.setModelVersionTag(name, '1', 'k', 'v');
      await drain(fastWorker({ maxAttempts: 3 }), w.id);
      const [d] = await stores.webhooks.listDeliveries({ webhookId: w.id });
      expect(d).toMatchObject({
        status: 'FAILED',
        attempts: 3,
        lastStatusCode: 500,
        lastError: 'HTTP 500',
        nextAttemptTimestamp: null,
        deliveredTimestamp: null,
      });
      expect(r.received).toHaveLength(3);
    });

    it('records a connection error and a timeout as failed attempts', async () => {
      const r = await receiver();
      const deadUrl = r.url;
      await r.close();
      receivers.pop();
      const name = unique();
      await stores.registry.createRegisteredModel(name);
      const { webhook } = await stores.webhooks.createWebhook({
        url: deadUrl,
        events: ['MODEL_VERSION_CREATED'],
        modelName: name,
      });
      await stores.registry.createModelVersion({ name, source: 's3://b/m' });
      await fastWorker().runOnce();
      const [d] = await stores.webhooks.listDeliveries({ webhookId: webhook.id });
      expect(d.status).toBe('PENDING');
      expect(d.attempts).toBe(1);
      expect(d.lastStatusCode).toBeNull();
      expect(d.lastError).toMatch(/ECONNREFUSED/);
      expect(d.nextAttemptTimestamp).toBeGreaterThan(d.lastAttemptTimestamp!);
    });

    it('emits nothing for refused or rolled-back changes', async () => {
      const r = await receiver();
      const w = await hook(r, [
        'MODEL_VERSION_CREATED',
        'REGISTERED_MODEL_ALIAS_SET',
        'MODEL_VERSION_TRANSITIONED_STAGE',
        'REGISTERED_MODEL_CREATED',
      ]);
      const missing = unique();
      await expect(stores.registry.createModelVersion({ name: missing, source: 's3://b/m' })).rejects.toThrow(
        /not found/,
      );
      const name = unique();
      await stores.registry.createRegisteredModel(name);
      await expect(stores.registry.createRegisteredModel(name)).rejects.toThrow(/already exists/);
      await expect(stores.registry.setRegisteredModelAlias(name, 'champion', '7')).rejects.toThrow(/not found/);
      await expect(stores.registry.transitionModelVersionStage(name, '1', 'Production', false)).rejects.toThrow(
        /not found/,
      );
      const deliveries = await stores.webhooks.listDeliveries({ webhookId: w.id });
      expect(deliveries.map((d) => d.event)).toEqual(['REGISTERED_MODEL_CREATED']);
    });

    it('commits the change and its outbox rows together: a failing outbox write rolls the change back', async () => {
      const failing = new EventingRegistryStore(stores.webhooks.db, {
        record: async () => {
          throw new Error('outbox unavailable');
        },
      });
      const name = unique();
      await expect(failing.createRegisteredModel(name)).rejects.toThrow('outbox unavailable');
      await expect(stores.registry.getRegisteredModel(name)).rejects.toThrow(/not found/);
      await stores.registry.createRegisteredModel(name);
      await expect(failing.createModelVersion({ name, source: 's3://b/m' })).rejects.toThrow('outbox unavailable');
      expect((await stores.registry.searchModelVersions({ filter: `name = '${name}'` })).items).toEqual([]);
    });

    it('emits nothing for a promotion refused by a policy (whose refusal is audited after the rollback)', async () => {
      const r = await receiver();
      const name = unique();
      await stores.registry.createRegisteredModel(name);
      const w = await hook(r, ['REGISTERED_MODEL_ALIAS_SET'], name);
      await stores.registry.createModelVersion({ name, source: 's3://b/m' });
      await stores.registry.setPromotionPolicy(name, {
        target: '@champion',
        require: [{ metric: 'accuracy', '>=': 0.95 }],
      });
      await expect(stores.registry.setRegisteredModelAlias(name, 'champion', '1')).rejects.toThrow();
      expect(await stores.webhooks.listDeliveries({ webhookId: w.id })).toEqual([]);
      await stores.registry.setRegisteredModelAlias(name, 'champion', '1', { force: true, reason: 'hotfix' });
      expect((await stores.webhooks.listDeliveries({ webhookId: w.id })).map((d) => d.event)).toEqual([
        'REGISTERED_MODEL_ALIAS_SET',
      ]);
    });

    it('filters by event and by model name, and skips inactive webhooks', async () => {
      const r = await receiver();
      const a = unique();
      const b = unique();
      await stores.registry.createRegisteredModel(a);
      await stores.registry.createRegisteredModel(b);
      const onlyA = await hook(r, ['MODEL_VERSION_CREATED'], a);
      const inactive = (
        await stores.webhooks.createWebhook({
          url: r.url,
          events: ['MODEL_VERSION_CREATED'],
          modelName: b,
          active: false,
        })
      ).webhook;
      await stores.registry.createModelVersion({ name: a, source: 's3://a/m' });
      await stores.registry.createModelVersion({ name: b, source: 's3://b/m' });
      await stores.registry.setModelVersionTag(a, '1', 'k', 'v');
      const forA = await stores.webhooks.listDeliveries({ webhookId: onlyA.id });
      expect(forA.map((d) => d.event)).toEqual(['MODEL_VERSION_CREATED']);
      expect(await stores.webhooks.listDeliveries({ webhookId: inactive.id })).toEqual([]);
      await stores.webhooks.updateWebhook(inactive.id, { active: true });
      await stores.registry.createModelVersion({ name: b, source: 's3://b2/m' });
      expect(await stores.webhooks.listDeliveries({ webhookId: inactive.id })).toHaveLength(1);
    });

    it('two workers on one outbox send each delivery once (leases)', async () => {
      const r = await receiver();
      const name = unique();
      await stores.registry.createRegisteredModel(name);
      const w = await hook(r, ['MODEL_VERSION_CREATED'], name);
      for (let i = 0; i < 20; i++) await stores.registry.createModelVersion({ name, source: `s3://b/${i}` });
      // A long send timeout: under CI load a slow loopback answer must not count as a failed attempt
      // (that would be an honest at-least-once re-send, not the lease bug this test is after).
      const w1 = fastWorker({ batchSize: 4, timeoutMs: 10_000 });
      const w2 = fastWorker({ batchSize: 4, timeoutMs: 10_000 });
      // Bounded by time, not rounds: a retried delivery waits out its backoff before it is due again.
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        await Promise.all([w1.runOnce(), w2.runOnce()]);
        if ((await stores.webhooks.listDeliveries({ webhookId: w.id, status: 'PENDING' })).length === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await r.waitFor(20);
      const ids = r.received.map((g) => g.deliveryId);
      expect(new Set(ids).size).toBe(20);
      expect(ids).toHaveLength(20);
      expect(new Set(r.received.map((g) => g.json.data.version)).size).toBe(20);
    });

    it('the started worker delivers by itself and stops cleanly', async () => {
      const r = await receiver();
      const name = unique();
      await stores.registry.createRegisteredModel(name);
      await hook(r, ['MODEL_VERSION_DELETED'], name);
      await stores.registry.createModelVersion({ name, source: 's3://b/m' });
      const worker = fastWorker({ pollIntervalMs: 20 });
      worker.start();
      try {
        await stores.registry.deleteModelVersion(name, '1');
        const [g] = await r.waitFor(1);
        expect(g.json).toMatchObject({ event: 'MODEL_VERSION_DELETED', data: { name, version: '1' } });
      } finally {
        await worker.stop();
      }
    });

    it('pings a webhook synchronously', async () => {
      const r = await receiver([200, 418]);
      const w = await hook(r, ['MODEL_VERSION_CREATED']);
      const ok = await pingWebhook(stores.webhooks, w.id);
      expect(ok).toMatchObject({ ok: true, statusCode: 200, error: null });
      expect(r.received[0]).toMatchObject({ signatureValid: true, deliveryId: ok.deliveryId });
      expect(r.received[0].json.event).toBe('WEBHOOK_TEST');
      const teapot = await pingWebhook(stores.webhooks, w.id);
      expect(teapot).toMatchObject({ ok: false, statusCode: 418, error: 'HTTP 418' });
      await expect(pingWebhook(stores.webhooks, 'nope')).rejects.toThrow(/not found/);
    });
  });

  describe('events recorded outside a registry write (recordEvent)', () => {
    const driftData = (name: string) => ({
      name,
      version: '1',
      run_id: 'r1',
      drift_share: 0.25,
      drifted_features: ['age', 'chol'],
    });

    it('queues MODEL_DRIFT_DETECTED for the subscribed webhooks of the model only, signed when delivered', async () => {
      const r = await receiver();
      const other = await receiver();
      const name = unique();
      await stores.registry.createRegisteredModel(name);
      await stores.registry.createRegisteredModel(`${name}-b`);
      const w = await hook(r, ['MODEL_DRIFT_DETECTED'], name);
      const notSubscribed = await hook(other, ['MODEL_VERSION_CREATED'], name);
      const otherModel = await hook(other, ['MODEL_DRIFT_DETECTED'], `${name}-b`);
      const queued = await stores.webhooks.recordEvent({
        event: 'MODEL_DRIFT_DETECTED',
        modelName: name,
        data: driftData(name),
      });
      expect(queued).toBe(1);
      await drain(fastWorker(), w.id);
      const [got] = await r.waitFor(1);
      expect(got.signatureValid).toBe(true);
      expect(got.json).toMatchObject({ event: 'MODEL_DRIFT_DETECTED', data: driftData(name) });
      expect(await stores.webhooks.listDeliveries({ webhookId: notSubscribed.id })).toEqual([]);
      expect(await stores.webhooks.listDeliveries({ webhookId: otherModel.id })).toEqual([]);
    });

    it('refuses registry-change events, unknown models and bad payloads, queueing nothing', async () => {
      const r = await receiver();
      const name = unique();
      await stores.registry.createRegisteredModel(name);
      const w = await hook(r, ['MODEL_DRIFT_DETECTED', 'MODEL_VERSION_CREATED'], name);
      const record = (event: string, modelName: string, data: Record<string, unknown>) =>
        stores.webhooks.recordEvent({ event: event as 'MODEL_DRIFT_DETECTED', modelName, data });
      await expect(record('MODEL_VERSION_CREATED', name, driftData(name))).rejects.toThrow(
        /'MODEL_VERSION_CREATED' cannot be recorded on its own/,
      );
      await expect(record('MODEL_DRIFT_DETECTED', `${name}-gone`, driftData(`${name}-gone`))).rejects.toThrow(
        /Registered Model with name=.*-gone not found/,
      );
      await expect(record('MODEL_DRIFT_DETECTED', name, { ...driftData(name), drift_share: 2 })).rejects.toThrow(
        /'data.drift_share': must be a number from 0 to 1/,
      );
      await expect(record('MODEL_DRIFT_DETECTED', name, { ...driftData(name), version: 'v1' })).rejects.toThrow(
        /'data.version'/,
      );
      await expect(
        record('MODEL_DRIFT_DETECTED', name, { ...driftData(name), drifted_features: 'age' }),
      ).rejects.toThrow(/'data.drifted_features'/);
      await expect(record('MODEL_DRIFT_DETECTED', name, driftData('someone-else'))).rejects.toThrow(/'data.name'/);
      expect(await stores.webhooks.listDeliveries({ webhookId: w.id })).toEqual([]);
    });
  });

  describe('webhook registration', () => {
    it.each([
      ['ftp://example.com/hook', /only http and https/],
      ['file:///etc/passwd', /only http and https/],
      ['javascript:alert(1)', /only http and https/],
      ['example.com/hook', /not an absolute URL/],
      ['http://user:pw@example.com/hook', /credentials/],
      ['', /Missing value for required parameter 'url'/],
    ])('refuses the URL %s', async (url, message) => {
      await expect(stores.webhooks.createWebhook({ url, events: ['MODEL_VERSION_CREATED'] })).rejects.toThrow(message);
    });

    it('accepts http and https URLs, validates events and secrets, never lists the secret', async () => {
      const { webhook, secret } = await stores.webhooks.createWebhook({
        url: 'https://hooks.example.com/x',
        events: ['MODEL_VERSION_CREATED', 'MODEL_VERSION_CREATED'],
      });
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
      expect(webhook.events).toEqual(['MODEL_VERSION_CREATED']);
      expect(JSON.stringify(await stores.webhooks.listWebhooks())).not.toContain(secret);
      await expect(stores.webhooks.createWebhook({ url: 'http://x.example', events: [] })).rejects.toThrow(
        /at least one/,
      );
      await expect(
        stores.webhooks.createWebhook({ url: 'http://x.example', events: ['MODEL_EXPLODED'] }),
      ).rejects.toThrow(/unknown event 'MODEL_EXPLODED'/);
      await expect(
        stores.webhooks.createWebhook({ url: 'http://x.example', events: ['MODEL_VERSION_CREATED'], secret: 'short' }),
      ).rejects.toThrow(/secret/);
      await expect(stores.webhooks.updateWebhook(webhook.id, { url: 'gopher://x' })).rejects.toThrow(
        /only http and https/,
      );
      const updated = await stores.webhooks.updateWebhook(webhook.id, { url: 'http://other.example/y', active: false });
      expect(updated).toMatchObject({ url: 'http://other.example/y', active: false });
      await stores.webhooks.deleteWebhook(webhook.id);
      await expect(stores.webhooks.getWebhook(webhook.id)).rejects.toThrow(/not found/);
    });

    it('backoff doubles per attempt, is capped and jittered by at most 25 %', () => {
      const o = { backoffBaseMs: 1000, backoffMaxMs: 60_000 };
      expect(nextAttemptDelay(1, o, () => 0.5)).toBe(1000);
      expect(nextAttemptDelay(2, o, () => 0.5)).toBe(2000);
      expect(nextAttemptDelay(4, o, () => 0.5)).toBe(8000);
      expect(nextAttemptDelay(20, o, () => 0.5)).toBe(60_000);
      expect(nextAttemptDelay(3, o, () => 0)).toBe(3000);
      expect(nextAttemptDelay(3, o, () => 0.999999)).toBe(5000);
    });
  });
});
