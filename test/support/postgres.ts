// Starts a real, throwaway PostgreSQL 15 server for tests (initdb in a temp dir, loopback port,
// fsync off), or reuses the server named by CAIRN_TEST_PG_URI; either way each call gets its own
// fresh database, so test files never see each other's data.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const PG_BIN = '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  /** Connection URI of a fresh database on the server. */
  uri: string;
  /** Creates another fresh database on the same server and returns its URI. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function runAsPostgres(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('runuser', ['-u', 'postgres', '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

function withDatabase(uri: string, database: string): string {
  const url = new URL(uri);
  url.pathname = `/${database}`;
  return url.toString();
}

async function createFreshDatabase(adminUri: string): Promise<{ uri: string; name: string }> {
  const name = `cairn_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const client = new pg.Client({ connectionString: adminUri });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return { uri: withDatabase(adminUri, name), name };
}

async function dropDatabase(adminUri: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUri });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

async function reuseServer(adminUri: string): Promise<TestPostgres> {
  const created: string[] = [];
  const create = async (): Promise<string> => {
    const db = await createFreshDatabase(adminUri);
    created.push(db.name);
    return db.uri;
  };
  const uri = await create();
  return {
    uri,
    createDatabase: create,
    stop: async () => {
      for (const name of created) {
        await dropDatabase(adminUri, name).catch((e: Error) =>
          console.warn(`could not drop test database ${name}: ${e.message}`),
        );
      }
    },
  };
}

async function startServer(dir: string): Promise<{ port: number; dataDir: string }> {
  const dataDir = join(dir, 'data');
  const init = await runAsPostgres([
    `${PG_BIN}/initdb`,
    '-D',
    dataDir,
    '-A',
    'trust',
    '-U',
    'postgres',
    '-E',
    'UTF8',
    '--no-sync',
    '--locale=C',
  ]);
  if (init.code !== 0) throw new Error(`initdb failed:\n${init.output}`);
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const options =
      `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off` +
      ' -c synchronous_commit=off -c full_page_writes=off -c max_connections=200';
    const res = await runAsPostgres([
      `${PG_BIN}/pg_ctl`,
      '-D',
      dataDir,
      '-o',
      options,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      'start',
    ]);
    if (res.code === 0) return { port, dataDir };
    lastError = res.output; // most likely the port was taken between probing and binding
  }
  throw new Error(`pg_ctl start failed:\n${lastError}`);
}

export async function startPostgres(): Promise<TestPostgres> {
  if (process.env.CAIRN_TEST_PG_URI) return reuseServer(process.env.CAIRN_TEST_PG_URI);
  const dir = mkdtempSync(join(tmpdir(), 'cairn-pg-'));
  const owner = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const group = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  chownSync(dir, Number(owner.stdout.trim()), Number(group.stdout.trim()));
  let server: { port: number; dataDir: string };
  try {
    server = await startServer(dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  // If the test process dies without calling stop(), do not leave a server behind.
  const stopSync = (): void => {
    spawnSync(
      'runuser',
      ['-u', 'postgres', '--', `${PG_BIN}/pg_ctl`, '-D', server.dataDir, '-m', 'immediate', 'stop'],
      { stdio: 'ignore' },
    );
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopSync);
  const adminUri = `postgresql://postgres@127.0.0.1:${server.port}/postgres`;
  const first = await createFreshDatabase(adminUri);
  return {
    uri: first.uri,
    createDatabase: async () => (await createFreshDatabase(adminUri)).uri,
    stop: async () => {
      process.removeListener('exit', stopSync);
      await runAsPostgres([`${PG_BIN}/pg_ctl`, '-D', server.dataDir, '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
