// The narrow driver interface the SQL store is written against: async queries with `?`
// placeholders plus transactions. One implementation per database engine.
import type { Dialect } from './dialect.js';

export type SqlValue = string | number | bigint | null;

export interface SqlExecutor {
  all<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T | undefined>;
  /**
   * As all(), but each row is the array of its column values in select order: no object (and no
   * property names) per row, which is most of the cost of reading many small rows. Optional so
   * that wrappers of a database need not forward it: call it through `allValues()` below.
   */
  allValues?<T extends unknown[] = SqlValue[]>(sql: string, params?: SqlValue[]): Promise<T[]>;
  run(sql: string, params?: SqlValue[]): Promise<{ changes: number }>;
  /** Runs one or more statements without parameters (DDL). */
  exec(sql: string): Promise<void>;
}

export interface SqlDatabase extends SqlExecutor {
  readonly dialect: Dialect;
  /**
   * Runs fn in a write transaction: committed if fn resolves, rolled back if it throws. The driver
   * may run fn again after a transient conflict (SQLITE_BUSY, serialization failure), so fn must
   * only touch the database through `tx`.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * A value that changes after any write to the database is committed, by this process or another;
   * absent when the engine has no cheap way to tell (then nothing is cached across requests).
   */
  changeToken?(): Promise<string>;
  close(): Promise<void>;
}

/** `n` comma-separated `?` placeholders, for an `IN (…)` list or a VALUES tuple. */
export function placeholders(n: number): string {
  return new Array(n).fill('?').join(', ');
}

/** Rows as value arrays in select order, through the executor's allValues() when it has one. */
export function allValues<T extends unknown[] = SqlValue[]>(
  db: SqlExecutor,
  sql: string,
  params?: SqlValue[],
): Promise<T[]> {
  if (db.allValues) return db.allValues<T>(sql, params);
  return db.all<Record<string, unknown>>(sql, params).then((rows) => rows.map((row) => Object.values(row) as T));
}
