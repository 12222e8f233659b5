// Opens the SQL tracking, registry and webhook stores a database URI names over one shared database
// connection (pool): `openSqlStores('sqlite:///cairn.db', opts)`. Runs every layer's migrations.
import { openTrackingStore, type OpenTrackingStoreOptions } from '../tracking/open-store.js';
import type { SqlTrackingStore } from '../tracking/sql/sql-tracking-store.js';
import { migrateRegistrySchema } from './registry-schema.js';
import type { Stores } from './stores.js';
import { EventingRegistryStore } from './webhooks/eventing-registry-store.js';
import { WebhookOutbox } from './webhooks/webhook-outbox.js';
import { SqlWebhookStore } from './webhooks/webhook-store.js';

export interface SqlStores extends Stores {
  tracking: SqlTrackingStore;
  registry: EventingRegistryStore;
  /** Registry writes queue their events in the same transaction. */
  webhooks: SqlWebhookStore;
  /** Closes the shared database (the same as `tracking.close()`). */
  close(): Promise<void>;
}

/** The registry and webhook stores on an open SQL tracking store's connection, migrated (openSqlStores does it). */
export function storesOn(tracking: SqlTrackingStore): SqlStores {
  return {
    tracking,
    registry: new EventingRegistryStore(tracking.db, new WebhookOutbox()),
    webhooks: new SqlWebhookStore(tracking.db),
    close: () => tracking.close(),
  };
}

export async function openSqlStores(uri: string, options: OpenTrackingStoreOptions): Promise<SqlStores> {
  const tracking = await openTrackingStore(uri, options);
  try {
    await migrateRegistrySchema(tracking.db);
  } catch (error) {
    await tracking.close().catch(() => undefined);
    throw error;
  }
  return storesOn(tracking);
}
