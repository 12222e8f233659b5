// BatchLogger against a real SQLite store: ordering, MLflow's batch limits, flush triggers,
// transient-failure retries and surfaced failures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnError, InvalidParameter } from '../core/errors.js';
import type { LogBatchInput } from '../tracking/store.js';
import { MAX_ENTITIES_PER_BATCH, MAX_METRICS_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH } from '../tracking/validation.js';
import { BatchLogger, ResendFailed, type BatchSink } from './batch-logger.js';
import { markTransient } from './http-connection.js';
import { openStores } from './open-stores.js';
import type { ClientTransport } from './transport.js';

let dir: string;
let transport: ClientTransport;
let experimentId: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cairn-batch-'));
  const uri = `sqlite:///${path.join(dir, 'cairn.db')}`;
  transport = (await openStores(uri, { defaultArtifactRoot: path.join(dir, 'artifacts') })).tracking;
  experimentId = await transport.createExperiment('batch-logger');
});

afterAll(async () => {
  await transport.close();
  rmSync(dir, { recursive: true, force: true });
});

const newRun = async () => (await transport.createRun({ experimentId })).info.runId;

/** The real store, recording each batch it is sent and optionally failing some first. */
function recordingSink(
  failFirst = 0,
  failure: () => Error = () => markTransient(new CairnError('TEMPORARILY_UNAVAILABLE', 'down')),
) {
  const batches: Array<{ runId: string; batch: LogBatchInput }> = [];
  let failures = 0;
  const sink: BatchSink = {
    async logBatch(runId, batch) {
      if (failures < failFirst) {
        failures++;
        throw failure();
      }
      batches.push({ runId, batch });
      await transport.logBatch(runId, batch);
    },
  };
  return { sink, batches, failed: () => failures };
}

