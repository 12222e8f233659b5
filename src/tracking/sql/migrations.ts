// Versioned, forward-only schema migrations shared by SQLite and PostgreSQL. Each version runs
// in its own transaction and is recorded in schema_migrations, so a crash mid-way or two
// processes starting at once leave the schema either before or after a version, never between.
import type { Dialect } from '../../db/dialect.js';
import type { SqlDatabase } from '../../db/sql-database.js';

export interface Migration {
  version: number;
  name: string;
  statements(dialect: Dialect): string[];
}

/**
 * Param and tag values are indexed by their first characters only: a PostgreSQL btree entry must
 * stay under ~2.7 kB and values may hold 8000 characters. Searches compare the prefix and the value.
 */
export const VALUE_PREFIX_LENGTH = 200;

// Table and column names follow MLflow's SQL schema so the data stays recognisable.
export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'tracking schema',
    statements: (d) => [
      `CREATE TABLE experiments (
        experiment_id ${d.autoIdColumn},
        name VARCHAR(500) NOT NULL UNIQUE,
        artifact_location VARCHAR(2000),
        lifecycle_stage VARCHAR(32) NOT NULL DEFAULT 'active',
        creation_time BIGINT,
        last_update_time BIGINT)`,
      `CREATE TABLE experiment_tags (
        key VARCHAR(250) NOT NULL,
        value VARCHAR(5000),
        experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
        PRIMARY KEY (experiment_id, key))`,
      `CREATE TABLE runs (
        run_uuid VARCHAR(32) NOT NULL PRIMARY KEY,
        name VARCHAR(250),
        user_id VARCHAR(256),
        status VARCHAR(9) NOT NULL,
        start_time BIGINT,
        end_time BIGINT,
        deleted_time BIGINT,
        lifecycle_stage VARCHAR(20) NOT NULL,
        artifact_uri VARCHAR(2000),
        experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id))`,
      // Drives the default ordering (start_time DESC, run_uuid) within an experiment.
      'CREATE INDEX runs_experiment_start ON runs (experiment_id, lifecycle_stage, start_time, run_uuid)',
      `CREATE TABLE tags (
        key VARCHAR(250) NOT NULL,
        value VARCHAR(8000),
        run_uuid VARCHAR(32) NOT NULL REFERENCES runs (run_uuid),
        PRIMARY KEY (run_uuid, key))`,
      `CREATE TABLE params (
        key VARCHAR(250) NOT NULL,
        value VARCHAR(8000) NOT NULL,
        run_uuid VARCHAR(32) NOT NULL REFERENCES runs (run_uuid),
        PRIMARY KEY (run_uuid, key))`,
      `CREATE TABLE metrics (
        key VARCHAR(250) NOT NULL,
        value DOUBLE PRECISION NOT NULL,
        timestamp BIGINT NOT NULL,
        step BIGINT NOT NULL,
        is_nan INTEGER NOT NULL DEFAULT 0,
        run_uuid VARCHAR(32) NOT NULL REFERENCES runs (run_uuid),
        PRIMARY KEY (run_uuid, key, step, timestamp, value, is_nan))`,
      `CREATE TABLE latest_metrics (
        key VARCHAR(250) NOT NULL,
        value DOUBLE PRECISION NOT NULL,
        timestamp BIGINT NOT NULL,
        step BIGINT NOT NULL,
        is_nan INTEGER NOT NULL DEFAULT 0,
        run_uuid VARCHAR(32) NOT NULL REFERENCES runs (run_uuid),
        PRIMARY KEY (run_uuid, key))`,
      // Lets a search ordered or filtered by one metric walk that metric's values in order.
      'CREATE INDEX latest_metrics_key_value ON latest_metrics (key, is_nan, value, run_uuid)',
      `CREATE TABLE datasets (
        dataset_uuid VARCHAR(36) NOT NULL UNIQUE,
        experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
        name VARCHAR(500) NOT NULL,
        digest VARCHAR(36) NOT NULL,
        dataset_source_type VARCHAR(36) NOT NULL,
        dataset_source TEXT NOT NULL,
        dataset_schema TEXT,
        dataset_profile TEXT,
        PRIMARY KEY (experiment_id, name, digest))`,
      `CREATE TABLE inputs (
        input_uuid VARCHAR(36) NOT NULL UNIQUE,
        source_type VARCHAR(36) NOT NULL,
        source_id VARCHAR(36) NOT NULL,
        destination_type VARCHAR(36) NOT NULL,
        destination_id VARCHAR(36) NOT NULL,
        PRIMARY KEY (source_type, source_id, destination_type, destination_id))`,
      'CREATE INDEX inputs_destination ON inputs (destination_type, destination_id)',
      `CREATE TABLE input_tags (
        input_uuid VARCHAR(36) NOT NULL,
        name VARCHAR(255) NOT NULL,
        value VARCHAR(500) NOT NULL,
        PRIMARY KEY (input_uuid, name))`,
    ],
  },
  {
    version: 2,
    name: 'param and tag value-prefix indexes',
    statements: () => [
      `CREATE INDEX params_key_value_prefix ON params (key, (substr(value, 1, ${VALUE_PREFIX_LENGTH})))`,
      `CREATE INDEX tags_key_value_prefix ON tags (key, (substr(value, 1, ${VALUE_PREFIX_LENGTH})))`,
    ],
  },
  {
    version: 3,
    name: 'model registry',
    // MLflow's registry tables. Renames cascade from registered_models.name to every table; a
    // deleted version stays as a 'Deleted_Internal' row so its number is never handed out again.
    statements: () => [
      `CREATE TABLE registered_models (
        name VARCHAR(256) NOT NULL PRIMARY KEY,
        creation_time BIGINT,
        last_updated_time BIGINT,
        description VARCHAR(5000))`,
      `CREATE TABLE model_versions (
        name VARCHAR(256) NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
        version INTEGER NOT NULL,
        creation_time BIGINT,
        last_updated_time BIGINT,
        description VARCHAR(5000),
        user_id VARCHAR(256),
        current_stage VARCHAR(20) NOT NULL,
        source VARCHAR(2000),
        storage_location VARCHAR(4000),
        run_id VARCHAR(256),
        run_link VARCHAR(2000),
        status VARCHAR(20) NOT NULL,
        status_message VARCHAR(500),
        PRIMARY KEY (name, version))`,
      'CREATE INDEX model_versions_run_id ON model_versions (run_id)',
      'CREATE INDEX model_versions_last_updated ON model_versions (last_updated_time, name, version)',
      `CREATE TABLE registered_model_tags (
        key VARCHAR(250) NOT NULL,
        value VARCHAR(5000),
        name VARCHAR(256) NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
        PRIMARY KEY (name, key))`,
      `CREATE TABLE model_version_tags (
        key VARCHAR(250) NOT NULL,
        value VARCHAR(5000),
        name VARCHAR(256) NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (name, version, key),
        FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE)`,
      `CREATE TABLE registered_model_aliases (
        alias VARCHAR(256) NOT NULL,
        version INTEGER NOT NULL,
        name VARCHAR(256) NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
        PRIMARY KEY (name, alias))`,
    ],
  },
  {
    version: 4,
    name: 'registry audit trail and promotion policies',
    // Audit rows have no foreign key: a model's history outlives the model. Policies belong to
    // their model and follow it through renames and deletes.
    statements: (d) => [
      `CREATE TABLE registry_audit (
        id ${d.autoIdColumn},
        timestamp BIGINT NOT NULL,
        user_id VARCHAR(256) NOT NULL,
        name VARCHAR(256) NOT NULL,
        version INTEGER,
        alias VARCHAR(256),
        action VARCHAR(64) NOT NULL,
        from_value TEXT,
        to_value TEXT,
        reason TEXT,
        forced INTEGER NOT NULL DEFAULT 0,
        policy_result TEXT)`,
      'CREATE INDEX registry_audit_name ON registry_audit (name, id)',
      `CREATE TABLE registry_policies (
        name VARCHAR(256) NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
        target VARCHAR(260) NOT NULL,
        policy TEXT NOT NULL,
        last_updated_time BIGINT NOT NULL,
        PRIMARY KEY (name, target))`,
    ],
  },
  {
    version: 5,
    name: 'registry webhooks',
    // Webhook registrations and the transactional outbox of their deliveries (src/registry/webhooks).
    statements: () => [
      `CREATE TABLE registry_webhooks (
        id VARCHAR(32) NOT NULL PRIMARY KEY,
        name VARCHAR(256),
        url VARCHAR(2000) NOT NULL,
        events VARCHAR(2000) NOT NULL,
        model_name VARCHAR(256),
        secret VARCHAR(256) NOT NULL,
        description VARCHAR(1000),
        active INTEGER NOT NULL DEFAULT 1,
        creation_time BIGINT NOT NULL,
        last_updated_time BIGINT NOT NULL)`,
      `CREATE TABLE registry_webhook_deliveries (
        id VARCHAR(32) NOT NULL PRIMARY KEY,
        webhook_id VARCHAR(32) NOT NULL REFERENCES registry_webhooks (id) ON DELETE CASCADE,
        event_id VARCHAR(32) NOT NULL,
        event VARCHAR(64) NOT NULL,
        payload TEXT NOT NULL,
        status VARCHAR(16) NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_status_code INTEGER,
        last_error VARCHAR(1000),
        creation_time BIGINT NOT NULL,
        last_attempt_time BIGINT,
        next_attempt_time BIGINT,
        delivered_time BIGINT,
        lease_until BIGINT,
        lease_owner VARCHAR(64))`,
      'CREATE INDEX registry_webhook_deliveries_due ON registry_webhook_deliveries (status, next_attempt_time)',
      'CREATE INDEX registry_webhook_deliveries_webhook ON registry_webhook_deliveries (webhook_id, creation_time)',
    ],
  },
];

async function appliedVersions(db: SqlDatabase): Promise<Set<number>> {
  const rows = await db.all<{ version: number }>('SELECT version FROM schema_migrations');
  return new Set(rows.map((r) => Number(r.version)));
}

/** Applies every migration not yet recorded; returns the versions it applied. */
export async function migrate(db: SqlDatabase, migrations: Migration[] = MIGRATIONS): Promise<number[]> {
  const applied: number[] = [];
  const ensureTable = 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)';
  await db.transaction(async (tx) => {
    if (db.dialect.migrationLock) await tx.exec(db.dialect.migrationLock);
    await tx.exec(ensureTable);
  });
  const done = await appliedVersions(db);
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    await db.transaction(async (tx) => {
      if (db.dialect.migrationLock) await tx.exec(db.dialect.migrationLock);
      // Re-check under the lock: another process may have applied it since we looked.
      const already = await tx.get('SELECT version FROM schema_migrations WHERE version = ?', [m.version]);
      if (already) return;
      for (const statement of m.statements(db.dialect)) await tx.exec(statement);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, Date.now()]);
      applied.push(m.version);
    });
  }
  return applied;
}
