// The WebhookStore over Cairn's REST API (/api/2.0/cairn/registry/webhooks…). The server holds the
// outbox and delivers its events, so there is nothing to deliver from this side.
import type { RegistryEvent, RegistryEventType } from '../registry/webhooks/registry-events.js';
import type {
  CreateWebhookInput,
  ListDeliveriesQuery,
  TestDeliveryResult,
  UpdateWebhookInput,
  WebhookDeliveries,
  WebhookStore,
} from '../registry/webhooks/store.js';
import type { DeliveryStatus, Webhook, WebhookDelivery } from '../registry/webhooks/webhook-entities.js';
import type { HttpConnection } from './http-connection.js';
import type { Json } from '../tracking/mlflow-json.js';
import { jsonList } from './registry-codec.js';

const BASE = '/api/2.0/cairn/registry/webhooks';

const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
const optionalNum = (v: unknown): number | null => (v === undefined || v === null ? null : Number(v));

function webhookFromJson(j: Json): Webhook {
  return {
    id: String(j.id),
    name: str(j.name),
    url: String(j.url),
    events: jsonList(j.events).map(String) as RegistryEventType[],
    modelName: str(j.model_name),
    description: str(j.description),
    active: j.active === true,
    creationTimestamp: Number(j.creation_timestamp),
    lastUpdatedTimestamp: Number(j.last_updated_timestamp),
  };
}

function deliveryFromJson(j: Json): WebhookDelivery {
  return {
    id: String(j.id),
    webhookId: String(j.webhook_id),
    eventId: String(j.event_id ?? ''),
    event: String(j.event),
    status: String(j.status) as DeliveryStatus,
    attempts: Number(j.attempts),
    lastStatusCode: optionalNum(j.last_status_code),
    lastError: str(j.last_error),
    creationTimestamp: Number(j.creation_timestamp),
    lastAttemptTimestamp: optionalNum(j.last_attempt_timestamp),
    nextAttemptTimestamp: optionalNum(j.next_attempt_timestamp),
    deliveredTimestamp: optionalNum(j.delivered_timestamp),
  };
}

/** The request body of create and update: MLflow-style snake_case, absent fields left out. */
function webhookBody(input: CreateWebhookInput | UpdateWebhookInput): Json {
  return {
    url: input.url,
    events: input.events,
    name: input.name,
    model_name: input.modelName,
    description: input.description,
    secret: input.secret ?? undefined,
    active: input.active,
  };
}

export class RestWebhookStore implements WebhookStore {
  constructor(private readonly http: HttpConnection) {}

  private path(id: string): string {
    return `${BASE}/${encodeURIComponent(id)}`;
  }

  async createWebhook(input: CreateWebhookInput): Promise<{ webhook: Webhook; secret: string }> {
    const res = await this.http.json('POST', BASE, webhookBody(input));
    return { webhook: webhookFromJson(res.webhook as Json), secret: String(res.secret) };
  }

  async getWebhook(id: string): Promise<Webhook> {
    return webhookFromJson((await this.http.json('GET', this.path(id))).webhook as Json);
  }

  async listWebhooks(filter: { modelName?: string } = {}): Promise<Webhook[]> {
    const res = await this.http.json('GET', BASE, { model_name: filter.modelName });
    return jsonList(res.webhooks).map(webhookFromJson);
  }

  async updateWebhook(id: string, patch: UpdateWebhookInput): Promise<Webhook> {
    return webhookFromJson((await this.http.json('PATCH', this.path(id), webhookBody(patch))).webhook as Json);
  }

  async deleteWebhook(id: string): Promise<void> {
    await this.http.json('DELETE', this.path(id));
  }

  async listDeliveries(query: ListDeliveriesQuery = {}): Promise<WebhookDelivery[]> {
    const res = await this.http.json('GET', `${BASE}/deliveries`, {
      webhook_id: query.webhookId,
      status: query.status,
      max_results: query.maxResults,
    });
    return jsonList(res.deliveries).map(deliveryFromJson);
  }

  async recordEvent(event: RegistryEvent): Promise<number> {
    const res = await this.http.json('POST', `${BASE}/events`, {
      event: event.event,
      name: event.modelName,
      data: event.data as Json,
    });
    return Number(res.deliveries_queued);
  }

  async testWebhook(id: string): Promise<TestDeliveryResult> {
    const res = await this.http.json('POST', `${BASE}/test`, { id });
    return {
      deliveryId: String(res.delivery_id),
      ok: res.success === true,
      statusCode: optionalNum(res.status_code),
      error: str(res.error),
      durationMs: Number(res.duration_ms),
    };
  }

  startDeliveries(): WebhookDeliveries {
    return {
      stop: async () => {
        /* the server delivers its own outbox */
      },
    };
  }
}
