// What differs between the SQL engines the store runs on, kept to a handful of members so every
// query is written once (the Kysely habit).

export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /**
   * True when the engine runs `a CROSS JOIN b` with a as the outer loop (SQLite), so the store
   * chooses which index drives a search; false when a cost-based planner decides (PostgreSQL).
   */
  readonly followsJoinOrder: boolean;
  /** Column definition for an auto-assigned integer primary key. */
  readonly autoIdColumn: string;
  /** Statement run first inside the migration transaction so concurrent starters queue up, or null. */
  readonly migrationLock: string | null;
  /**
   * Appended to a SELECT inside a transaction to lock the rows it reads until the transaction ends,
   * so a read-modify-write of them is not lost to a concurrent one; empty where writers are serialised.
   */
  readonly forUpdate: string;
  /** Case-sensitive LIKE of a column against one `?` pattern. */
  like(column: string): string;
  /** The value bound to the placeholder of like(): the LIKE pattern, translated if the engine needs it. */
  likePattern(pattern: string): string;
  /** Case-insensitive LIKE of a column against one `?` pattern. */
  ilike(column: string): string;
  /** How a metric value is written: SQLite REAL turns NaN into NULL, so NaN becomes 0 plus is_nan = 1. */
  encodeMetricValue(value: number): number;
  /** True for errors after which retrying the whole transaction is safe and likely to succeed. */
  isTransientError(error: unknown): boolean;
  /** True for a unique-constraint violation. */
  isUniqueViolation(error: unknown): boolean;
}
