// Webhook and delivery entities (camelCase; the REST layer writes snake_case) and their row mapping.
import type { RegistryEventType } from './registry-events.js';

export interface Webhook {
  id: string;
  name: string | null;
  url: string;
  events: RegistryEventType[];
  /** Only changes to this registered model are delivered; null for every model. */
  modelName: string | null;
  description: string | null;
  active: boolean;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
}

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  event: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  creationTimestamp: number;
  lastAttemptTimestamp: number | null;
  /** When the next attempt is due (PENDING only). */
  nextAttemptTimestamp: number | null;
  deliveredTimestamp: number | null;
}

export interface WebhookRow {
  id: string;
  name: string | null;
  url: string;
  events: string;
  model_name: string | null;
  secret: string;
  description: string | null;
  active: number;
  creation_time: number;
  last_updated_time: number;
}

export interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_id: string;
  event: string;
  payload: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  creation_time: number;
  last_attempt_time: number | null;
  next_attempt_time: number | null;
  delivered_time: number | null;
  lease_until: number | null;
}

export function webhookFromRow(r: WebhookRow): Webhook {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    events: r.events.split(',') as RegistryEventType[],
    modelName: r.model_name,
    description: r.description,
    active: Number(r.active) === 1,
    creationTimestamp: Number(r.creation_time),
    lastUpdatedTimestamp: Number(r.last_updated_time),
  };
}

const num = (v: number | null) => (v === null || v === undefined ? null : Number(v));

export function deliveryFromRow(r: DeliveryRow): WebhookDelivery {
  return {
    id: r.id,
    webhookId: r.webhook_id,
    eventId: r.event_id,
    event: r.event,
    status: r.status as DeliveryStatus,
    attempts: Number(r.attempts),
    lastStatusCode: num(r.last_status_code),
    lastError: r.last_error,
    creationTimestamp: Number(r.creation_time),
    lastAttemptTimestamp: num(r.last_attempt_time),
    nextAttemptTimestamp: r.status === 'PENDING' ? num(r.next_attempt_time) : null,
    deliveredTimestamp: num(r.delivered_time),
  };
}
