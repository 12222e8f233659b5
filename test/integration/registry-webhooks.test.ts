// Registry webhooks end to end: a real `cairn server --workers 2` child process on a real SQLite
// file, real receivers on loopback. REST CRUD (secret shown once), URL validation, the synchronous
// test delivery, deliveries made by the server's worker exactly once across two processes, and no
// loss across kill -9: an event committed while the receiver is down is delivered after a restart.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAIRN_MAIN, REPO_ROOT, freePort, startCairnServer, type CairnServer } from '../support/cairn-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

// the receivers listen on loopback, which a server refuses unless private networks are allowed
const FAST_RETRY_ENV = {
  CAIRN_WEBHOOK_ALLOW_PRIVATE_IPS: 'true',
  CAIRN_WEBHOOK_POLL_MS: '50',
  CAIRN_WEBHOOK_BACKOFF_MS: '200',
  CAIRN_WEBHOOK_BACKOFF_MAX_MS: '1000',
  CAIRN_WEBHOOK_TIMEOUT_MS: '1000',
};
const unique = () => `wh-${Date.now()}-${Math.random().toString(16).slice(2, 8)}`;

interface Res {
  status: number;
  json: any;
}
async function call(url: string, method: string, body?: unknown): Promise<Res> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : {} };
}

function cairn(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CAIRN_MAIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, MLFLOW_TRACKING_URI: '', CAIRN_TRACKING_URI: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('webhooks over REST (cairn server --workers 2)', () => {
  let srv: CairnServer;
  let receiver: WebhookReceiver;
  const api = (p: string) => `${srv.url}/api/2.0/cairn/registry/webhooks${p}`;
  const mlflow = (p: string) => `${srv.url}/api/2.0/mlflow${p}`;

  beforeAll(async () => {
    srv = await startCairnServer({ workers: 2, env: FAST_RETRY_ENV });
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await srv?.stop();
    srv?.cleanup();
  });

  it('creates, lists, gets, updates and deletes webhooks; the secret is only returned by create', async () => {
    const created = await call(api(''), 'POST', {
      url: 'https://hooks.example.com/a',
      events: ['MODEL_VERSION_CREATED'],
      model_name: 'heart',
      name: 'ci',
    });
    expect(created.status).toBe(200);
    const { webhook, secret } = created.json;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(webhook).toMatchObject({
      url: 'https://hooks.example.com/a',
      events: ['MODEL_VERSION_CREATED'],
      model_name: 'heart',
      name: 'ci',
      active: true,
    });
    expect(webhook.secret).toBeUndefined();
    const got = await call(api(`/${webhook.id}`), 'GET');
    expect(got.json.webhook).toEqual(webhook);
    const listed = await call(api(''), 'GET');
    expect(listed.json.webhooks.map((w: { id: string }) => w.id)).toContain(webhook.id);
    expect(JSON.stringify(listed.json)).not.toContain(secret);
    const patched = await call(api(`/${webhook.id}`), 'PATCH', {
      active: false,
      events: ['MODEL_VERSION_DELETED', 'REGISTERED_MODEL_ALIAS_SET'],
    });
    expect(patched.json.webhook).toMatchObject({
      active: false,
      events: ['MODEL_VERSION_DELETED', 'REGISTERED_MODEL_ALIAS_SET'],
    });
    expect(JSON.stringify(patched.json)).not.toContain(secret);
    expect((await call(api(`/${webhook.id}`), 'DELETE')).status).toBe(200);
    const gone = await call(api(`/${webhook.id}`), 'GET');
    expect([gone.status, gone.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
    expect((await call(api(`/${webhook.id}`), 'DELETE')).status).toBe(404);
  });

  it('refuses non-http(s) URLs and unknown events with 400 INVALID_PARAMETER_VALUE', async () => {
    for (const url of ['ftp://x.example/h', 'file:///etc/passwd', 'not a url', 'http://u:p@x.example/']) {
      const res = await call(api(''), 'POST', { url, events: ['MODEL_VERSION_CREATED'] });
      expect([res.status, res.json.error_code], url).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      expect(res.json.message).toMatch(/url/);
    }
    const badEvent = await call(api(''), 'POST', { url: 'http://x.example/h', events: ['NOPE'] });
    expect([badEvent.status, badEvent.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    const missing = await call(api(''), 'POST', { events: ['MODEL_VERSION_CREATED'] });
    expect([missing.status, missing.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
  });

  it('sends a synchronous test delivery and reports the outcome', async () => {
    const { json } = await call(api(''), 'POST', {
      url: receiver.url,
      events: ['MODEL_VERSION_CREATED'],
      model_name: unique(),
    });
    receiver.secret = json.secret;
    const before = receiver.received.length;
    const ok = await call(api('/test'), 'POST', { id: json.webhook.id });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ success: true, status_code: 200, error: null });
    const got = receiver.received[before];
    expect(got).toMatchObject({ signatureValid: true, deliveryId: ok.json.delivery_id });
    expect(got.json.event).toBe('WEBHOOK_TEST');

    const port = await freePort();
    const down = await call(api(''), 'POST', {
      url: `http://127.0.0.1:${port}/nobody`,
      events: ['MODEL_VERSION_CREATED'],
    });
    const failed = await call(api('/test'), 'POST', { id: down.json.webhook.id });
    expect(failed.json).toMatchObject({ success: false, status_code: null });
    expect(failed.json.error).toMatch(/ECONNREFUSED/);
    expect((await call(api('/test'), 'POST', { id: 'does-not-exist' })).status).toBe(404);
    await call(api(`/${down.json.webhook.id}`), 'DELETE');
  });

  it('delivers registry changes made over the MLflow API once each, and lists the deliveries', async () => {
    const name = unique();
    const { json } = await call(api(''), 'POST', {
      url: receiver.url,
      events: ['MODEL_VERSION_CREATED', 'REGISTERED_MODEL_ALIAS_SET'],
      model_name: name,
    });
    receiver.secret = json.secret;
    const id = json.webhook.id;
    expect((await call(mlflow('/registered-models/create'), 'POST', { name })).status).toBe(200);
    for (let i = 0; i < 10; i++)
      expect((await call(mlflow('/model-versions/create'), 'POST', { name, source: `s3://b/${i}` })).status).toBe(200);
    expect(
      (await call(mlflow('/registered-models/alias'), 'POST', { name, alias: 'champion', version: '3' })).status,
    ).toBe(200);
    // refused: no such version; must emit nothing
    expect(
      (await call(mlflow('/registered-models/alias'), 'POST', { name, alias: 'champion', version: '99' })).status,
    ).toBe(404);
    expect(
      (await call(mlflow('/model-versions/create'), 'POST', { name: `${name}-missing`, source: 's3://x/m' })).status,
    ).toBe(404);

    const deliveries = await until('11 delivered', async () => {
      const res = await call(api(`/deliveries?webhook_id=${id}`), 'GET');
      const ds = res.json.deliveries as Array<{ status: string }>;
      return ds.length === 11 && ds.every((d) => d.status === 'DELIVERED') ? ds : undefined;
    });
    await new Promise((r) => setTimeout(r, 300)); // room for a (wrong) duplicate send by the other process
    const mine = receiver.received.filter((g) => g.json.data?.name === name);
    expect(mine).toHaveLength(11);
    expect(new Set(mine.map((g) => g.deliveryId)).size).toBe(11);
    expect(mine.every((g) => g.signatureValid)).toBe(true);
    expect(mine.filter((g) => g.json.event === 'REGISTERED_MODEL_ALIAS_SET').map((g) => g.json.data)).toEqual([
      { name, alias: 'champion', version: '3' },
    ]);
    expect(
      mine
        .filter((g) => g.json.event === 'MODEL_VERSION_CREATED')
        .map((g) => Number(g.json.data.version))
        .sort((a, b) => a - b),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(deliveries.map((d: any) => d.id).sort()).toEqual(mine.map((g) => g.deliveryId).sort());
    expect(deliveries[0]).toMatchObject({
      webhook_id: id,
      attempts: 1,
      last_status_code: 200,
      next_attempt_timestamp: null,
    });
    const unknown = await call(api('/deliveries?webhook_id=nope'), 'GET');
    expect(unknown.status).toBe(404);
  });
  it('cairn webhook add | list | test | deliveries | remove', async () => {
    const name = unique();
    const added = await cairn([
      'webhook',
      'add',
      '--tracking-uri',
      srv.url,
      '--url',
      receiver.url,
      '--events',
      'MODEL_VERSION_CREATED,MODEL_VERSION_TAG_SET',
      '--model',
      name,
      '--secret',
      'cli-secret-123',
    ]);
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    const id = /id:\s+(\w+)/.exec(added.stdout)![1];
    expect(added.stdout).toMatch(/secret: cli-secret-123/);
    receiver.secret = 'cli-secret-123';
    const listed = await cairn(['webhook', 'list', '--tracking-uri', srv.url, '--model', name]);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+URL\s+EVENTS\s+MODEL\s+ACTIVE/);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).not.toContain('cli-secret-123');
    const tested = await cairn(['webhook', 'test', id, '--tracking-uri', srv.url]);
    expect([tested.status, tested.stderr]).toEqual([0, '']);
    expect(tested.stdout).toMatch(/^delivered: HTTP 200/);
    expect(receiver.received.at(-1)!.signatureValid).toBe(true);

    await call(mlflow('/registered-models/create'), 'POST', { name });
    await call(mlflow('/model-versions/create'), 'POST', { name, source: 's3://b/m' });
    await until('delivered', async () => {
      const ds = (await call(api(`/deliveries?webhook_id=${id}`), 'GET')).json.deliveries;
      return ds.length === 1 && ds[0].status === 'DELIVERED' ? ds : undefined;
    });
    const deliveries = await cairn(['webhook', 'deliveries', '--tracking-uri', srv.url, '--webhook-id', id]);
    expect(deliveries.status).toBe(0);
    expect(deliveries.stdout).toMatch(/MODEL_VERSION_CREATED\s+DELIVERED\s+1\s+200/);

    const bad = await cairn([
      'webhook',
      'add',
      '--tracking-uri',
      srv.url,
      '--url',
      'ftp://x.example',
      '--events',
      'MODEL_VERSION_CREATED',
    ]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/INVALID_PARAMETER_VALUE: .*only http and https/);
    const port = await freePort();
    const down = await cairn([
      'webhook',
      'add',
      '--tracking-uri',
      srv.url,
      '--url',
      `http://127.0.0.1:${port}/x`,
      '--events',
      'MODEL_VERSION_CREATED',
      '--json',
    ]);
    const downId = JSON.parse(down.stdout).webhook.id;
    const failed = await cairn(['webhook', 'test', downId, '--tracking-uri', srv.url]);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toMatch(/^failed: no response \(ECONNREFUSED/);
    expect((await cairn(['webhook', 'remove', downId, '--tracking-uri', srv.url])).status).toBe(0);
    expect((await cairn(['webhook', 'remove', id, '--tracking-uri', srv.url])).stdout).toContain(
      `deleted webhook ${id}`,
    );
  });
});

describe('webhook outbox across kill -9', () => {
  it('delivers an event committed while the receiver was down after the server is killed and restarted', async () => {
    const port = await freePort();
    const name = unique();
    const first = await startCairnServer({ workers: 2, env: FAST_RETRY_ENV });
    let srv = first;
    let receiver: WebhookReceiver | undefined;
    try {
      const { json } = await call(`${srv.url}/api/2.0/cairn/registry/webhooks`, 'POST', {
        url: `http://127.0.0.1:${port}/hook`,
        events: ['MODEL_VERSION_CREATED'],
        model_name: name,
      });
      const deliveriesUrl = () => `${srv.url}/api/2.0/cairn/registry/webhooks/deliveries?webhook_id=${json.webhook.id}`;
      await call(`${srv.url}/api/2.0/mlflow/registered-models/create`, 'POST', { name });
      expect(
        (await call(`${srv.url}/api/2.0/mlflow/model-versions/create`, 'POST', { name, source: 's3://b/m' })).status,
      ).toBe(200);
      const failing = await until('a failed attempt', async () => {
        const [d] = (await call(deliveriesUrl(), 'GET')).json.deliveries;
        return d && d.attempts >= 1 ? d : undefined;
      });
      expect(failing).toMatchObject({ status: 'PENDING', last_status_code: null });
      expect(failing.last_error).toMatch(/ECONNREFUSED/);

      await srv.kill9();
      receiver = await startWebhookReceiver({ port, secret: json.secret });
      srv = await startCairnServer({ dataDir: srv.dataDir, workers: 2, env: FAST_RETRY_ENV });
      const [got] = await receiver.waitFor(1, 20_000);
      expect(got.signatureValid).toBe(true);
      expect(got.deliveryId).toBe(failing.id);
      expect(got.json.data).toMatchObject({ name, version: '1' });
      const delivered = await until('recorded as delivered', async () => {
        const [d] = (await call(deliveriesUrl(), 'GET')).json.deliveries;
        return d?.status === 'DELIVERED' ? d : undefined;
      });
      expect(delivered.attempts).toBeGreaterThanOrEqual(2);
      await new Promise((r) => setTimeout(r, 500));
      // not in flight when killed, so exactly once here; in general at-least-once with the same delivery id
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver?.close();
      await srv.stop();
      first.cleanup();
    }
  });
});
