// The webhooks' tables (registrations and the delivery outbox), as versioned migrations for the
// runner in src/db/migrate.ts. Version 5 keeps the number it had when tracking's list held every
// table, so existing databases open unchanged.
import type { Migration } from '../../db/migrate.js';

export const WEBHOOK_MIGRATIONS: Migration[] = [
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
