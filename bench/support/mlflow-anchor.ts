// Starts the real MLflow 2.17.2 server (../shared/anchors/mlflow/start_mlflow.sh) on a free port with
// a fresh data dir for one benchmark phase, and stops it after; re-exports the child-process runner
// the benchmarks use for the anchor's scripts.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exec, freePort, startMlflowScript, waitForHealth } from '../../test/support/cairn-server.js';

export { exec };

/** Runs `body` against a fresh MLflow server (its own port and data dir), stopping it afterwards. */
export async function withMlflowServer<T>(
  tmpPrefix: string,
  body: (url: string, port: number) => Promise<T>,
): Promise<T> {
  const port = await freePort();
  const data = mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
  const env = { MLFLOW_DATA: data };
  const started = await exec('bash', [startMlflowScript(), 'start', String(port)], env, 300_000);
  if (started.code !== 0) throw new Error(`start_mlflow.sh start failed:\n${started.out}`);
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, 120_000);
    await new Promise((r) => setTimeout(r, 1000)); // let gunicorn's workers finish booting
    return await body(url, port);
  } finally {
    await exec('bash', [startMlflowScript(), 'stop', String(port)], env, 60_000);
    rmSync(data, { recursive: true, force: true });
  }
}
