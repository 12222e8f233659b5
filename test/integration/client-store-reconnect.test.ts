// The direct PostgreSQL tracking store (openStores) when the database goes away: the lost connection is a transient
// error, the batch logger retries it and — once its retry budget is spent — surfaces it instead of
// dropping the batch. (A database that comes back is covered over REST in client-server-restart.)
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BatchLogger } from '../../src/client/batch-logger.js';
import { isTransientError } from '../../src/client/http-connection.js';
import { openStores } from '../../src/client/open-stores.js';
import type { ClientTransport } from '../../src/client/transport.js';
import type { LogBatchInput } from '../../src/tracking/store.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { lacks } from '../support/requirements.js';

let server: TestPostgres;
let transport: ClientTransport;
let stopped = false;

beforeAll(async () => {
  server = await startPostgres();
  const stores = await openStores(server.uri, { defaultArtifactRoot: '/tmp/cairn-reconnect-artifacts', poolSize: 2 });
  transport = stores.tracking;
});

afterAll(async () => {
  await transport?.close().catch(() => undefined);
  if (!stopped) await server?.stop();
});

it.skipIf(lacks('postgres'))(
  'marks a lost PostgreSQL connection transient; the logger retries, then surfaces it',
  async () => {
    const runId = (await transport.createRun({ experimentId: '0' })).info.runId;
    let attempts = 0;
    const logger = new BatchLogger(
      {
        async logBatch(id: string, batch: LogBatchInput) {
          attempts++;
          await transport.logBatch(id, batch);
        },
      },
      { retryForMs: 600, initialRetryDelayMs: 20, maxRetryDelayMs: 100, flushOnExit: false },
    );
    logger.logMetric(runId, { key: 'before', value: 1, step: 0, timestamp: 1 });
    await logger.flush(runId);
    expect((await transport.getRun(runId)).data.metrics.map((m) => m.key)).toEqual(['before']);

    await server.stop(); // pg_ctl stop -m immediate: every connection is gone
    stopped = true;
    const direct = await transport.getRun(runId).catch((e: unknown) => e);
    expect(isTransientError(direct)).toBe(true);

    attempts = 0;
    logger.logMetric(runId, { key: 'during', value: 2, step: 1, timestamp: 2 });
    const err = await logger.flush(runId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isTransientError(err)).toBe(true);
    expect(attempts).toBeGreaterThan(2); // retried with backoff before giving up
    // a bad request is not a connection loss
    expect(isTransientError(await transport.getRun('not a run id!').catch((e: unknown) => e))).toBe(false);
    await logger.close();
  },
  60_000,
);
