// SqlDatabase over better-sqlite3: WAL journal, one connection per store, an async mutex so
// concurrent callers never share a transaction, and BEGIN IMMEDIATE with async retry so several
// processes on one file queue for the write lock instead of failing with "database is locked".
import Database from 'better-sqlite3';
import type { Dialect } from './dialect.js';
import { AsyncMutex } from './async-mutex.js';
import { retryTransient, type RetryOptions } from './retry.js';
import type { SqlDatabase, SqlExecutor, SqlValue } from './sql-database.js';
import { sqliteDialect } from './sqlite-dialect.js';

// Short in-driver wait (blocks the event loop), then async backoff: about 30 s in total.
const BUSY_TIMEOUT_MS = 20;
const RETRY: RetryOptions = { maxAttempts: 400, baseDelayMs: 2, maxDelayMs: 100 };

export class SqliteDatabase implements SqlDatabase {
  readonly dialect: Dialect = sqliteDialect;
  private readonly db: Database.Database;
  private readonly mutex = new AsyncMutex();
  private readonly statements = new Map<string, Database.Statement>();
  private readonly direct: SqlExecutor;

  constructor(filename: string) {
    this.db = new Database(filename);
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    this.direct = {
      all: async <T>(sql: string, params: SqlValue[] = []) => this.prepare(sql).all(...params) as T[],
      get: async <T>(sql: string, params: SqlValue[] = []) => this.prepare(sql).get(...params) as T | undefined,
      run: async (sql: string, params: SqlValue[] = []) => ({ changes: this.prepare(sql).run(...params).changes }),
      exec: async (sql: string) => { this.db.exec(sql); },
    };
  }

  /** Sets the connection pragmas; switching to WAL can itself meet a busy lock when processes race. */
  async open(): Promise<void> {
    await retryTransient(async () => {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      // Keeps planner statistics fresh cheaply (SQLite's advice for long-lived connections).
      this.db.pragma('analysis_limit = 1000');
      this.db.pragma('optimize = 0x10002');
    }, this.dialect.isTransientError, RETRY);
  }

  private prepare(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      if (this.statements.size > 500) this.statements.clear();
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private outside<T>(fn: () => Promise<T>): Promise<T> {
    return this.mutex.runExclusive(() => retryTransient(fn, this.dialect.isTransientError, RETRY));
  }

  all<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T[]> {
    return this.outside(() => this.direct.all<T>(sql, params));
  }
  get<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T | undefined> {
    return this.outside(() => this.direct.get<T>(sql, params));
  }
  run(sql: string, params?: SqlValue[]): Promise<{ changes: number }> {
    return this.outside(() => this.direct.run(sql, params));
  }
  exec(sql: string): Promise<void> {
    return this.outside(() => this.direct.exec(sql));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.mutex.runExclusive(() => retryTransient(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    }, this.dialect.isTransientError, RETRY));
  }

  async close(): Promise<void> {
    await this.mutex.runExclusive(() => { this.db.close(); });
  }
}

export async function openSqliteDatabase(filename: string): Promise<SqliteDatabase> {
  const db = new SqliteDatabase(filename);
  await db.open();
  return db;
}
