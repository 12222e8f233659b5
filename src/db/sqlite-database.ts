// SqlDatabase over better-sqlite3: WAL journal, one connection per store, an async mutex so
// concurrent callers never share a transaction, and BEGIN IMMEDIATE with async retry so several
// processes on one file queue for the write lock instead of failing with "database is locked".
import Database from 'better-sqlite3';
import type { Dialect } from './dialect.js';
import { AsyncMutex } from './async-mutex.js';
import { retryTransient, type RetryOptions } from './retry.js';
import { SqliteCheckpointer } from './sqlite-checkpointer.js';
import type { SqlDatabase, SqlExecutor, SqlValue } from './sql-database.js';
import { sqliteDialect } from './sqlite-dialect.js';

// A very short in-driver wait (it blocks the event loop, and every request of this process with
// it), then async backoff from 1 ms, outside the mutex so this process's reads go on meanwhile:
// about 30 s in total.
const BUSY_TIMEOUT_MS = 2;
const RETRY: RetryOptions = { maxAttempts: 1000, baseDelayMs: 1, maxDelayMs: 50 };
/**
 * A file database that has seen this many write transactions gets a background checkpointer (a
 * thread per store would slow short-lived stores, e.g. in tests, for nothing).
 */
const CHECKPOINTER_AFTER_COMMITS = 100;
const DEFAULT_WAL_AUTOCHECKPOINT = 1000;

export class SqliteDatabase implements SqlDatabase {
  readonly dialect: Dialect = sqliteDialect;
  private readonly db: Database.Database;
  private readonly mutex = new AsyncMutex();
  private readonly statements = new Map<string, Database.Statement>();
  private readonly rawStatements = new Map<string, Database.Statement>();
  private readonly direct: Required<SqlExecutor>;
  private commits = 0;
  /** Bumped after every statement that may have written; with data_version, the change token. */
  private writes = 0;
  private closed = false;
  private checkpointer: Promise<SqliteCheckpointer | undefined> | undefined;

  constructor(filename: string) {
    this.db = new Database(filename);
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // a statement that is not read-only (INSERT … RETURNING through all(), say) counts as a write
    const counted = <T>(stmt: Database.Statement, result: T): T => {
      if (!stmt.readonly) this.writes++;
      return result;
    };
    this.direct = {
      all: async <T>(sql: string, params: SqlValue[] = []) => {
        const s = this.prepare(sql);
        return counted(s, s.all(...params) as T[]);
      },
      get: async <T>(sql: string, params: SqlValue[] = []) => {
        const s = this.prepare(sql);
        return counted(s, s.get(...params) as T | undefined);
      },
      allValues: async <T>(sql: string, params: SqlValue[] = []) => {
        const s = this.prepareRaw(sql);
        return counted(s, s.all(...params) as T[]);
      },
      run: async (sql: string, params: SqlValue[] = []) => {
        try {
          return { changes: this.prepare(sql).run(...params).changes };
        } finally {
          this.writes++;
        }
      },
      exec: async (sql: string) => {
        try {
          this.db.exec(sql);
        } finally {
          this.writes++;
        }
      },
    };
  }

  /** Sets the connection pragmas; switching to WAL can itself meet a busy lock when processes race. */
  async open(): Promise<void> {
    await retryTransient(
      async () => {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('synchronous = NORMAL');
        this.db.pragma('foreign_keys = ON');
        // Keeps planner statistics fresh cheaply (SQLite's advice for long-lived connections).
        this.db.pragma('analysis_limit = 1000');
        this.db.pragma('optimize = 0x10002');
      },
      this.dialect.isTransientError,
      RETRY,
    );
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

  private prepareRaw(sql: string): Database.Statement {
    let stmt = this.rawStatements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql).raw(true);
      if (this.rawStatements.size > 500) this.rawStatements.clear();
      this.rawStatements.set(sql, stmt);
    }
    return stmt;
  }

  private outside<T>(fn: () => Promise<T>): Promise<T> {
    return retryTransient(() => this.mutex.runExclusive(fn), this.dialect.isTransientError, RETRY);
  }

  all<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T[]> {
    return this.outside(() => this.direct.all<T>(sql, params));
  }
  get<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T | undefined> {
    return this.outside(() => this.direct.get<T>(sql, params));
  }
  allValues<T extends unknown[] = SqlValue[]>(sql: string, params?: SqlValue[]): Promise<T[]> {
    return this.outside(() => this.direct.allValues<T>(sql, params));
  }
  run(sql: string, params?: SqlValue[]): Promise<{ changes: number }> {
    return this.outside(() => this.direct.run(sql, params));
  }
  exec(sql: string): Promise<void> {
    return this.outside(() => this.direct.exec(sql));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return retryTransient(
      () =>
        this.mutex.runExclusive(async () => {
          this.db.exec('BEGIN IMMEDIATE');
          try {
            const result = await fn(this.direct);
            this.db.exec('COMMIT');
            if (++this.commits === CHECKPOINTER_AFTER_COMMITS) this.startCheckpointer();
            return result;
          } catch (error) {
            if (this.db.inTransaction) this.db.exec('ROLLBACK');
            throw error;
          } finally {
            this.writes++; // after the commit: a token read later reflects it
          }
        }),
      this.dialect.isTransientError,
      RETRY,
    );
  }

  /**
   * Changes after every write of this connection (counted here: SQLite's data_version ignores
   * them) and after every commit of another connection or process (data_version).
   */
  changeToken(): Promise<string> {
    return this.outside(async () => `${this.writes}.${this.db.pragma('data_version', { simple: true }) as number}`);
  }

  /** Hands WAL checkpoints to a background thread; autocheckpoints stay on until it runs (and if it dies). */
  private startCheckpointer(): void {
    if (this.db.memory || this.db.name === '' || this.checkpointer) return;
    const restore = () => {
      if (!this.closed) this.db.pragma(`wal_autocheckpoint = ${DEFAULT_WAL_AUTOCHECKPOINT}`);
    };
    this.checkpointer = SqliteCheckpointer.start(this.db.name, restore).then(
      (cp) => {
        if (!this.closed) this.db.pragma('wal_autocheckpoint = 0');
        return cp;
      },
      () => undefined,
    );
  }

  async close(): Promise<void> {
    await this.mutex.runExclusive(async () => {
      if (this.closed) return;
      this.closed = true;
      // the thread's connection goes first, so closing the last one checkpoints and removes the WAL
      await (await this.checkpointer)?.stop();
      this.db.close();
    });
  }
}

export async function openSqliteDatabase(filename: string): Promise<SqliteDatabase> {
  const db = new SqliteDatabase(filename);
  await db.open();
  return db;
}
