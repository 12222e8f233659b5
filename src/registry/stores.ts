// The stores one tracking URI names, behind their interfaces: what `openStores` returns (SQL in
// src/registry/open-stores.ts, REST in src/client). Nothing above them asks which kind it got.
import type { TrackingStore } from '../tracking/store.js';
import type { RegistryStore } from './store.js';
import type { WebhookStore } from './webhooks/store.js';

export interface Stores {
  tracking: TrackingStore;
  registry: RegistryStore;
  /** Webhook registrations and deliveries; registry writes queue their events. */
  webhooks: WebhookStore;
  /** Closes what the stores share (a database pool, or nothing over REST). */
  close(): Promise<void>;
}
