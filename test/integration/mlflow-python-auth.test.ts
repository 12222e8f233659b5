// MLflow's own Python client (AuthServiceClient, MlflowClient, the fluent API, MLFLOW_TRACKING_TOKEN)
// runs the flows of test/compat/mlflow_auth_flows.py against a real `cairn server --auth` process.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEBIAN_PYTHON,
  exec,
  mlflowPythonEnv,
  REPO_ROOT,
  startTestServer,
  type TestServer,
} from '../support/cairn-server.js';
import { lacks } from '../support/requirements.js';

const SCRIPT = path.join(REPO_ROOT, 'test/compat/mlflow_auth_flows.py');
const ADMIN = { CAIRN_ADMIN_USERNAME: 'admin', CAIRN_ADMIN_PASSWORD: 'compat-admin-password' };

describe.skipIf(lacks('mlflow-python'))('MLflow Python client against cairn server --auth', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ extraArgs: ['--auth'], env: ADMIN });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  it('runs every auth flow of mlflow_auth_flows.py without a failure', async () => {
    const env = {
      ...mlflowPythonEnv(),
      MLFLOW_TRACKING_URI: server.url,
      MLFLOW_TRACKING_USERNAME: ADMIN.CAIRN_ADMIN_USERNAME,
      MLFLOW_TRACKING_PASSWORD: ADMIN.CAIRN_ADMIN_PASSWORD,
      PYTHONUNBUFFERED: '1',
    };
    const { code, out } = await exec(DEBIAN_PYTHON, [SCRIPT, '--url', server.url], env, 170_000, REPO_ROOT);
    const context = `${out.slice(-12_000)}\n--- server output ---\n${server.cairn?.output().slice(-4000) ?? ''}`;
    const summary = /(\d+) passed, (\d+) failed/.exec(out);
    expect(summary, context).not.toBeNull();
    expect(Number(summary![2]), context).toBe(0);
    expect(Number(summary![1]), context).toBe(7);
    expect(code, context).toBe(0);
  }, 180_000);
});
