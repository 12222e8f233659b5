// Webhook-triggered hot swap: a real tracking server delivers registry webhooks to a real `cairn serve
// models:/heart@champion` that polls only hourly, so a swap within seconds can only come from the webhook.
// Deliveries are verified (missing or wrong signature → 401), unrelated events are ignored, and requests
// sent throughout the swap all succeed. --register-webhook creates the webhook itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient } from '../../src/client/cairn-client.js';
import { signWebhookBody } from '../../src/registry/webhooks/webhook-signature.js';
import { freePort, startCairnServer, type CairnServer } from '../support/cairn-server.js';
import { lacks } from '../support/requirements.js';
import { startServeProcess, stopServeProcess, type ServeProcess } from '../support/serve-process.js';
import { HEART_RECORD, saveHeartModel } from '../support/serving-model.js';

const skip = lacks('shared-data');
const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-serve-webhook-'));
const SECRET = 'serve-webhook-test-secret';
const HOUR_SECONDS = '3600';
let tracking: CairnServer;
let client: CairnClient;

async function servedVersion(url: string): Promise<string> {
  return ((await (await fetch(`${url}/version`)).json()) as { model_version: string }).model_version;
}

/**
 * Sends predictions (4 at a time) until `done()` holds, then 20 more rounds; at most `maxRounds` rounds.
 * Returns every answer's status and model version.
 */
async function requestLoop(url: string, done: () => boolean, maxRounds = 3000) {
  const answers: { status: number; version?: string }[] = [];
  let after = 0;
  for (let round = 0; round < maxRounds && after < 20; round++) {
    if (done()) after++;
    const batch = await Promise.all(
      Array.from({ length: 4 }, async () => {
        try {
          const res = await fetch(`${url}/predict`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(HEART_RECORD),
          });
          const body = (await res.json()) as { model_version?: string };
          return { status: res.status, version: body.model_version };
        } catch {
          return { status: 0 };
        }
      }),
    );
    answers.push(...batch);
  }
  return answers;
}

