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

/** A `cairn` child process from source: its output so far, its exit, and a stop that waits for the exit. */
export interface CairnChild {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Why it has exited (with its output), or null while it runs. */
  dead(): string | null;
  stop(): Promise<number | null>;
}

/** `cairn ARGS` from source, with no tracking URI inherited; `env` adds variables. */
export function spawnCairn(args: string[], env: Record<string, string> = {}): CairnChild {
  const child = spawn(process.execPath, ['--import', 'tsx', CAIRN_MAIN, ...args], {
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
  const stop = async () => {
    if (dead === null) child.kill('SIGTERM');
    return exited;
  };
  return { child, output: () => out, exited, dead: () => (dead ? `${dead}\n${out}` : null), stop };
}

/** `cairn serve ARGS --port <port, default a free one>`, with no tracking URI inherited; `env` adds variables. */
export async function startServeProcess(
  args: string[],
  env: Record<string, string> = {},
  port?: number,
): Promise<ServeProcess> {
  port ??= await freePort();
  const proc = spawnCairn(['serve', ...args, '--port', String(port)], env);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, 90_000, proc.dead);
  } catch (err) {
    proc.child.kill('SIGKILL');
    throw err;
  }
  return { url, child: proc.child, output: proc.output, exited: proc.exited };
}

/** SIGTERM, then waits for the exit. */
export async function stopServeProcess(server: ServeProcess): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
  await server.exited;
}
