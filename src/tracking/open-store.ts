// Opens the tracking store a URI names: `sqlite:///relative.db`, `sqlite:////abs/path.db`,
// `sqlite://:memory:`, `postgresql://user:pw@host:port/db` (or `postgres://`). Runs migrations.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidParameter } from '../core/errors.js';
import { PostgresDatabase } from '../db/postgres-database.js';
import { SqlTrackingStore } from './sql/sql-tracking-store.js';
import { openSqliteDatabase } from '../db/sqlite-database.js';
import type { SqlDatabase } from '../db/sql-database.js';

export interface OpenTrackingStoreOptions {
  defaultArtifactRoot: string;
  /** PostgreSQL connection pool size (default 10). */
  poolSize?: number;
  /** Runs kept between searches by a long-lived server (see SqlTrackingStoreOptions); default none. */
  runCacheCapacity?: number;
}

const SUPPORTED =
  'sqlite:///relative/path.db, sqlite:////absolute/path.db, sqlite://:memory:, postgresql://user:password@host:port/database';

export type ParsedStoreUri = { kind: 'sqlite'; filename: string } | { kind: 'postgres'; connectionString: string };

export function parseTrackingStoreUri(uri: string): ParsedStoreUri {
  if (typeof uri !== 'string' || uri === '')
    throw new InvalidParameter(`A tracking store URI is required. Supported forms: ${SUPPORTED}`);
  if (uri === 'sqlite://:memory:' || uri === 'sqlite:///:memory:' || uri === 'sqlite://')
    return { kind: 'sqlite', filename: ':memory:' };
  if (uri.startsWith('sqlite:///')) {
    // sqlite:///a.db is relative (a.db); sqlite:////abs/a.db keeps its leading slash (/abs/a.db).
    const path = decodeURIComponent(uri.slice('sqlite:///'.length).split('?')[0]);
    if (path === '') throw new InvalidParameter(`The SQLite URI '${uri}' names no file. Supported forms: ${SUPPORTED}`);
    return { kind: 'sqlite', filename: resolve(path) };
  }
  const pg = /^(postgresql|postgres)(\+[a-z0-9_]+)?:\/\//i.exec(uri);
  if (pg) return { kind: 'postgres', connectionString: `postgresql://${uri.slice(pg[0].length)}` };
  throw new InvalidParameter(
    `Unsupported tracking store URI '${uri.replace(/\/\/[^@/]*@/, '//***@')}'. Supported forms: ${SUPPORTED}`,
  );
}

export async function openTrackingStore(uri: string, options: OpenTrackingStoreOptions): Promise<SqlTrackingStore> {
  const parsed = parseTrackingStoreUri(uri);
  let db: SqlDatabase;
  if (parsed.kind === 'sqlite') {
    if (parsed.filename !== ':memory:') mkdirSync(dirname(parsed.filename), { recursive: true });
    db = await openSqliteDatabase(parsed.filename);
  } else {
    db = new PostgresDatabase(parsed.connectionString, options.poolSize);
  }
  const store = new SqlTrackingStore(db, {
    defaultArtifactRoot: options.defaultArtifactRoot,
    runCacheCapacity: options.runCacheCapacity,
  });
  try {
    await store.init();
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return store;
}
