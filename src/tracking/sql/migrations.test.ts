// The runner (src/db/migrate.ts) with tracking's list, on both engines: applied once, safe when two
// processes start together, a failing version leaves no trace, and a version recorded under
// another name is refused. The registry's lists and databases from before the split:
// src/registry/sql/migrations.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type TestPostgres } from '../../../test/support/postgres.js';
import { TRACKING_MIGRATIONS as MIGRATIONS } from './migrations.js';
import { migrate, type Migration } from '../../db/migrate.js';
import { lacks } from '../../../test/support/requirements.js';
import { PostgresDatabase } from '../../db/postgres-database.js';
import type { SqlDatabase } from '../../db/sql-database.js';
import { openSqliteDatabase } from '../../db/sqlite-database.js';

const dir = mkdtempSync(join(tmpdir(), 'cairn-migrations-'));
let pg: Promise<TestPostgres> | undefined;
let sqliteFiles = 0;

const engines: { name: string; fresh(): Promise<() => Promise<SqlDatabase>> }[] = [
  {
    name: 'sqlite',
    fresh: async () => {
      const file = join(dir, `m${sqliteFiles++}.db`);
      return () => openSqliteDatabase(file);
    },
  },
  {
    name: 'postgres',
    fresh: async () => {
      pg ??= startPostgres();
      const uri = await (await pg).createDatabase();
      return async () => new PostgresDatabase(uri, 2);
    },
  },
];

afterAll(async () => {
  if (pg) await (await pg).stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(lacks('postgres') ? engines.slice(0, 1) : engines)('migrations on $name', (engine) => {
  it('applies every version once, in order, and records it', async () => {
    const connect = await engine.fresh();
    const db = await connect();
    expect(await migrate(db, MIGRATIONS)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await migrate(db, MIGRATIONS)).toEqual([]);
    const rows = await db.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
    // tracking's list creates tracking's tables only; the registry's are the registry's to create
    await db.all('SELECT * FROM runs');
    await expect(db.all('SELECT * FROM registered_models')).rejects.toThrow();
    await db.close();
  });

  it('two connections migrating at once apply each version exactly once', async () => {
    const connect = await engine.fresh();
    const [a, b] = await Promise.all([connect(), connect()]);
    const [ra, rb] = await Promise.all([migrate(a, MIGRATIONS), migrate(b, MIGRATIONS)]);
    expect([...ra, ...rb].sort()).toEqual(MIGRATIONS.map((m) => m.version).sort());
    const rows = await a.all<{ n: number }>('SELECT COUNT(*) AS n FROM schema_migrations');
    expect(Number(rows[0].n)).toBe(MIGRATIONS.length);
    await Promise.all([a.close(), b.close()]);
  });

  it('rolls back a failing version completely', async () => {
    const connect = await engine.fresh();
    const db = await connect();
    const broken: Migration[] = [
      ...MIGRATIONS,
      { version: 99, name: 'broken', statements: () => ['CREATE TABLE half_done (id INTEGER)', 'THIS IS NOT SQL'] },
    ];
    await expect(migrate(db, broken)).rejects.toThrow();
    const versions = (await db.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) =>
      Number(r.version),
    );
    expect(versions).not.toContain(99);
    await expect(db.all('SELECT * FROM half_done')).rejects.toThrow();
    await db.close();
  });

  it('refuses a version recorded under another name instead of skipping it', async () => {
    const connect = await engine.fresh();
    const db = await connect();
    await migrate(db, MIGRATIONS);
    const impostor: Migration = {
      version: 2,
      name: 'something else',
      statements: () => ['CREATE TABLE never_made (id INTEGER)'],
    };
    await expect(migrate(db, [impostor])).rejects.toThrow(/version 2 is recorded as 'param and tag value-prefix/);
    await expect(db.all('SELECT * FROM never_made')).rejects.toThrow();
    await db.close();
  });

  it('refuses a list in which two migrations share a version', async () => {
    const connect = await engine.fresh();
    const db = await connect();
    const twins: Migration[] = [
      { version: 7, name: 'a', statements: () => ['CREATE TABLE twin_a (id INTEGER)'] },
      { version: 7, name: 'b', statements: () => ['CREATE TABLE twin_b (id INTEGER)'] },
    ];
    await expect(migrate(db, twins)).rejects.toThrow(/share version 7/);
    await expect(db.all('SELECT * FROM twin_a')).rejects.toThrow();
    await db.close();
  });
});