describe('BatchLogger', () => {
  it('lands 10,000 metric calls in order, in batches within MLflow limits', async () => {
    const runId = await newRun();
    const { sink, batches } = recordingSink();
    const logger = new BatchLogger(sink, { flushOnExit: false });
    for (let i = 0; i < 10_000; i++)
      logger.logMetric(runId, { key: 'loss', value: 1 / (i + 1), step: i, timestamp: 1_700_000_000_000 + i });
    for (let i = 0; i < 150; i++) logger.logParam(runId, { key: `p${i}`, value: String(i) });
    for (let i = 0; i < 130; i++) logger.setTag(runId, { key: `t${i}`, value: String(i) });
    await logger.close();
    expect(logger.pending).toBe(0);
    for (const { batch } of batches) {
      const [m, p, t] = [batch.metrics!.length, batch.params!.length, batch.tags!.length];
      expect(m).toBeLessThanOrEqual(MAX_METRICS_PER_BATCH);
      expect(p).toBeLessThanOrEqual(MAX_PARAMS_TAGS_PER_BATCH);
      expect(t).toBeLessThanOrEqual(MAX_PARAMS_TAGS_PER_BATCH);
      expect(m + p + t).toBeLessThanOrEqual(MAX_ENTITIES_PER_BATCH);
    }
    expect(batches.length).toBeLessThanOrEqual(12); // coalesced, not one request per call
    const sent = batches.flatMap(({ batch }) => batch.metrics!.map((x) => x.step));
    expect(sent).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    const history = (await transport.getMetricHistory(runId, 'loss', { maxResults: 25_000 })).items;
    expect(history).toHaveLength(10_000);
    expect(history.map((m) => m.step)).toEqual(sent);
    expect(history.every((m) => m.value === 1 / (Number(m.step) + 1))).toBe(true);
    const run = await transport.getRun(runId);
    expect(run.data.params).toHaveLength(150);
    expect(run.data.tags.filter((t) => /^t\d+$/.test(t.key))).toHaveLength(130);
  });

  it('keeps runs apart and a later tag value wins', async () => {
    const [a, b] = [await newRun(), await newRun()];
    const logger = new BatchLogger(recordingSink().sink, { flushOnExit: false });
    logger.setTag(a, { key: 'k', value: 'first' });
    logger.logMetric(b, { key: 'm', value: 2, step: 0, timestamp: 1 });
    logger.setTag(a, { key: 'k', value: 'second' });
    await logger.flush();
    expect((await transport.getRun(a)).data.tags).toContainEqual({ key: 'k', value: 'second' });
    expect((await transport.getRun(b)).data.metrics).toEqual([{ key: 'm', value: 2, step: 0, timestamp: 1 }]);
    expect((await transport.getRun(a)).data.metrics).toEqual([]);
  });

  it('flushes a partial queue on its interval without being asked', async () => {
    const runId = await newRun();
    const logger = new BatchLogger(recordingSink().sink, { flushIntervalMs: 50, flushOnExit: false });
    logger.logMetric(runId, { key: 'x', value: 1, step: 0, timestamp: 5 });
    const deadline = Date.now() + 5000;
    while ((await transport.getRun(runId)).data.metrics.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect((await transport.getRun(runId)).data.metrics).toHaveLength(1);
    await logger.close();
  });

  it('retries transient failures with backoff and loses nothing', async () => {
    const runId = await newRun();
    const rec = recordingSink(3);
    const logger = new BatchLogger(rec.sink, { initialRetryDelayMs: 5, maxRetryDelayMs: 20, flushOnExit: false });
    for (let i = 0; i < 2500; i++) logger.logMetric(runId, { key: 'r', value: i, step: i, timestamp: i });
    await logger.flush(runId);
    expect(rec.failed()).toBe(3);
    const history = (await transport.getMetricHistory(runId, 'r', { maxResults: 25_000 })).items;
    expect(history.map((m) => m.step)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    await logger.close();
  });

  it("surfaces exhausted retries on flush and on the run's next call, then carries on", async () => {
    const runId = await newRun();
    const rec = recordingSink(1_000_000);
    const logger = new BatchLogger(rec.sink, {
      retryForMs: 100,
      initialRetryDelayMs: 5,
      maxRetryDelayMs: 20,
      flushIntervalMs: 10,
      flushOnExit: false,
    });
    logger.logMetric(runId, { key: 'lost', value: 1, step: 0, timestamp: 1 });
    await expect(logger.flush(runId)).rejects.toMatchObject({ errorCode: 'TEMPORARILY_UNAVAILABLE' });
    expect(rec.failed()).toBeGreaterThan(1);

    logger.logMetric(runId, { key: 'lost', value: 2, step: 1, timestamp: 2 });
    const deadline = Date.now() + 5000;
    while (logger.pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(logger.pending).toBe(0); // the background flush gave up on it ...
    expect(() => logger.logMetric(runId, { key: 'lost', value: 3, step: 2, timestamp: 3 })).toThrow(/down/); // ... and the next call reports it
    await logger.close();
  });

  it("a param conflict rejects flush with INVALID_PARAMETER_VALUE; the batch's metrics still land", async () => {
    const runId = await newRun();
    const logger = new BatchLogger(recordingSink().sink, { flushOnExit: false });
    logger.logParam(runId, { key: 'lr', value: '0.1' });
    await logger.flush(runId);
    logger.logParam(runId, { key: 'lr', value: '0.2' });
    logger.logMetric(runId, { key: 'acc', value: 0.9, step: 0, timestamp: 1 });
    const err = await logger.flush(runId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameter);
    expect(err).toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
    expect((err as Error).message).toMatch(/lr/);
    expect((await transport.getRun(runId)).data.metrics.map((m) => m.key)).toEqual(['acc']);
    expect((await transport.getRun(runId)).data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    await expect(logger.flush(runId)).resolves.toBeUndefined(); // reported once
    await logger.close();
  });

  it('a param conflict whose metrics and tags then fail to re-send reports both failures', async () => {
    const runId = await newRun();
    await transport.logBatch(runId, { params: [{ key: 'lr', value: '0.1' }] });
    const down = () => markTransient(new CairnError('TEMPORARILY_UNAVAILABLE', 'server down'));
    let calls = 0;
    // the first call reaches the store (and is refused for its param); the server is gone for the re-send
    const sink: BatchSink = {
      async logBatch(id, batch) {
        calls++;
        if (calls > 1) throw down();
        await transport.logBatch(id, batch);
      },
    };
    const retries = { retryForMs: 50, initialRetryDelayMs: 5, maxRetryDelayMs: 10 };
    const logger = new BatchLogger(sink, { ...retries, flushOnExit: false });
    logger.logParam(runId, { key: 'lr', value: '0.2' });
    logger.logMetric(runId, { key: 'acc', value: 0.9, step: 0, timestamp: 1 });
    logger.setTag(runId, { key: 'team', value: 'x' });
    const err = await logger.flush(runId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResendFailed);
    expect(err).toMatchObject({ errorCode: 'TEMPORARILY_UNAVAILABLE' });
    expect((err as Error).message).toMatch(/lr/);
    expect((err as Error).message).toMatch(/1 metric\(s\) and 1 tag\(s\).*not stored.*server down/);
    const [rejection, resendFailure] = (err as ResendFailed).errors;
    expect(rejection).toBeInstanceOf(InvalidParameter);
    expect(resendFailure).toMatchObject({ errorCode: 'TEMPORARILY_UNAVAILABLE' });
    expect(calls).toBeGreaterThan(2); // the re-send was retried before it was given up
    const run = await transport.getRun(runId);
    expect(run.data.metrics).toEqual([]);
    expect(run.data.tags.filter((t) => t.key === 'team')).toEqual([]);
    await expect(logger.flush(runId)).resolves.toBeUndefined(); // reported once
    await logger.close();
  });

  it('rejects invalid entities at the call, before queueing', () => {
    const logger = new BatchLogger(recordingSink().sink, { flushOnExit: false });
    expect(() => logger.logMetric('r', { key: '../x', value: 1, step: 0, timestamp: 1 })).toThrow(InvalidParameter);
    expect(() => logger.logParam('r', { key: 'k', value: 'v'.repeat(6001) })).toThrow(/6000/);
    expect(logger.pending).toBe(0);
  });
});
