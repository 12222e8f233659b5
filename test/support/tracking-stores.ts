// The tracking-store backends every store contract test runs against: a SQLite file in a temp
// dir and a database on a real PostgreSQL server (started once per test file, lazily).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTrackingStore } from '../../src/tracking/open-store.js';
import type { TrackingStore } from '../../src/tracking/store.js';
import { startPostgres, type TestPostgres } from './postgres.js';
import { lacks } from './requirements.js';

export interface TrackingStoreBackend {
  name: 'sqlite' | 'postgres';
  /** Opens a store on a fresh, empty database; artifact root is `/artifacts`. */
  open(): Promise<TrackingStore>;
  /** Opens a second store on the database the last open() created (as another process would). */
  reopen(): Promise<TrackingStore>;
  /** Closes what open() created and removes its files / stops its server. */
  cleanup(): Promise<void>;
}

export const ARTIFACT_ROOT = '/artifacts';

function sqliteBackend(): TrackingStoreBackend {
  const dirs: string[] = [];
  const stores: TrackingStore[] = [];
  let last = '';
  const openUri = async (uri: string) => {
    const store = await openTrackingStore(uri, { defaultArtifactRoot: ARTIFACT_ROOT });
    stores.push(store);
    return store;
  };
  return {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'cairn-store-'));
      dirs.push(dir);
      last = `sqlite:///${join(dir, 'cairn.db')}`;
      return openUri(last);
    },
    reopen: () => openUri(last),
    async cleanup() {
      for (const s of stores.splice(0)) await s.close().catch(() => undefined);
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

function postgresBackend(): TrackingStoreBackend {
  let server: Promise<TestPostgres> | undefined;
  const stores: TrackingStore[] = [];
  let last = '';
  const openUri = async (uri: string) => {
    const store = await openTrackingStore(uri, { defaultArtifactRoot: ARTIFACT_ROOT });
    stores.push(store);
    return store;
  };
  return {
    name: 'postgres',
    async open() {
      server ??= startPostgres();
      const pg = await server;
      last = stores.length === 0 ? pg.uri : await pg.createDatabase();
      return openUri(last);
    },
    reopen: () => openUri(last),
    async cleanup() {
      for (const s of stores.splice(0)) await s.close().catch(() => undefined);
      if (server) await (await server).stop();
      server = undefined;
    },
  };
}

/** Fresh backend objects for one test file, for `describe.each(trackingStoreBackends())`. */
export function trackingStoreBackends(): TrackingStoreBackend[] {
  return lacks('postgres') ? [sqliteBackend()] : [sqliteBackend(), postgresBackend()];
}
