// The model registry's tables (registered models, versions, tags, aliases, audit trail, promotion
// policies), as versioned migrations for the runner in src/db/migrate.ts. Versions 3 and 4 keep
// the numbers they had when tracking's list held every table, so existing databases open unchanged.
import type { Migration } from '../../db/migrate.js';

export const REGISTRY_MIGRATIONS: Migration[] = [
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
];
