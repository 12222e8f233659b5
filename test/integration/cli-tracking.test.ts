// `cairn experiments` and `cairn runs` against a real server over HTTP (cli-database.test.ts: on its database).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCairnCli } from '../support/cairn-cli.js';
import { freePort } from '../support/cairn-server.js';
import { post, startTestServer, type TestServer } from './server-harness.js';

const cairn = runCairnCli;

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

describe('cairn experiments / runs', () => {
  it('creates and lists experiments, lists runs with filter and order, via MLFLOW_TRACKING_URI or --tracking-uri', async () => {
    const created = await cairn(['experiments', 'create', 'heart-disease'], { MLFLOW_TRACKING_URI: srv.url });
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    const expId = created.stdout.trim();
    expect(expId).toMatch(/^\d+$/);

    const listed = await cairn(['experiments', 'list', '--tracking-uri', srv.url]);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+NAME\s+STAGE/);
    expect(listed.stdout).toContain('heart-disease');
    expect(listed.stdout).toContain('Default');

    const api = `${srv.url}/api/2.0/mlflow`;
    for (const [name, acc] of [
      ['lr', 0.85],
      ['rf', 0.91],
      ['xgb', 0.93],
    ] as const) {
      const runId = (await post(`${api}/runs/create`, { experiment_id: expId, run_name: name })).json.run.info.run_id;
      await post(`${api}/runs/log-batch`, {
        run_id: runId,
        metrics: [{ key: 'accuracy', value: acc, timestamp: 1, step: 0 }],
        params: [{ key: 'model', value: name }],
      });
    }
    const runs = await cairn(
      [
        'runs',
        'list',
        '--experiment-id',
        expId,
        '--filter',
        'metrics.accuracy > 0.9',
        '--order-by',
        'metrics.accuracy DESC',
      ],
      { CAIRN_TRACKING_URI: srv.url },
    );
    expect(runs.status).toBe(0);
    const lines = runs.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/RUN ID\s+NAME\s+STATUS\s+STARTED\s+metrics\.accuracy\s+params\.model/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[1])).toEqual(['xgb', 'rf']);

    const json = await cairn(['runs', 'list', '--experiment-id', expId, '--json', '--tracking-uri', srv.url]);
    expect(JSON.parse(json.stdout).runs).toHaveLength(3);
  });

  it('describes, compares, deletes and restores runs; renames, deletes, restores and exports experiments as CSV', async () => {
    const env = { MLFLOW_TRACKING_URI: srv.url };
    const api = `${srv.url}/api/2.0/mlflow`;
    const expId = (await cairn(['experiments', 'create', 'stroke-cli'], env)).stdout.trim();
    const runIds: string[] = [];
    for (const [name, auc, note] of [
      ['lr', 0.84, 'plain'],
      ['rf', 0.8, 'has, a comma and "quotes"'],
    ] as const) {
      const runId = (
        await post(`${api}/runs/create`, { experiment_id: expId, run_name: name, start_time: runIds.length + 1 })
      ).json.run.info.run_id as string;
      await post(`${api}/runs/log-batch`, {
        run_id: runId,
        metrics: [{ key: 'roc_auc', value: auc, timestamp: 1, step: 0 }],
        params: [{ key: 'model', value: name }],
        tags: [{ key: 'note', value: note }],
      });
      runIds.push(runId);
    }
    const described = await cairn(['runs', 'describe', runIds[0]], env);
    expect(described.status).toBe(0);
    expect(JSON.parse(described.stdout)).toMatchObject({
      info: { run_id: runIds[0], run_name: 'lr' },
      data: { params: [{ key: 'model', value: 'lr' }] },
    });
    expect(await cairn(['runs', 'describe', 'no-such-run'], env)).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('RESOURCE_DOES_NOT_EXIST'),
    });

    const csv = await cairn(['experiments', 'csv', '--experiment-id', expId], env);
    expect(csv.status).toBe(0);
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'run_id,experiment_id,run_name,status,artifact_uri,start_time,end_time,metrics.roc_auc,params.model,tags.mlflow.runName,tags.note',
    );
    // newest first, as MLflow's search_runs; a value with commas and quotes is quoted (RFC 4180)
    expect(lines[1].startsWith(`${runIds[1]},${expId},rf,RUNNING,`)).toBe(true);
    expect(lines[1].endsWith(',1970-01-01T00:00:00.002Z,,0.8,rf,rf,"has, a comma and ""quotes"""')).toBe(true);
    expect(lines[2].startsWith(`${runIds[0]},${expId},lr,RUNNING,`)).toBe(true);
    expect(lines[2].endsWith(',1970-01-01T00:00:00.001Z,,0.84,lr,lr,plain')).toBe(true);
    const file = path.join(srv.dir, 'runs.csv');
    const written = await cairn(['experiments', 'csv', '--experiment-id', expId, '--filename', file], env);
    expect(written.stderr).toContain(`wrote 2 runs to ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(csv.stdout);

    const compared = await cairn(['runs', 'compare', runIds[0], runIds[1]], env);
    expect(compared.status, compared.stderr).toBe(0);
    const rows = compared.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(new RegExp(`^\\s+lr \\(${runIds[0].slice(0, 8)}\\)\\s+rf \\(${runIds[1].slice(0, 8)}\\)$`));
    expect(rows).toContainEqual(expect.stringMatching(/^\* params\.model\s+lr\s+rf$/));
    expect(rows).toContainEqual(expect.stringMatching(/^\* metrics\.roc_auc\s+0\.84\s+0\.8$/));
    expect(rows).toContainEqual(expect.stringMatching(/^ {2}status\s+RUNNING\s+RUNNING$/));
    const same = await cairn(['runs', 'compare', runIds[0], runIds[0], '--diff-only', '--json'], env);
    expect(JSON.parse(same.stdout).rows.map((r: { field: string }) => r.field)).toEqual([
      'experiment',
      'status',
      'started',
      'duration',
    ]);
    expect(await cairn(['runs', 'compare', runIds[0]], env)).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('at least two run ids'),
    });

    expect((await cairn(['runs', 'delete', runIds[1]], env)).stdout).toContain(`deleted run ${runIds[1]}`);
    expect(
      (await cairn(['experiments', 'csv', '--experiment-id', expId], env)).stdout.trimEnd().split('\n'),
    ).toHaveLength(2);
    expect((await cairn(['runs', 'restore', runIds[1]], env)).status).toBe(0);
    expect(
      (await cairn(['experiments', 'csv', '--experiment-id', expId], env)).stdout.trimEnd().split('\n'),
    ).toHaveLength(3);

    expect((await cairn(['experiments', 'rename', expId, 'stroke-renamed'], env)).status).toBe(0);
    expect((await cairn(['experiments', 'delete', expId], env)).stdout).toContain(`deleted experiment ${expId}`);
    expect((await cairn(['experiments', 'list', '--view', 'deleted'], env)).stdout).toMatch(
      new RegExp(`^${expId}\\s+stroke-renamed\\s+deleted`, 'm'),
    );
    expect((await cairn(['experiments', 'restore', expId], env)).status).toBe(0);
    expect((await cairn(['experiments', 'list'], env)).stdout).toMatch(
      new RegExp(`^${expId}\\s+stroke-renamed\\s+active`, 'm'),
    );
  });

  it('reports server errors and usage errors clearly', async () => {
    const dup = await cairn(['experiments', 'create', 'Default', '--tracking-uri', srv.url]);
    expect(dup.status).toBe(1);
    expect(dup.stderr).toContain('RESOURCE_ALREADY_EXISTS');
    const closedPort = await freePort();
    const noServer = await cairn(['experiments', 'list', '--tracking-uri', `http://127.0.0.1:${closedPort}`]);
    expect(noServer.status).toBe(1);
    expect(noServer.stderr).toContain(`cannot reach http://127.0.0.1:${closedPort} (ECONNREFUSED)`);
    const unsupported = await cairn(['experiments', 'list'], { MLFLOW_TRACKING_URI: 'ftp://example.com/x' });
    expect(unsupported.status).toBe(2);
    expect(unsupported.stderr).toContain("got 'ftp://example.com/x'");
    const badFilter = await cairn([
      'runs',
      'list',
      '--experiment-id',
      '0',
      '--filter',
      'metrics.x >>> 1',
      '--tracking-uri',
      srv.url,
    ]);
    expect(badFilter.status).toBe(1);
    expect(badFilter.stderr).toContain('INVALID_PARAMETER_VALUE');
  });

  it('refuses an unknown experiment instead of printing an empty table', async () => {
    for (const id of ['999', 'abc']) {
      const listed = await cairn(['runs', 'list', '--experiment-id', id, '--tracking-uri', srv.url]);
      expect(listed.status, listed.stdout).toBe(1);
      expect(listed.stdout).toBe('');
      expect(listed.stderr).toMatch(/RESOURCE_DOES_NOT_EXIST|INVALID_PARAMETER_VALUE/);
      expect(listed.stderr).toContain(id);
    }
    const csv = await cairn(['experiments', 'csv', '--experiment-id', '999', '--tracking-uri', srv.url]);
    expect(csv).toMatchObject({ status: 1, stdout: '' });
  });
});
