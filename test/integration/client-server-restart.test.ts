// The fluent API against a `cairn server` child process that is SIGKILLed mid-run and restarted on
// the same database and port: nothing acknowledged before the outage is lost, points logged during
// it are retried across the restart, and the run ends normally.
import { afterAll, expect, it } from 'vitest';
import * as cairn from '../../src/client/fluent.js';
import { startCairnServer, type CairnServer } from '../support/cairn-server.js';

const servers: CairnServer[] = [];
afterAll(async () => {
  await cairn.shutdown().catch(() => undefined);
  for (const s of servers.reverse()) await s.stop();
  for (const s of servers) s.cleanup();
});

it('survives a kill -9 of the server and a restart on the same store and port', async () => {
  const first = await startCairnServer();
  servers.push(first);
  cairn.setTrackingUri(first.url, {
    retry: { maxRetries: 2, initialDelayMs: 50, maxDelayMs: 500, timeoutMs: 10_000 },
    logger: { flushIntervalMs: 20, retryForMs: 120_000, initialRetryDelayMs: 100, maxRetryDelayMs: 1000 },
  });
  await cairn.setExperiment('outage');
  const run = await cairn.startRun({ runName: 'through-the-outage' });
  cairn.logParam('phase', 'train');
  for (let i = 0; i < 3000; i++) cairn.logMetric('loss', 1 / (i + 1), { step: i, timestamp: 1_700_000_000_000 + i });
  await run.flush(); // acknowledged before the outage

  for (let i = 3000; i < 4500; i++) cairn.logMetric('loss', 1 / (i + 1), { step: i, timestamp: 1_700_000_000_000 + i });
  await new Promise((r) => setTimeout(r, 30)); // let a batch get in flight
  await first.kill9();
  for (let i = 4500; i < 6000; i++) cairn.logMetric('loss', 1 / (i + 1), { step: i, timestamp: 1_700_000_000_000 + i });
  cairn.setTag('survived', 'yes');
  let ended = false;
  const ending = run.end().finally(() => {
    ended = true;
  }); // keeps retrying while the server is down
  await new Promise((r) => setTimeout(r, 1500));
  expect(ended).toBe(false);

  const second = await startCairnServer({ dataDir: first.dataDir, port: first.port });
  servers.push(second);
  await ending;

  const client = await cairn.getClient();
  const stored = await client.getRun(run.runId);
  expect(stored.info.status).toBe('FINISHED');
  expect(stored.data.params).toEqual([{ key: 'phase', value: 'train' }]);
  expect(stored.data.tags).toContainEqual({ key: 'survived', value: 'yes' });
  const history = await client.getMetricHistory(run.runId, 'loss');
  expect(history.map((m) => m.step)).toEqual(Array.from({ length: 6000 }, (_, i) => i));
  expect(history.every((m) => m.value === 1 / (Number(m.step) + 1))).toBe(true);
}, 180_000);