/** Polls /version until it names `version` (a generous bound: the machine may be loaded). */
async function waitForVersion(url: string, version: string, timeoutMs = 60_000): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if ((await servedVersion(url)) === version) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} still serves ${await servedVersion(url)} after ${timeoutMs} ms, expected ${version}`);
}

function signed(body: string, secret = SECRET, timestamp = String(Math.floor(Date.now() / 1000))) {
  return {
    'content-type': 'application/json',
    'x-cairn-event': 'REGISTERED_MODEL_ALIAS_SET',
    'x-cairn-delivery': 'test-delivery',
    'x-cairn-timestamp': timestamp,
    'x-cairn-signature': signWebhookBody(secret, timestamp, body),
  };
}

beforeAll(async () => {
  if (skip) return;
  tracking = await startCairnServer({
    dataDir: tmp,
    env: { CAIRN_WEBHOOK_ALLOW_PRIVATE_IPS: 'true', CAIRN_WEBHOOK_POLL_MS: '100' },
  });
  const model = await saveHeartModel(path.join(tmp, 'pkg'), 10);
  client = await CairnClient.open(tracking.url);
  const exp = await client.createExperiment('serving-webhook');
  for (let i = 0; i < 2; i++) {
    const run = await client.createRun(exp);
    await client.logModel(run.info.runId, model.pipeline, {
      artifactPath: 'model',
      registeredModelName: 'heart',
      trainingFrame: model.heart.X,
      trainingTarget: model.heart.y,
    });
  }
  await client.registry.setRegisteredModelAlias('heart', 'champion', '1');
}, 240_000);

afterAll(async () => {
  await client?.close();
  await tracking?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(skip)('cairn serve: hot swap on the registry webhook', () => {
  let serve: ServeProcess;
  afterAll(async () => {
    if (serve) await stopServeProcess(serve);
  });

  it('swaps within seconds of an alias change delivered by the registry, with 0 failed requests', async () => {
    serve = await startServeProcess([
      'models:/heart@champion',
      '--tracking-uri',
      tracking.url,
      '--poll-interval',
      HOUR_SECONDS,
      '--webhook-secret',
      SECRET,
      '--prediction-log',
      'none',
      '--log-level',
      'warn',
    ]);
    expect(await servedVersion(serve.url)).toBe('1');
    // the webhook, created through the registry's REST API
    const created = await fetch(`${tracking.url}/api/2.0/cairn/registry/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        url: `${serve.url}/webhooks/registry`,
        events: ['REGISTERED_MODEL_ALIAS_SET', 'MODEL_VERSION_TRANSITIONED_STAGE'],
        model_name: 'heart',
        secret: SECRET,
      }),
    });
    expect(created.status, await created.clone().text()).toBe(200);

    let swapped = false;
    const loop = requestLoop(serve.url, () => swapped);
    await client.registry.setRegisteredModelAlias('heart', 'champion', '2');
    const took = await waitForVersion(serve.url, '2');
    swapped = true;
    const answers = await loop;
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(answers.at(-1)?.version).toBe('2');
    expect(answers.some((a) => a.version === '1')).toBe(true);
    expect(took).toBeLessThan(60_000);
    const deliveries = await client.webhooks.listDeliveries({});
    expect(deliveries.some((d) => d.event === 'REGISTERED_MODEL_ALIAS_SET' && d.status === 'DELIVERED')).toBe(true);
  }, 240_000);

  it('refuses unsigned or wrongly signed deliveries (401) and ignores events it cannot act on (200)', async () => {
    const body = JSON.stringify({ id: 'e1', event: 'REGISTERED_MODEL_ALIAS_SET', data: { name: 'heart' } });
    const post = (headers: Record<string, string>, b = body) =>
      fetch(`${serve.url}/webhooks/registry`, { method: 'POST', headers, body: b });

    const unsigned = await post({ 'content-type': 'application/json' });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ error_code: 'UNAUTHENTICATED' });
    const wrong = await post(signed(body, 'another-secret-value'));
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).message).toMatch(/X-Cairn-Signature does not match/);
    const tampered = await post(signed(body), body.replace('heart', 'heart2'));
    expect(tampered.status).toBe(401);
    const old = await post(signed(body, SECRET, String(Math.floor(Date.now() / 1000) - 3600)));
    expect(old.status).toBe(401);
    expect((await old.json()).message).toMatch(/replay/);

    const unknown = JSON.stringify({ id: 'e2', event: 'SOMETHING_NEW', data: { name: 'heart' } });
    const ignored = await post(signed(unknown), unknown);
    expect(ignored.status).toBe(200);
    expect(await ignored.json()).toMatchObject({ status: 'ignored' });
    const other = JSON.stringify({ id: 'e3', event: 'REGISTERED_MODEL_ALIAS_SET', data: { name: 'stroke' } });
    const otherModel = await post(signed(other), other);
    expect(otherModel.status).toBe(200);
    expect(await otherModel.json()).toMatchObject({ status: 'ignored' });
    const accepted = await post(signed(body));
    expect(accepted.status).toBe(202);
    expect(await servedVersion(serve.url)).toBe('2');
  }, 60_000);

  it('--register-webhook creates the webhook in the registry and swaps on its deliveries', async () => {
    const port = await freePort();
    const hookUrl = `http://127.0.0.1:${port}/webhooks/registry`;
    const own = await startServeProcess(
      [
        'models:/heart@champion',
        '--tracking-uri',
        tracking.url,
        '--poll-interval',
        HOUR_SECONDS,
        '--register-webhook',
        hookUrl,
        '--prediction-log',
        'none',
        '--log-level',
        'warn',
      ],
      {},
      port,
    );
    try {
      const hooks = (await client.webhooks.listWebhooks({ modelName: 'heart' })).filter((w) => w.url === hookUrl);
      expect(hooks).toHaveLength(1);
      expect(hooks[0].events).toEqual(expect.arrayContaining(['REGISTERED_MODEL_ALIAS_SET', 'MODEL_VERSION_CREATED']));
      expect(await servedVersion(own.url)).toBe('2');
      await client.registry.setRegisteredModelAlias('heart', 'champion', '1');
      await waitForVersion(own.url, '1');
    } finally {
      await stopServeProcess(own);
    }
  }, 240_000);
});
