// MLflow's own Python client (fluent API + MlflowClient) runs the user flows of
// test/compat/mlflow_tracking_flows.py against a real Cairn server on loopback.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runMlflowCompatScript, startTestServer, type TestServer } from '../support/cairn-server.js';
import { lacks } from '../support/requirements.js';

const SCRIPT = path.join(REPO_ROOT, 'test/compat/mlflow_tracking_flows.py');
const runScript = (url: string) => runMlflowCompatScript(SCRIPT, url);

describe.skipIf(lacks('mlflow-python'))('MLflow Python client against Cairn', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('runs every tracking flow of mlflow_tracking_flows.py without a failure', async () => {
    const { code, output } = await runScript(server.url);
    const summary = /(\d+) passed, (\d+) failed/.exec(output);
    const context = `${output.slice(-12_000)}\n--- server output ---\n${server.cairn?.output().slice(-4000) ?? ''}`;
    expect(summary, context).not.toBeNull();
    expect(Number(summary![2]), context).toBe(0);
    expect(Number(summary![1]), context).toBeGreaterThanOrEqual(19);
    expect(code, context).toBe(0);
  }, 180_000);
});
