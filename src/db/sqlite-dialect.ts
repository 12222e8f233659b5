// SQLite's side of the Dialect: GLOB for case-sensitive LIKE, NaN kept out of REAL columns.
import type { Dialect } from './dialect.js';

function code(error: unknown): string {
  return typeof error === 'object' && error !== null ? String((error as { code?: unknown }).code ?? '') : '';
}

/** Translates a SQL LIKE pattern into an equivalent GLOB pattern (GLOB is case-sensitive). */
export function likeToGlob(pattern: string): string {
  let out = '';
  for (const c of pattern) {
    if (c === '%') out += '*';
    else if (c === '_') out += '?';
    else if (c === '*' || c === '?' || c === '[') out += `[${c}]`;
    else out += c;
  }
  return out;
}

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  followsJoinOrder: true,
  autoIdColumn: 'INTEGER PRIMARY KEY',
  migrationLock: null, // BEGIN IMMEDIATE already serialises writers across processes
  forUpdate: '', // the same: a write transaction holds the database's write lock from its start
  // SQLite's LIKE ignores ASCII case, so case-sensitive LIKE runs as GLOB with a translated pattern.
  like: (column) => `${column} GLOB ?`,
  likePattern: likeToGlob,
  ilike: (column) => `lower(${column}) LIKE lower(?)`,
  // better-sqlite3 would round an INTEGER beyond 2^53 to a double: such values come back as text
  exactInt64: (column) =>
    `CASE WHEN ${column} BETWEEN -9007199254740991 AND 9007199254740991 THEN ${column} ` +
    `ELSE CAST(${column} AS TEXT) END`,
  encodeMetricValue: (value) => (Number.isNaN(value) ? 0 : value),
  isTransientError: (error) => code(error).startsWith('SQLITE_BUSY') || code(error).startsWith('SQLITE_LOCKED'),
  isUniqueViolation: (error) =>
    code(error) === 'SQLITE_CONSTRAINT_UNIQUE' || code(error) === 'SQLITE_CONSTRAINT_PRIMARYKEY',
};
