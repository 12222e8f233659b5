// The tracking server on a real PostgreSQL store, as a child process with two workers: the same
// REST flows as on SQLite, plus concurrent writers across workers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTrackingStore } from '../../src/tracking/open-store.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { lacks } from '../support/requirements.js';
import { get, post } from './server-harness.js';

const REPO = path.resolve(import.meta.dirname, '../..');

let pgServer: TestPostgres;
let child: ChildProcess;
let url: string;
let dir: string;
let exited: Promise<number | null>;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  pgServer = await startPostgres();
  dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-server-pg-'));
  const port = await freePort();
  child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(REPO, 'src/cli/main.ts'),
      'server',
      '--backend-store-uri',
      pgServer.uri,
      '--artifacts-destination',
      path.join(dir, 'artifacts'),
      '--port',
      String(port),
      '--workers',
      '2',
      '--log-level',
      'warn',
    ],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  exited = new Promise((resolve) => child.on('exit', resolve));
  url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null || i > 300) throw new Error(`server did not start: ${out}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
});

afterAll(async () => {
  child?.kill('SIGTERM');
  await exited;
  await pgServer?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(lacks('postgres'))('server on PostgreSQL', () => {
  it('runs experiment and run flows, NaN metrics and artifacts', async () => {
    const api = (p: string) => `${url}/api/2.0/mlflow${p}`;
    const created = await post(api('/experiments/create'), { name: 'pg-exp' });
    expect(created.status).toBe(200);
    const expId = created.json.experiment_id;
    expect((await post(api('/experiments/create'), { name: 'pg-exp' })).json.error_code).toBe(
      'RESOURCE_ALREADY_EXISTS',
    );
    const run = (await post(api('/runs/create'), { experiment_id: expId, run_name: 'pg-run' })).json.run.info;
    expect(run.artifact_uri).toBe(`mlflow-artifacts:/${expId}/${run.run_id}/artifacts`);
    const batch = await post(api('/runs/log-batch'), {
      run_id: run.run_id,
      metrics: [
        { key: 'a', value: 'NaN', timestamp: 1, step: 0 },
        { key: 'b', value: 0.5, timestamp: 1, step: 0 },
      ],
      params: [{ key: 'p', value: 'v' }],
    });
    expect(batch.status).toBe(200);
    const got = await get(api('/runs/get'), { run_id: run.run_id });
    expect(
      Object.fromEntries(got.json.run.data.metrics.map((m: { key: string; value: unknown }) => [m.key, m.value])),
    ).toEqual({ a: 'NaN', b: 0.5 });
    const search = await post(api('/runs/search'), { experiment_ids: [expId], filter: "params.p = 'v'" });
    expect(search.json.runs).toHaveLength(1);
    const put = await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/${expId}/${run.run_id}/artifacts/x.txt`, {
      method: 'PUT',
      body: 'pg',
    });
    expect(put.status).toBe(200);
    expect((await get(api('/artifacts/list'), { run_id: run.run_id })).json.files).toEqual([
      { path: 'x.txt', is_dir: false, file_size: 2 },
    ]);
  });

  it('takes concurrent writes through both workers without errors', async () => {
    const api = (p: string) => `${url}/api/2.0/mlflow${p}`;
    const expId = (await post(api('/experiments/create'), { name: 'pg-concurrent' })).json.experiment_id;
    const runIds = await Promise.all(
      Array.from(
        { length: 8 },
        async () => (await post(api('/runs/create'), { experiment_id: expId })).json.run.info.run_id as string,
      ),
    );
    const results = await Promise.all(
      runIds.flatMap((runId) =>
        Array.from({ length: 10 }, (_, step) =>
          post(api('/runs/log-metric'), { run_id: runId, key: 'loss', value: 1 / (step + 1), timestamp: step, step }),
        ),
      ),
    );
    expect(results.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    for (const runId of runIds) {
      expect((await get(api('/metrics/get-history'), { run_id: runId, metric_key: 'loss' })).json.metrics).toHaveLength(
        10,
      );
    }
  });

  it('refuses text with a NUL character (which PostgreSQL cannot store) as INVALID_PARAMETER_VALUE, in bodies, queries and direct writes', async () => {
    const api = (p: string) => `${url}/api/2.0/mlflow${p}`;
    const created = await post(api('/experiments/create'), { name: 'pg-\u0000-name' });
    expect([created.status, created.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    expect(created.json.message).toContain("parameter 'name'");
    const byName = await get(api('/experiments/get-by-name'), { experiment_name: 'x\u0000' });
    expect([byName.status, byName.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    const run = (await post(api('/runs/create'), { experiment_id: '0' })).json.run.info.run_id as string;
    const tag = await post(api('/runs/set-tag'), { run_id: run, key: 'note', value: 'a\u0000b' });
    expect([tag.status, tag.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    expect((await get(api('/runs/get'), { run_id: run })).json.run.data.tags ?? []).not.toContainEqual(
      expect.objectContaining({ key: 'note' }),
    );
    // a client writing to the database directly gets the same error code, not a driver error
    const store = await openTrackingStore(pgServer.uri, { defaultArtifactRoot: path.join(dir, 'direct') });
    try {
      await expect(store.createExperiment('direct-\u0000')).rejects.toMatchObject({
        errorCode: 'INVALID_PARAMETER_VALUE',
      });
      expect(await store.getExperimentByName('Default')).toMatchObject({ experimentId: '0' });
    } finally {
      await store.close();
    }
  });
});
