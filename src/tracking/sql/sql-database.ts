// The narrow driver interface the SQL store is written against: async queries with `?`
// placeholders plus transactions. One implementation per database engine.
import type { Dialect } from './dialect.js';

export type SqlValue = string | number | null;

export interface SqlExecutor {
  all<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T | undefined>;
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
  close(): Promise<void>;
}
