// Starts and stops a real `cairn server` child process on loopback for integration tests and
// benchmarks: free port, temp SQLite + artifact dir, wait for /health, graceful stop or kill -9.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedDir } from './shared.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CAIRN_MAIN = path.join(REPO_ROOT, 'src/cli/main.ts');
export const DEBIAN_PYTHON = '/usr/bin/python3';

export { sharedDir } from './shared.js';

export function startMlflowScript(): string {
  return path.join(sharedDir(), 'anchors/mlflow/start_mlflow.sh');
}

/** A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `GET {url}/health` until it answers 200; fails early when `isDead()` turns true. */
export async function waitForHealth(
  url: string,
  timeoutMs = 60_000,
  isDead: () => string | null = () => null,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const dead = isDead();
    if (dead) throw new Error(`server exited before it was healthy: ${dead}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${url}/health not healthy after ${timeoutMs} ms (last: ${last})`);
}

export interface StartCairnOptions {
  /** Directory holding the SQLite file and artifacts; a fresh temp dir when omitted. */
  dataDir?: string;
  /** Overrides the SQLite store (e.g. a postgresql:// URI). */
  backendStoreUri?: string;
  artifactsDir?: string;
  workers?: number;
  port?: number;
  env?: Record<string, string>;
  healthTimeoutMs?: number;
  extraArgs?: string[];
}

export interface CairnServer {
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  dbPath: string;
  backendStoreUri: string;
  artifactsDir: string;
  /** Everything the server printed so far (stdout + stderr), for failure messages. */
  output(): string;
  /** SIGTERM (graceful), then SIGKILL after `graceMs`; resolves when the process group is gone. */
  stop(graceMs?: number): Promise<number | null>;
  /** kill -9 of the server's whole process group (primary + workers), no grace. */
  kill9(): Promise<void>;
  /** Removes the temp data dir if this helper created it. */
  cleanup(): void;
}

