// The migration runner every owning layer uses for its own list (tracking's tables in tracking,
// the registry's and the webhooks' in registry). Versioned and forward-only on SQLite and
// PostgreSQL: each version runs in its own transaction, under the dialect's migration lock, and
// is recorded in schema_migrations, so a crash mid-way or two processes starting at once leave
// the schema either before or after a version, never between.
//
// Version numbers are one sequence shared by every layer's list, not one per layer. Databases
// created before the lists were split hold versions 1..5 in schema_migrations (1-2 tracking,
// 3-4 registry, 5 webhooks); keeping the numbers global lets them open unchanged, with the same
// single-column table older Cairn processes still read. A new migration takes the next number no
// list uses yet (src/registry/sql/migrations.test.ts fails when two lists claim one), and the
// runner refuses a recorded version whose name differs from the list's, so a collision that
// reaches a database is reported instead of silently skipping a migration.
import { InvalidState } from '../core/errors.js';
import type { Dialect } from './dialect.js';
import type { SqlDatabase, SqlExecutor } from './sql-database.js';

export interface Migration {
  /** Unique across every layer's list (see above); never renumbered once released. */
  version: number;
  /** Recorded with the version and checked on every start; never renamed once released. */
  name: string;
  statements(dialect: Dialect): string[];
}

const ENSURE_TABLE =
  'CREATE TABLE IF NOT EXISTS schema_migrations ' +
  '(version INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)';

function checkList(migrations: Migration[]): void {
  const seen = new Map<number, string>();
  for (const m of migrations) {
    const other = seen.get(m.version);
    if (other !== undefined) {
      throw new Error(`Migrations '${other}' and '${m.name}' share version ${m.version}; every version must be unique`);
    }
    seen.set(m.version, m.name);
  }
}

/** The name recorded for `version`, or undefined when it has not been applied. */
async function recordedName(tx: SqlExecutor, version: number): Promise<string | undefined> {
  const row = await tx.get<{ name: string }>('SELECT name FROM schema_migrations WHERE version = ?', [version]);
  return row?.name;
}

function refuseMismatch(m: Migration, recorded: string): never {
  throw new InvalidState(
    `Database schema version ${m.version} is recorded as '${recorded}', but this Cairn knows it as '${m.name}': ` +
      'two migrations claim the same version, or the database was written by a different program.',
  );
}

/** Applies every migration of `migrations` not yet recorded, in version order; returns the versions it applied. */
export async function migrate(db: SqlDatabase, migrations: Migration[]): Promise<number[]> {
  checkList(migrations);
  await db.transaction(async (tx) => {
    if (db.dialect.migrationLock) await tx.exec(db.dialect.migrationLock);
    await tx.exec(ENSURE_TABLE);
  });
  const rows = await db.all<{ version: number; name: string }>('SELECT version, name FROM schema_migrations');
  const done = new Map(rows.map((r) => [Number(r.version), r.name]));
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    const seen = done.get(m.version);
    if (seen !== undefined) {
      if (seen !== m.name) refuseMismatch(m, seen);
      continue;
    }
    await db.transaction(async (tx) => {
      if (db.dialect.migrationLock) await tx.exec(db.dialect.migrationLock);
      // Re-check under the lock: another process may have applied it since we looked.
      const already = await recordedName(tx, m.version);
      if (already !== undefined) {
        if (already !== m.name) refuseMismatch(m, already);
        return;
      }
      for (const statement of m.statements(db.dialect)) await tx.exec(statement);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        Date.now(),
      ]);
      applied.push(m.version);
    });
  }
  return applied;
}
