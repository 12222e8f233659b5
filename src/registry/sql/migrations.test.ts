// The registry's and the webhooks' migration lists beside tracking's, on both engines: version
// numbers stay unique across the layers, a database created by the single combined list of
// earlier releases opens unchanged with nothing re-run, a fresh database gets every table, and
// two processes opening one database at once apply each version exactly once.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type TestPostgres } from '../../../test/support/postgres.js';
import { lacks } from '../../../test/support/requirements.js';
import { migrate } from '../../db/migrate.js';
import { PostgresDatabase } from '../../db/postgres-database.js';
import type { SqlDatabase } from '../../db/sql-database.js';
import { openSqliteDatabase } from '../../db/sqlite-database.js';
import { TRACKING_MIGRATIONS } from '../../tracking/sql/migrations.js';
import { openSqlStores as openStores } from '../open-stores.js';
import { migrateRegistrySchema } from '../registry-schema.js';
import { WEBHOOK_MIGRATIONS } from '../webhooks/webhook-migrations.js';
import { REGISTRY_MIGRATIONS } from './migrations.js';

const ALL = [...TRACKING_MIGRATIONS, ...REGISTRY_MIGRATIONS, ...WEBHOOK_MIGRATIONS];
const REGISTRY_TABLES = [
  'registered_models',
  'model_versions',
  'registered_model_tags',
  'model_version_tags',
  'registered_model_aliases',
  'registry_audit',
  'registry_policies',
  'registry_webhooks',
  'registry_webhook_deliveries',
];

const dir = mkdtempSync(join(tmpdir(), 'cairn-registry-migrations-'));
let pg: Promise<TestPostgres> | undefined;
let sqliteFiles = 0;

interface Fresh {
  uri: string;
  connect(): Promise<SqlDatabase>;
}

const engines: { name: string; fresh(): Promise<Fresh> }[] = [
  {
    name: 'sqlite',
    fresh: async () => {
      const file = join(dir, `r${sqliteFiles++}.db`);
      return { uri: `sqlite:///${file}`, connect: () => openSqliteDatabase(file) };
    },
  },
  {
    name: 'postgres',
    fresh: async () => {
      pg ??= startPostgres();
      const uri = await (await pg).createDatabase();
      return { uri, connect: async () => new PostgresDatabase(uri, 2) };
    },
  },
];

afterAll(async () => {
  if (pg) await (await pg).stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Recorded {
  version: number;
  name: string;
  applied_at: number;
}

async function recorded(db: SqlDatabase): Promise<Recorded[]> {
  const rows = await db.all<Recorded>('SELECT version, name, applied_at FROM schema_migrations ORDER BY version');
  return rows.map((r) => ({ version: Number(r.version), name: r.name, applied_at: Number(r.applied_at) }));
}

/** Runs `check` on a connection of its own, as another process inspecting the database would. */
async function inspect<T>(fresh: Fresh, check: (db: SqlDatabase) => Promise<T>): Promise<T> {
  const db = await fresh.connect();
  try {
    return await check(db);
  } finally {
    await db.close();
  }
}

describe('migration lists across layers', () => {
  it('keep the versions and names earlier releases recorded, and no version is claimed twice', () => {
    // What schema_migrations holds in a database created before the lists were split.
    expect(ALL.map((m) => [m.version, m.name])).toEqual([
      [1, 'tracking schema'],
      [2, 'param and tag value-prefix indexes'],
      [3, 'model registry'],
      [4, 'registry audit trail and promotion policies'],
      [5, 'registry webhooks'],
    ]);
    const versions = ALL.map((m) => m.version);
    expect(new Set(versions).size).toBe(versions.length);
  });
});

describe.each(lacks('postgres') ? engines.slice(0, 1) : engines)('registry migrations on $name', (engine) => {
  it('a database created by the earlier combined list opens unchanged, nothing re-run, data kept', async () => {
    const fresh = await engine.fresh();
    const legacy = await fresh.connect();
    // Earlier releases ran one list holding every table, in one call, from the tracking store.
    await migrate(legacy, ALL);
    await legacy.run(
      'INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (?, ?, ?, ?)',
      ['legacy-model', 1, 1, 'from before the split'],
    );
    await legacy.run(
      `INSERT INTO registry_webhooks
         (id, name, url, events, model_name, secret, description, active, creation_time, last_updated_time)
       VALUES (?, ?, ?, ?, NULL, ?, NULL, 1, 1, 1)`,
      ['wh1', 'hook', 'https://example.com/hook', 'MODEL_VERSION_CREATED', 's3cret'],
    );
    const before = await recorded(legacy);
    await legacy.close();

    const stores = await openStores(fresh.uri, { defaultArtifactRoot: '/artifacts' });
    try {
      expect((await stores.registry.getRegisteredModel('legacy-model')).description).toBe('from before the split');
      expect((await stores.webhooks.listWebhooks()).map((w) => w.id)).toEqual(['wh1']);
      expect(await inspect(fresh, recorded)).toEqual(before);
      expect(await inspect(fresh, migrateRegistrySchema)).toEqual([]);
    } finally {
      await stores.close();
    }
  });

  it("a fresh database gets every layer's tables", async () => {
    const fresh = await engine.fresh();
    const stores = await openStores(fresh.uri, { defaultArtifactRoot: '/artifacts' });
    try {
      expect((await inspect(fresh, recorded)).map((r) => r.version)).toEqual([1, 2, 3, 4, 5]);
      await inspect(fresh, async (db) => {
        for (const table of ['experiments', 'runs', ...REGISTRY_TABLES]) await db.all(`SELECT * FROM ${table}`);
      });
      await stores.registry.createRegisteredModel('fresh-model');
      expect((await stores.registry.getRegisteredModel('fresh-model')).name).toBe('fresh-model');
    } finally {
      await stores.close();
    }
  });

  it("a database with only tracking's tables gets the registry's on the next open", async () => {
    const fresh = await engine.fresh();
    const db = await fresh.connect();
    expect(await migrate(db, TRACKING_MIGRATIONS)).toEqual([1, 2]);
    expect(await migrateRegistrySchema(db)).toEqual([3, 4, 5]);
    expect(await migrateRegistrySchema(db)).toEqual([]);
    await db.close();
  });

  it('two processes opening a fresh database at once apply each version exactly once', async () => {
    const fresh = await engine.fresh();
    const [a, b] = await Promise.all([
      openStores(fresh.uri, { defaultArtifactRoot: '/artifacts', poolSize: 2 }),
      openStores(fresh.uri, { defaultArtifactRoot: '/artifacts', poolSize: 2 }),
    ]);
    try {
      expect((await inspect(fresh, recorded)).map((r) => r.version)).toEqual([1, 2, 3, 4, 5]);
      await a.registry.createRegisteredModel('raced');
      expect((await b.registry.getRegisteredModel('raced')).name).toBe('raced');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('two registry migrations racing on one database apply each version exactly once', async () => {
    const fresh = await engine.fresh();
    const [a, b] = await Promise.all([fresh.connect(), fresh.connect()]);
    await migrate(a, TRACKING_MIGRATIONS);
    const [ra, rb] = await Promise.all([migrateRegistrySchema(a), migrateRegistrySchema(b)]);
    expect([...ra, ...rb].sort()).toEqual([3, 4, 5]);
    expect((await recorded(a)).map((r) => r.version)).toEqual([1, 2, 3, 4, 5]);
    await Promise.all([a.close(), b.close()]);
  });
});
