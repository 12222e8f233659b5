// `cairn server` as a child process, as users and the reliability tests run it: flag validation,
// a 200 MB artifact streamed both ways with bounded memory, graceful SIGTERM, and --workers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../..');
const CLI = ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts')];
/** The same, runnable from any working directory (tsx found by its path, not from the cwd). */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const CLI_ANYWHERE = ['--import', TSX_LOADER, path.join(REPO, 'src/cli/main.ts')];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-process-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

interface Spawned {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

async function spawnServer(name: string, extra: string[] = [], detached = false): Promise<Spawned> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...CLI,
      'server',
      '--backend-store-uri',
      `sqlite:///${dir}/${name}.db`,
      '--artifacts-destination',
      path.join(dir, `${name}-artifacts`),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--log-level',
      'warn',
      ...extra,
    ],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], detached },
  );
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early: ${out}`);
    try {
      if ((await fetch(`${url}/health`)).status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`server did not become healthy: ${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, url, output: () => out, exited };
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((s) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(s)?.[1]));
}

function chunkFor(i: number, base: Buffer): Buffer {
  const c = Buffer.from(base);
  c.writeUInt32BE(i, 0); // every chunk differs, so a reordered or dropped chunk changes the hash
  return c;
}

/** PUT with a body written chunk by chunk; `between` runs after each chunk is written. */
function streamingPut(
  url: string,
  chunks: number,
  base: Buffer,
  between?: (i: number) => Promise<void>,
): Promise<{ status: number; body: string; sha: string }> {
  const hash = createHash('sha256');
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sha: hash.digest('hex') }));
    });
    req.on('error', reject);
    (async () => {
      for (let i = 0; i < chunks; i++) {
        const c = chunkFor(i, base);
        hash.update(c);
        if (!req.write(c)) await new Promise((r) => req.once('drain', r));
        if (between) await between(i);
      }
      req.end();
    })().catch(reject);
  });
}

function streamingGetSha(url: string): Promise<{ status: number; sha: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const hash = createHash('sha256');
        let bytes = 0;
        res.on('data', (d: Buffer) => {
          hash.update(d);
          bytes += d.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, sha: hash.digest('hex'), bytes }));
      })
      .on('error', reject);
  });
}

describe('cairn server flags', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [...CLI, ...args], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });

  it('explains every flag with its default in --help', () => {
    const res = run('server', '--help');
    expect(res.status).toBe(0);
    for (const flag of [
      '--backend-store-uri',
      '--default-artifact-root',
      '--artifacts-destination',
      '--serve-artifacts',
      '--no-serve-artifacts',
      '--host',
      '--port',
      '--workers',
      '--log-level',
    ]) {
      expect(res.stdout).toContain(flag);
    }
    expect(res.stdout).toContain('default: 5000');
    expect(res.stdout).toContain('sqlite:///cairn-data/cairn.db');
  });

  it.each([
    [['--port', 'abc'], '--port must be an integer between 0 and 65535'],
    [['--port', '70000'], '--port must be an integer between 0 and 65535'],
    [['--workers', '0'], '--workers must be an integer'],
    [['--log-level', 'loud'], '--log-level must be one of'],
    [['--backend-store-uri', 'http://localhost:5000'], '--backend-store-uri must be'],
    [['--frobnicate'], "unknown option '--frobnicate'"],
  ])('rejects %j with exit status 2 and a message naming the flag', (args, message) => {
    const res = run('server', ...args);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(message);
  });
});

