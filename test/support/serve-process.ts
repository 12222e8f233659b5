// Runs `cairn serve …` from source as a real process on a free loopback port and waits for /health.
import { spawn, type ChildProcess } from 'node:child_process';
import { CAIRN_MAIN, freePort, REPO_ROOT, waitForHealth } from './cairn-server.js';

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  /** Everything it printed so far (stdout + stderr). */
  output(): string;
  exited: Promise<number | null>;
}

/** `cairn serve ARGS --port <port, default a free one>`, with no tracking URI inherited; `env` adds variables. */
export async function startServeProcess(
  args: string[],
  env: Record<string, string> = {},
  port?: number,
): Promise<ServeProcess> {
  port ??= await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', CAIRN_MAIN, 'serve', ...args, '--port', String(port)], {
    cwd: REPO_ROOT,
    env: { ...process.env, MLFLOW_TRACKING_URI: '', CAIRN_TRACKING_URI: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b) => {
    out += b;
  });
  child.stderr!.on('data', (b) => {
    out += b;
  });
  let dead: string | null = null;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      dead = `code=${code} signal=${signal}`;
      resolve(code);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, 90_000, () => (dead ? `${dead}\n${out}` : null));
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return { url, child, output: () => out, exited };
}

/** SIGTERM, then waits for the exit. */
export async function stopServeProcess(server: ServeProcess): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
  await server.exited;
}
