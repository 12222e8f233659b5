// Authentication's tables (users, per-resource permissions, access tokens, the change history), as
// versioned migrations for the runner in src/db/migrate.ts. Applied by openAuthStore, not by the
// tracking/registry opening, so a server without --auth never creates them.
import type { Migration } from '../db/migrate.js';

export const AUTH_MIGRATIONS: Migration[] = [
  {
    version: 7,
    name: 'auth users and permissions',
    statements: (dialect) => [
      `CREATE TABLE auth_users (
        id ${dialect.autoIdColumn},
        username VARCHAR(256) NOT NULL UNIQUE,
        password_hash VARCHAR(512) NOT NULL,
        is_admin INTEGER NOT NULL DEFAULT 0,
        creation_time BIGINT NOT NULL)`,
      `CREATE TABLE auth_experiment_permissions (
        experiment_id VARCHAR(32) NOT NULL,
        user_id INTEGER NOT NULL REFERENCES auth_users (id) ON DELETE CASCADE,
        permission VARCHAR(32) NOT NULL,
        PRIMARY KEY (experiment_id, user_id))`,
      'CREATE INDEX auth_experiment_permissions_user ON auth_experiment_permissions (user_id)',
      `CREATE TABLE auth_registered_model_permissions (
        name VARCHAR(256) NOT NULL,
        user_id INTEGER NOT NULL REFERENCES auth_users (id) ON DELETE CASCADE,
        permission VARCHAR(32) NOT NULL,
        PRIMARY KEY (name, user_id))`,
      'CREATE INDEX auth_registered_model_permissions_user ON auth_registered_model_permissions (user_id)',
      `CREATE TABLE auth_tokens (
        id VARCHAR(32) NOT NULL PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES auth_users (id) ON DELETE CASCADE,
        name VARCHAR(256) NOT NULL,
        secret_hash VARCHAR(128) NOT NULL,
        creation_time BIGINT NOT NULL,
        expiry_time BIGINT)`,
      'CREATE INDEX auth_tokens_user ON auth_tokens (user_id)',
      `CREATE TABLE auth_audit (
        id ${dialect.autoIdColumn},
        timestamp BIGINT NOT NULL,
        actor VARCHAR(256) NOT NULL,
        action VARCHAR(64) NOT NULL,
        username VARCHAR(256) NOT NULL,
        resource_type VARCHAR(32),
        resource_id VARCHAR(256),
        permission VARCHAR(32))`,
    ],
  },
];
