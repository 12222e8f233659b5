// The backends every registry store contract test runs against: tracking + registry stores sharing
// one database, a SQLite file in a temp dir or a database on a real PostgreSQL server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlStores as openStores, type SqlStores as Stores } from '../../src/registry/open-stores.js';
import { startPostgres, type TestPostgres } from './postgres.js';
import { lacks } from './requirements.js';

export interface StoresBackend {
  name: 'sqlite' | 'postgres';
  /** Opens both stores on a fresh, empty database; artifact root is `/artifacts`. */
  open(): Promise<Stores>;
  /** Opens both stores again on the database the last open() created (a second process would). */
  reopen(): Promise<Stores>;
  cleanup(): Promise<void>;
}

export const ARTIFACT_ROOT = '/artifacts';

function sqliteBackend(): StoresBackend {
  const dirs: string[] = [];
  const opened: Stores[] = [];
  let last = '';
  const openUri = async (uri: string) => {
    const stores = await openStores(uri, { defaultArtifactRoot: ARTIFACT_ROOT });
    opened.push(stores);
    return stores;
  };
  return {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'cairn-registry-'));
      dirs.push(dir);
      last = `sqlite:///${join(dir, 'cairn.db')}`;
      return openUri(last);
    },
    reopen: () => openUri(last),
    async cleanup() {
      for (const s of opened.splice(0)) await s.close().catch(() => undefined);
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

function postgresBackend(): StoresBackend {
  let server: Promise<TestPostgres> | undefined;
  const opened: Stores[] = [];
  let last = '';
  const openUri = async (uri: string) => {
    const stores = await openStores(uri, { defaultArtifactRoot: ARTIFACT_ROOT, poolSize: 10 });
    opened.push(stores);
    return stores;
  };
  return {
    name: 'postgres',
    async open() {
      server ??= startPostgres();
      const pg = await server;
      last = opened.length === 0 ? pg.uri : await pg.createDatabase();
      return openUri(last);
    },
    reopen: () => openUri(last),
    async cleanup() {
      for (const s of opened.splice(0)) await s.close().catch(() => undefined);
      if (server) await (await server).stop();
      server = undefined;
    },
  };
}

/** Fresh backend objects for one test file, for `describe.each(registryStoreBackends())`. */
export function registryStoreBackends(): StoresBackend[] {
  return lacks('postgres') ? [sqliteBackend()] : [sqliteBackend(), postgresBackend()];
}
