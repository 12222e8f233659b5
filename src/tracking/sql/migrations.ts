// The tracking layer's tables (experiments, runs and their data), as versioned migrations for the
// runner in src/db/migrate.ts. Versions are shared with the registry's lists: the next free one
// is 6 (see migrate.ts).
import { migrate, type Migration } from '../../db/migrate.js';
import type { SqlDatabase } from '../../db/sql-database.js';

/**
 * Param and tag values are indexed by their first characters only: a PostgreSQL btree entry must
 * stay under ~2.7 kB and values may hold 8000 characters. Searches compare the prefix and the value.
 */
export const VALUE_PREFIX_LENGTH = 200;

// Table and column names follow MLflow's SQL schema so the data stays recognisable.
export const TRACKING_MIGRATIONS: Migration[] = [
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
];

/** Creates or brings forward the tracking tables; returns the versions it applied. */
export function migrateTrackingSchema(db: SqlDatabase): Promise<number[]> {
  return migrate(db, TRACKING_MIGRATIONS);
}
