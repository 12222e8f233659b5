// Opens the tracking and registry stores a URI names over one shared database connection (pool):
// `openStores('sqlite:///cairn.db', opts) → { tracking, registry }`. Runs every layer's migrations.
import { openTrackingStore, type OpenTrackingStoreOptions } from '../tracking/open-store.js';
import { SqlTrackingStore } from '../tracking/sql/sql-tracking-store.js';
import type { TrackingStore } from '../tracking/store.js';
import { migrateRegistrySchema } from './registry-schema.js';
import type { RegistryStore } from './store.js';
import { EventingRegistryStore } from './webhooks/eventing-registry-store.js';
import { WebhookOutbox } from './webhooks/webhook-outbox.js';
import { SqlWebhookStore } from './webhooks/webhook-store.js';

export interface Stores {
  tracking: TrackingStore;
  registry: RegistryStore;
  /** Webhook registrations and deliveries; registry writes queue their events in the same transaction. */
  webhooks: SqlWebhookStore;
  /** Closes the shared database (the same as `tracking.close()`). */
  close(): Promise<void>;
}

/** The registry and webhook stores on an open SQL tracking store's connection, migrated (openStores does it). */
export function storesOn(tracking: SqlTrackingStore): Stores {
  return {
    tracking,
    registry: new EventingRegistryStore(tracking.db, new WebhookOutbox()),
    webhooks: new SqlWebhookStore(tracking.db),
    close: () => tracking.close(),
  };
}

export async function openStores(uri: string, options: OpenTrackingStoreOptions): Promise<Stores> {
  const tracking = await openTrackingStore(uri, options);
  if (!(tracking instanceof SqlTrackingStore)) {
    await tracking.close();
    throw new Error('the model registry needs a SQL tracking store');
  }
  try {
    await migrateRegistrySchema(tracking.db);
  } catch (error) {
    await tracking.close().catch(() => undefined);
    throw error;
  }
  return storesOn(tracking);
}
