// SqlDatabase over a pg.Pool: `?` placeholders rewritten to `$n`, BIGINT read as numbers, each
// transaction on one checked-out client, retried on serialization failures and deadlocks.
import pg from 'pg';
import { InvalidParameter } from '../core/errors.js';
import type { Dialect } from './dialect.js';
import { postgresDialect } from './postgres-dialect.js';
import { retryTransient, type RetryOptions } from './retry.js';
import type { SqlDatabase, SqlExecutor, SqlValue } from './sql-database.js';

const RETRY: RetryOptions = { maxAttempts: 8, baseDelayMs: 5, maxDelayMs: 200 };
const INT8_OID = 20;

// Timestamps and counts fit in 2^53 and read as numbers, keeping entities plain; a larger int8 (a
// metric step of 2^62) reads as an exact bigint.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? readInt8 : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

function readInt8(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/** Rewrites `?` placeholders to `$1..$n`; Cairn's SQL never puts `?` inside literals. */
export function toNumberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

type Query = (sql: string, params: SqlValue[], rowMode?: 'array') => Promise<pg.QueryResult>;

/**
 * Text PostgreSQL cannot hold (U+0000: 22021 character_not_in_repertoire, 22P05
 * untranslatable_character) is bad input, not a server failure. The REST layer refuses it before
 * any store sees it; this covers clients that write to the database directly.
 */
function rethrowPgError(error: unknown): never {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === '22021' || code === '22P05') {
    throw new InvalidParameter(
      'Invalid value: text may not contain the NUL character (\\u0000) or characters the database encoding cannot hold.',
    );
  }
  throw error;
}

function executor(rawQuery: Query): Required<SqlExecutor> {
  const query: Query = (sql, params, rowMode) => rawQuery(sql, params, rowMode).catch(rethrowPgError);
  const cache = new Map<string, string>();
  const text = (sql: string): string => {
    let t = cache.get(sql);
    if (t === undefined) {
      t = toNumberedPlaceholders(sql);
      if (cache.size > 500) cache.clear();
      cache.set(sql, t);
    }
    return t;
  };
  return {
    all: async <T>(sql: string, params: SqlValue[] = []) => (await query(text(sql), params)).rows as T[],
    get: async <T>(sql: string, params: SqlValue[] = []) => (await query(text(sql), params)).rows[0] as T | undefined,
    allValues: async <T>(sql: string, params: SqlValue[] = []) => (await query(text(sql), params, 'array')).rows as T[],
    run: async (sql: string, params: SqlValue[] = []) => ({ changes: (await query(text(sql), params)).rowCount ?? 0 }),
    exec: async (sql: string) => {
      await query(sql, []);
    },
  };
}

export class PostgresDatabase implements SqlDatabase {
  readonly dialect: Dialect = postgresDialect;
  private readonly pool: pg.Pool;
  private readonly direct: Required<SqlExecutor>;

  constructor(connectionString: string, poolSize = 10) {
    this.pool = new pg.Pool({ connectionString, max: poolSize, types });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', () => undefined);
    this.direct = executor((sql, params, rowMode) =>
      this.pool.query({ text: sql, values: params, ...(rowMode ? { rowMode } : {}) } as pg.QueryConfig),
    );
  }

  all<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T[]> {
    return this.direct.all<T>(sql, params);
  }
  get<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T | undefined> {
    return this.direct.get<T>(sql, params);
  }
  allValues<T extends unknown[] = SqlValue[]>(sql: string, params?: SqlValue[]): Promise<T[]> {
    return this.direct.allValues<T>(sql, params);
  }
  run(sql: string, params?: SqlValue[]): Promise<{ changes: number }> {
    return this.direct.run(sql, params);
  }
  exec(sql: string): Promise<void> {
    return this.direct.exec(sql);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return retryTransient(
      async () => {
        const client = await this.pool.connect();
        let broken = false;
        // A checked-out client whose connection dies emits 'error'; unheard, it would crash the process.
        const onError = (): void => {
          broken = true;
        };
        client.on('error', onError);
        try {
          await client.query('BEGIN');
          try {
            const result = await fn(
              executor((sql, params, rowMode) =>
                client.query({ text: sql, values: params, ...(rowMode ? { rowMode } : {}) } as pg.QueryConfig),
              ),
            );
            await client.query('COMMIT');
            return result;
          } catch (error) {
            await client.query('ROLLBACK').catch(() => {
              broken = true;
            });
            throw error;
          }
        } finally {
          client.off('error', onError);
          client.release(broken);
        }
      },
      this.dialect.isTransientError,
      RETRY,
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
