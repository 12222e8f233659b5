// The registry layer's schema on a shared database: the registry's tables and the webhooks'
// tables, each from the list its owner keeps. Tracking's tables are the tracking store's (its init()).
import { migrate } from '../db/migrate.js';
import type { SqlDatabase } from '../db/sql-database.js';
import { REGISTRY_MIGRATIONS } from './sql/migrations.js';
import { WEBHOOK_MIGRATIONS } from './webhooks/webhook-migrations.js';

/**
 * Creates or brings forward the registry's and the webhooks' tables; returns the versions it
 * applied. Safe to call from every process at start-up: the runner takes the migration lock.
 */
export async function migrateRegistrySchema(db: SqlDatabase): Promise<number[]> {
  return migrate(db, [...REGISTRY_MIGRATIONS, ...WEBHOOK_MIGRATIONS]);
}
