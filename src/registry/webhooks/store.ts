// The WebhookStore interface: webhook registrations, their delivery records, a test delivery and
// the delivery of queued events, documented once. Implemented over SQL (`webhook-store.ts`) and,
// in the client layer, over Cairn's REST API. Methods throw CairnError subclasses.
import type { DeliveryWorkerOptions } from './delivery-worker.js';
import type { RegistryEvent } from './registry-events.js';
import type { Webhook, WebhookDelivery } from './webhook-entities.js';

export interface CreateWebhookInput {
  url: string;
  events: string[];
  name?: string | null;
  modelName?: string | null;
  description?: string | null;
  /** Generated (32 random bytes, hex) when absent. */
  secret?: string | null;
  active?: boolean;
}

export interface UpdateWebhookInput {
  url?: string;
  events?: string[];
  name?: string | null;
  modelName?: string | null;
  description?: string | null;
  secret?: string;
  active?: boolean;
}

export interface ListDeliveriesQuery {
  webhookId?: string;
  status?: string;
  maxResults?: number;
}

/** The outcome of one synchronous test delivery (a WEBHOOK_TEST event, not queued, not retried). */
export interface TestDeliveryResult {
  deliveryId: string;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** Deliveries running in this process until stopped. */
export interface WebhookDeliveries {
  /** Stops polling and waits for the deliveries in flight. */
  stop(): Promise<void>;
}

export interface WebhookStore {
  /** The secret is returned here only: receivers need it to verify signatures. */
  createWebhook(input: CreateWebhookInput): Promise<{ webhook: Webhook; secret: string }>;
  getWebhook(id: string): Promise<Webhook>;
  listWebhooks(filter?: { modelName?: string }): Promise<Webhook[]>;
  updateWebhook(id: string, patch: UpdateWebhookInput): Promise<Webhook>;
  /** Deletes the webhook and its delivery records; pending deliveries are dropped. */
  deleteWebhook(id: string): Promise<void>;
  /** Newest first; NotFound when `webhookId` names no webhook. */
  listDeliveries(query?: ListDeliveriesQuery): Promise<WebhookDelivery[]>;
  /**
   * Records an event no registry write causes (EXTERNAL_EVENT_TYPES, e.g. MODEL_DRIFT_DETECTED) in one
   * transaction: a delivery is queued for each active webhook subscribed to it (and to its model). The model
   * must be registered (NotFound otherwise); the payload is checked per event type (InvalidParameter).
   * Returns how many deliveries were queued.
   */
  recordEvent(event: RegistryEvent): Promise<number>;
  /** Sends a signed WEBHOOK_TEST event to the webhook now and reports the answer. */
  testWebhook(id: string): Promise<TestDeliveryResult>;
  /**
   * Delivers the events this store queues from this process until stopped (a SQL store polls its
   * outbox; over REST the server that holds the outbox delivers, so there is nothing to run here).
   */
  startDeliveries(options: Partial<DeliveryWorkerOptions>): WebhookDeliveries;
}