describe('cairn server process', () => {
  it('streams a 200 MB artifact up and down, checked by hash, with bounded server memory', async () => {
    const srv = await spawnServer('big');
    try {
      const pid = srv.child.pid as number;
      const baseline = await statusKb(pid, 'VmRSS');
      const base = Buffer.alloc(1 << 20);
      for (let i = 0; i < base.length; i++) base[i] = (i * 2654435761) >>> 24;
      const up = await streamingPut(`${srv.url}/api/2.0/mlflow-artifacts/artifacts/big/blob.bin`, 200, base);
      expect(up.status).toBe(200);
      const down = await streamingGetSha(`${srv.url}/api/2.0/mlflow-artifacts/artifacts/big/blob.bin`);
      expect(down.status).toBe(200);
      expect(down.bytes).toBe(200 << 20);
      expect(down.sha).toBe(up.sha);
      const peakGrowthMb = ((await statusKb(pid, 'VmHWM')) - baseline) / 1024;
      expect(peakGrowthMb).toBeLessThan(80);
    } finally {
      srv.child.kill('SIGKILL');
      await srv.exited;
    }
  });

  it('finishes an in-flight upload on SIGTERM, refuses new work, then exits 0', async () => {
    const srv = await spawnServer('graceful');
    const base = Buffer.alloc(256 * 1024, 7);
    let signalled = false;
    const upload = streamingPut(`${srv.url}/api/2.0/mlflow-artifacts/artifacts/slow/file.bin`, 12, base, async (i) => {
      if (i === 3) {
        srv.child.kill('SIGTERM');
        signalled = true;
        await new Promise((r) => setTimeout(r, 500));
        // the listening socket is closed: a new connection is refused
        await expect(fetch(`${srv.url}/health`)).rejects.toThrow();
      } else {
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    const res = await upload;
    expect(signalled).toBe(true);
    expect(res.status).toBe(200);
    expect(await srv.exited).toBe(0);
    const stored = await readFile(path.join(dir, 'graceful-artifacts', 'slow', 'file.bin'));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(res.sha);
  });

  it('serves from several workers with --workers 2 and stops them all on SIGTERM', async () => {
    const srv = await spawnServer('cluster', ['--workers', '2']);
    const pid = srv.child.pid as number;
    try {
      // /health answers as soon as one worker listens; the banner waits for all of them
      for (let i = 0; i < 100 && !srv.output().includes('listening on'); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(srv.output()).toContain(`Cairn tracking server listening on ${srv.url}`);
      const workers = spawnSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' })
        .stdout.trim()
        .split(/\s+/);
      expect(workers).toHaveLength(2);
      const api = `${srv.url}/api/2.0/mlflow`;
      const created = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          fetch(`${api}/experiments/create`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: `c-${i}` }),
          }).then((r) => r.json() as Promise<{ experiment_id: string }>),
        ),
      );
      expect(new Set(created.map((c) => c.experiment_id)).size).toBe(30);
      const search = (await (await fetch(`${api}/experiments/search?max_results=100`)).json()) as {
        experiments: unknown[];
      };
      expect(search.experiments).toHaveLength(31); // with the Default experiment
      srv.child.kill('SIGTERM');
      expect(await srv.exited).toBe(0);
      for (const w of workers) expect(() => process.kill(Number(w), 0)).toThrow();
    } finally {
      srv.child.kill('SIGKILL');
    }
  });

  it('Ctrl-C (SIGINT to the whole process group) stops a cluster gracefully', async () => {
    const srv = await spawnServer('ctrl-c', ['--workers', '2'], true);
    const pid = srv.child.pid as number;
    try {
      for (let i = 0; i < 100 && !srv.output().includes('listening on'); i++)
        await new Promise((r) => setTimeout(r, 100));
      process.kill(-pid, 'SIGINT');
      expect(await srv.exited).toBe(0);
      expect(srv.output()).not.toContain('second stop request');
    } finally {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });

  it('cluster workers exit when the primary is killed with SIGKILL', async () => {
    const srv = await spawnServer('orphans', ['--workers', '2']);
    const pid = srv.child.pid as number;
    const workers = spawnSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' })
      .stdout.trim()
      .split(/\s+/)
      .map(Number);
    expect(workers).toHaveLength(2);
    srv.child.kill('SIGKILL');
    await srv.exited;
    const deadline = Date.now() + 10_000;
    const alive = () =>
      workers.filter((w) => {
        try {
          process.kill(w, 0);
          return true;
        } catch {
          return false;
        }
      });
    while (alive().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(alive()).toEqual([]);
  });
});

describe('cairn server start-up failures', () => {
  /** Runs `cairn server` in a fresh empty working directory, where its defaults put ./cairn-data. */
  type Outcome = { status: number | null; stderr: string; left: string[] };
  async function serverIn(name: string, args: string[]): Promise<Outcome> {
    const cwd = path.join(dir, name);
    mkdirSync(cwd);
    const child = spawn(process.execPath, [...CLI_ANYWHERE, 'server', '--log-level', 'warn', ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MLFLOW_TRACKING_URI: '', CAIRN_TRACKING_URI: '' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    clearTimeout(timer);
    return { status, stderr, left: readdirSync(cwd) };
  }

  it.each([[1], [2]])(
    'on a port in use (--workers %i): exits 1 naming the port, leaves no ./cairn-data',
    async (workers) => {
      const taken = net.createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const { port } = taken.address() as net.AddressInfo;
      try {
        const res = await serverIn(`port-in-use-${workers}`, ['--port', String(port), '--workers', String(workers)]);
        expect(res.status).toBe(1);
        expect(res.stderr).toContain(`cannot listen on 127.0.0.1:${port}: port ${port} is already in use (--port)`);
        expect(res.left).toEqual([]);
      } finally {
        taken.close();
      }
    },
    70_000,
  );

  it('names an --artifacts-destination it cannot create, and removes the store directory it made', async () => {
    const cwd = path.join(dir, 'bad-artifacts');
    mkdirSync(cwd);
    writeFileSync(path.join(cwd, 'a-file'), '');
    const artifacts = path.join(cwd, 'a-file', 'artifacts');
    const res = await serverIn('bad-artifacts/run', ['--port', '0', '--artifacts-destination', artifacts]);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(`cannot create the --artifacts-destination directory ${artifacts}`);
    expect(res.left).toEqual([]);
  }, 70_000);

  it('names a --backend-store-uri directory it cannot create', async () => {
    const cwd = path.join(dir, 'bad-store');
    mkdirSync(cwd);
    writeFileSync(path.join(cwd, 'a-file'), '');
    const uri = `sqlite:///${cwd}/a-file/sub/cairn.db`;
    const res = await serverIn('bad-store/run', ['--port', '0', '--backend-store-uri', uri]);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(`cannot create the --backend-store-uri directory ${path.join(cwd, 'a-file', 'sub')}`);
    expect(res.left).toEqual([]);
  }, 70_000);

  it('names a SQLite file it cannot open, and removes the ./cairn-data it made for artifacts', async () => {
    const dbFile = path.join(dir, 'cannot-open-target', 'is-a-directory.db');
    mkdirSync(dbFile, { recursive: true });
    const res = await serverIn('cannot-open', ['--port', '0', '--backend-store-uri', `sqlite:///${dbFile}`]);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(
      `cannot open the SQLite database file ${dbFile} (--backend-store-uri): unable to open`,
    );
    expect(res.left).toEqual([]);
  }, 70_000);

  it("logs a dead worker's pid once, under its own key", async () => {
    const srv = await spawnServer('respawn', ['--workers', '2']);
    const pid = srv.child.pid as number;
    try {
      // the banner waits for every worker: a worker dying before it would be a start-up failure
      const waitFor = async (text: string) => {
        for (let i = 0; i < 100 && !srv.output().includes(text); i++) await new Promise((r) => setTimeout(r, 100));
      };
      await waitFor('listening on');
      const ps = spawnSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' });
      const victim = Number(ps.stdout.trim().split(/\s+/)[0]);
      process.kill(victim, 'SIGKILL');
      await waitFor('worker died');
      const line = srv
        .output()
        .split('\n')
        .find((l) => l.includes('worker died'))!;
      expect(line.match(/"pid":/g)).toHaveLength(1);
      expect(JSON.parse(line)).toMatchObject({ pid, workerPid: victim, signal: 'SIGKILL' });
    } finally {
      srv.child.kill('SIGKILL');
      await srv.exited;
    }
  }, 70_000);
});
