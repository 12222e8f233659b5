// CairnClient and the fluent API over REST against the REAL MLflow 2.17.2 server (the anchor):
// the same typed calls, MLflow's JSON, its error codes, and artifacts through its proxy.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient } from '../../src/client/cairn-client.js';
import * as cairn from '../../src/client/fluent.js';
import { AlreadyExists, InvalidParameter, NotFound } from '../../src/core/errors.js';
import { freePort, startMlflowScript, waitForHealth } from '../support/cairn-server.js';
import { lacks } from '../support/requirements.js';

describe.skipIf(lacks('mlflow-python'))('CairnClient against the real MLflow server', () => {
  let port = 0;
  let url = '';
  let client: CairnClient;
  const data = mkdtempSync(path.join(os.tmpdir(), 'cairn-client-mlflow-'));
  const script = (action: string) =>
    spawnSync('bash', [startMlflowScript(), action, String(port)], {
      env: { ...process.env, MLFLOW_DATA: data, MLFLOW_WORKERS: '1' },
      encoding: 'utf8',
      timeout: 300_000,
    });

  beforeAll(async () => {
    port = await freePort();
    const res = script('start');
    if (res.status !== 0) throw new Error(`start_mlflow.sh start failed: ${res.stderr}`);
    url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, 120_000);
    client = await CairnClient.open(url, { retry: { maxRetries: 2 } });
  }, 300_000);

  afterAll(async () => {
    await cairn.shutdown().catch(() => undefined);
    if (port) script('stop');
    rmSync(data, { recursive: true, force: true });
  });

  it("experiments, runs, batches, history, search and MLflow's error codes", async () => {
    const expId = await client.createExperiment('cairn-client-compat', { tags: { team: 'cardio' } });
    await expect(client.createExperiment('cairn-client-compat')).rejects.toBeInstanceOf(AlreadyExists);
    expect((await client.getExperimentByName('cairn-client-compat'))?.tags).toContainEqual({
      key: 'team',
      value: 'cardio',
    });
    const run = await client.createRun(expId, { runName: 'compat', tags: { k: 'v' } });
    const runId = run.info.runId;
    expect(run.info.artifactUri).toMatch(/^mlflow-artifacts:\//);
    await client.logBatch(runId, {
      metrics: Array.from({ length: 1500 }, (_, i) => ({
        key: 'loss',
        value: i === 7 ? NaN : 1 / (i + 1),
        step: i,
        timestamp: 1000 + i,
      })),
      params: [{ key: 'lr', value: '0.1' }],
      tags: [{ key: 'stage', value: 'dev' }],
    });
    const history = await client.getMetricHistory(runId, 'loss');
    expect(history).toHaveLength(1500);
    expect(Number.isNaN(history.find((m) => m.step === 7)!.value)).toBe(true);
    await expect(client.logParam(runId, 'lr', '0.2')).rejects.toBeInstanceOf(InvalidParameter);
    await expect(client.getRun('0123456789abcdef0123456789abcdef')).rejects.toBeInstanceOf(NotFound);
    const ended = await client.setTerminated(runId, 'FINISHED', 99_999);
    expect(ended).toMatchObject({ status: 'FINISHED', endTime: 99_999 });
    const found = await client.searchRuns([expId], { filter: "params.lr = '0.1' and tags.stage = 'dev'" });
    expect(found.items.map((r) => r.info.runId)).toEqual([runId]);
  });

  it("artifacts go through MLflow's proxy, and the fluent API works unchanged", async () => {
    cairn.setTrackingUri(url, { retry: { maxRetries: 2 } });
    await cairn.setExperiment('cairn-fluent-compat');
    const runId = await cairn.withRun({ runName: 'fluent' }, async (run) => {
      cairn.logParams({ depth: 3 });
      for (let i = 0; i < 2500; i++) cairn.logMetric('acc', i / 2500, { step: i });
      await cairn.logDict({ a: 1 }, 'cfg/config.yaml');
      await cairn.logText('hi', 'notes.txt');
      return run.runId;
    });
    const c = await cairn.getClient();
    expect((await c.getRun(runId)).info.status).toBe('FINISHED');
    expect((await c.getMetricHistory(runId, 'acc')).map((m) => m.step)).toEqual(
      Array.from({ length: 2500 }, (_, i) => i),
    );
    expect((await c.listArtifacts(runId)).map((f) => [f.path, f.isDir])).toEqual([
      ['cfg', true],
      ['notes.txt', false],
    ]);
    expect((await c.readArtifact(runId, 'cfg/config.yaml')).toString()).toBe('a: 1\n');
  });
});
