// `cairn experiments` and `cairn runs` against a real server over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCairnCli } from '../support/cairn-cli.js';
import { freePort } from '../support/cairn-server.js';
import { post, startTestServer, type TestServer } from './server-harness.js';

const cairn = runCairnCli;

let srv: TestServer;
beforeAll(async () => { srv = await startTestServer(); });
afterAll(async () => { await srv?.close(); });

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
    for (const [name, acc] of [['lr', 0.85], ['rf', 0.91], ['xgb', 0.93]] as const) {
      const runId = (await post(`${api}/runs/create`, { experiment_id: expId, run_name: name })).json.run.info.run_id;
      await post(`${api}/runs/log-batch`, { run_id: runId, metrics: [{ key: 'accuracy', value: acc, timestamp: 1, step: 0 }], params: [{ key: 'model', value: name }] });
    }
    const runs = await cairn(['runs', 'list', '--experiment-id', expId, '--filter', 'metrics.accuracy > 0.9', '--order-by', 'metrics.accuracy DESC'], { CAIRN_TRACKING_URI: srv.url });
    expect(runs.status).toBe(0);
    const lines = runs.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/RUN ID\s+NAME\s+STATUS\s+STARTED\s+metrics\.accuracy\s+params\.model/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[1])).toEqual(['xgb', 'rf']);

    const json = await cairn(['runs', 'list', '--experiment-id', expId, '--json', '--tracking-uri', srv.url]);
    expect(JSON.parse(json.stdout).runs).toHaveLength(3);
  });

  it('reports server errors and usage errors clearly', async () => {
    const dup = await cairn(['experiments', 'create', 'Default', '--tracking-uri', srv.url]);
    expect(dup.status).toBe(1);
    expect(dup.stderr).toContain('RESOURCE_ALREADY_EXISTS');
    const closedPort = await freePort();
    const noServer = await cairn(['experiments', 'list', '--tracking-uri', `http://127.0.0.1:${closedPort}`]);
    expect(noServer.status).toBe(1);
    expect(noServer.stderr).toContain(`cannot reach http://127.0.0.1:${closedPort} (ECONNREFUSED)`);
    const notHttp = await cairn(['experiments', 'list'], { MLFLOW_TRACKING_URI: 'sqlite:///x.db' });
    expect(notHttp.status).toBe(2);
    const badFilter = await cairn(['runs', 'list', '--experiment-id', '0', '--filter', 'metrics.x >>> 1', '--tracking-uri', srv.url]);
    expect(badFilter.status).toBe(1);
    expect(badFilter.stderr).toContain('INVALID_PARAMETER_VALUE');
  });
});