/** True when the Cairn CLI entry exists (the server is written by another part of the project). */
export function cairnCliExists(): boolean {
  return existsSync(CAIRN_MAIN);
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Spawns `node --import tsx src/cli/main.ts server …` in its own process group (so a kill -9 takes
 * down every worker with it) and waits for /health.
 */
export async function startCairnServer(opts: StartCairnOptions = {}): Promise<CairnServer> {
  const ownDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'cairn-it-'));
  const dbPath = path.join(dataDir, 'cairn.db');
  const backendStoreUri = opts.backendStoreUri ?? `sqlite:///${dbPath}`;
  const artifactsDir = opts.artifactsDir ?? path.join(dataDir, 'artifacts');
  const port = opts.port ?? (await freePort());
  const args = [
    '--import',
    'tsx',
    CAIRN_MAIN,
    'server',
    '--backend-store-uri',
    backendStoreUri,
    '--artifacts-destination',
    artifactsDir,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    ...(opts.workers ? ['--workers', String(opts.workers)] : []),
    ...(opts.extraArgs ?? []),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, MLFLOW_TRACKING_URI: '', CAIRN_TRACKING_URI: '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid!;
  let out = '';
  const append = (b: Buffer) => {
    out += b.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let exitInfo: string | null = null;
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = `code=${code} signal=${signal}`;
      resolve(code);
    });
  });
  const url = `http://127.0.0.1:${port}`;

  const waitGroupGone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (groupAlive(pid) && Date.now() < deadline) await sleep(50);
    return !groupAlive(pid);
  };
  const kill9 = async () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await exited;
    await waitGroupGone(5000);
  };

  try {
    await waitForHealth(url, opts.healthTimeoutMs ?? 60_000, () => (exitInfo ? `${exitInfo}\n${out}` : null));
  } catch (e) {
    await kill9();
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}\n--- server output ---\n${out.slice(-4000)}`);
  }

  return {
    url,
    port,
    pid,
    dataDir,
    dbPath,
    backendStoreUri,
    artifactsDir,
    output: () => out,
    async stop(graceMs = 10_000) {
      if (exitInfo === null) {
        try {
          process.kill(-pid, 'SIGTERM');
        } catch {
          /* gone */
        }
        const timer = setTimeout(() => {
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }, graceMs);
        const code = await exited;
        clearTimeout(timer);
        await waitGroupGone(graceMs);
        return code;
      }
      return exited;
    },
    kill9,
    cleanup() {
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** PYTHONPATH for Debian's python to import MLflow's client, from `start_mlflow.sh env`. */
export function mlflowPythonEnv(): Record<string, string> {
  const script = startMlflowScript();
  const res = spawnSync('bash', ['-c', 'eval "$("$0" env)" && printf %s "$PYTHONPATH"', script], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: '' },
  });
  if (res.status !== 0) throw new Error(`${script} env failed: ${res.stderr}`);
  return { PYTHONPATH: res.stdout.replace(/:$/, '') };
}

/** Null when Debian's python can import mlflow with that env, else the reason it cannot. */
export function mlflowPythonUnavailable(): string | null {
  if (!existsSync(DEBIAN_PYTHON)) return `${DEBIAN_PYTHON} not found`;
  if (!existsSync(startMlflowScript())) return `${startMlflowScript()} not found (set CAIRN_SHARED)`;
  let env: Record<string, string>;
  try {
    env = mlflowPythonEnv();
  } catch (e) {
    return (e as Error).message;
  }
  const res = spawnSync(DEBIAN_PYTHON, ['-c', 'import mlflow, pandas; print(mlflow.__version__)'], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return res.status === 0 ? null : `${DEBIAN_PYTHON} cannot import mlflow: ${res.stderr.trim().split('\n').pop()}`;
}

export interface TestServer {
  url: string;
  /** The Cairn child process, or null when CAIRN_IT_URL points the test at an external server. */
  cairn: CairnServer | null;
  close(): Promise<void>;
}

/**
 * Cairn on a fresh temp store, or — when `CAIRN_IT_URL` is set — an already running server (used
 * to check that a compatibility test itself is right by running it against the real MLflow).
 */
export async function startTestServer(opts: StartCairnOptions = {}): Promise<TestServer> {
  const external = process.env.CAIRN_IT_URL;
  if (external) return { url: external.replace(/\/$/, ''), cairn: null, close: async () => {} };
  const cairn = await startCairnServer(opts);
  return {
    url: cairn.url,
    cairn,
    async close() {
      await cairn.stop();
      cairn.cleanup();
    },
  };
}

let workersSupport: boolean | undefined;
/** True when `cairn server --help` lists `--workers` (multi-process serving). */
export function cairnSupportsWorkers(): boolean {
  if (workersSupport === undefined) {
    const res = spawnSync(process.execPath, ['--import', 'tsx', CAIRN_MAIN, 'server', '--help'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    workersSupport = /--workers\b/.test(`${res.stdout}${res.stderr}`);
  }
  return workersSupport;
}

export interface ExecResult {
  code: number | null;
  /** stdout and stderr interleaved, as a terminal would show them. */
  out: string;
  err: string;
}

/** Runs a command to completion (SIGKILL after timeoutMs), collecting its output. */
export function exec(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 1_800_000,
  cwd?: string,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      out += b.toString();
      err += b.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/** Runs one of test/compat/*.py with MLflow's Python client against `url`; resolves with its exit code and output. */
export async function runMlflowCompatScript(
  script: string,
  url: string,
  timeoutMs = 170_000,
): Promise<{ code: number | null; output: string }> {
  const env = { ...mlflowPythonEnv(), MLFLOW_TRACKING_URI: url, PYTHONUNBUFFERED: '1' };
  const { code, out } = await exec(DEBIAN_PYTHON, [script, '--url', url], env, timeoutMs, REPO_ROOT);
  return { code, output: out };
}
