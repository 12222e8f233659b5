// WebhookStore over the registry's SqlDatabase: registrations, delivery records, and the outbox
// delivery worker. Secrets are stored (they sign every delivery) but only ever returned by create.
import { randomBytes, randomUUID } from 'node:crypto';
import { InvalidParameter, NotFound } from '../../core/errors.js';
import type { SqlDatabase } from '../../db/sql-database.js';
import { validateModelName } from '../validation.js';
import { WebhookDeliveryWorker, type DeliveryWorkerOptions } from './delivery-worker.js';
import type {
  CreateWebhookInput,
  ListDeliveriesQuery,
  TestDeliveryResult,
  UpdateWebhookInput,
  WebhookDeliveries,
  WebhookStore,
} from './store.js';
import type { RegistryEvent } from './registry-events.js';
import { WebhookOutbox } from './webhook-outbox.js';
import { pingWebhook } from './webhook-ping.js';
import {
  deliveryFromRow,
  webhookFromRow,
  type DeliveryRow,
  type Webhook,
  type WebhookDelivery,
  type WebhookRow,
} from './webhook-entities.js';
import {
  DEFAULT_DELIVERY_RESULTS,
  MAX_DELIVERY_RESULTS,
  MAX_WEBHOOK_DESCRIPTION_LENGTH,
  MAX_WEBHOOK_NAME_LENGTH,
  validateExternalEvent,
  validateOptionalText,
  validateWebhookEvents,
  validateWebhookSecret,
  validateWebhookUrl,
} from './webhook-validation.js';

const WEBHOOK_COLUMNS =
  'id, name, url, events, model_name, secret, description, active, creation_time, last_updated_time';

function optionalModelName(value: string | null | undefined): string | null {
  if (value === undefined || value === null || value === '') return null;
  validateModelName(value);
  return value;
}

export type { CreateWebhookInput, UpdateWebhookInput } from './store.js';

export class SqlWebhookStore implements WebhookStore {
  constructor(
    readonly db: SqlDatabase,
    private readonly outbox = new WebhookOutbox(),
  ) {}

  async createWebhook(input: CreateWebhookInput): Promise<{ webhook: Webhook; secret: string }> {
    const url = validateWebhookUrl(input.url);
    const events = validateWebhookEvents(input.events);
    const secret =
      input.secret === undefined || input.secret === null || input.secret === ''
        ? randomBytes(32).toString('hex')
        : validateWebhookSecret(input.secret);
    const name = validateOptionalText('name', input.name, MAX_WEBHOOK_NAME_LENGTH);
    const description = validateOptionalText('description', input.description, MAX_WEBHOOK_DESCRIPTION_LENGTH);
    const modelName = optionalModelName(input.modelName);
    const id = randomUUID().replace(/-/g, '');
    const now = Date.now();
    await this.db.run(`INSERT INTO registry_webhooks (${WEBHOOK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      id,
      name,
      url,
      events.join(','),
      modelName,
      secret,
      description,
      input.active === false ? 0 : 1,
      now,
      now,
    ]);
    return { webhook: await this.getWebhook(id), secret };
  }

  async getWebhook(id: string): Promise<Webhook> {
    return webhookFromRow(await this.requireRow(id));
  }

  /** The row with its secret, for signing; NotFound when absent. */
  async requireRow(id: string): Promise<WebhookRow> {
    if (typeof id !== 'string' || id === '') throw new InvalidParameter("Missing value for required parameter 'id'.");
    const row = await this.db.get<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM registry_webhooks WHERE id = ?`, [id]);
    if (!row) throw new NotFound(`Webhook with id=${id} not found`);
    return row;
  }

  async listWebhooks(filter: { modelName?: string } = {}): Promise<Webhook[]> {
    const rows = filter.modelName
      ? await this.db.all<WebhookRow>(
          `SELECT ${WEBHOOK_COLUMNS} FROM registry_webhooks WHERE model_name = ? ORDER BY creation_time, id`,
          [filter.modelName],
        )
      : await this.db.all<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM registry_webhooks ORDER BY creation_time, id`);
    return rows.map(webhookFromRow);
  }

  async updateWebhook(id: string, patch: UpdateWebhookInput): Promise<Webhook> {
    const sets: string[] = [];
    const params: Array<string | number | null> = [];
    const set = (column: string, value: string | number | null) => {
      sets.push(`${column} = ?`);
      params.push(value);
    };
    if (patch.url !== undefined) set('url', validateWebhookUrl(patch.url));
    if (patch.events !== undefined) set('events', validateWebhookEvents(patch.events).join(','));
    if (patch.name !== undefined) set('name', validateOptionalText('name', patch.name, MAX_WEBHOOK_NAME_LENGTH));
    if (patch.description !== undefined)
      set('description', validateOptionalText('description', patch.description, MAX_WEBHOOK_DESCRIPTION_LENGTH));
    if (patch.modelName !== undefined) set('model_name', optionalModelName(patch.modelName));
    if (patch.secret !== undefined) set('secret', validateWebhookSecret(patch.secret));
    if (patch.active !== undefined) set('active', patch.active ? 1 : 0);
    set('last_updated_time', Date.now());
    const res = await this.db.run(`UPDATE registry_webhooks SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
    if (res.changes === 0) throw new NotFound(`Webhook with id=${id} not found`);
    return this.getWebhook(id);
  }

  /** Deletes the webhook and its delivery records (ON DELETE CASCADE); pending deliveries are dropped. */
  async deleteWebhook(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM registry_webhook_deliveries WHERE webhook_id = ?', [id]);
      const res = await tx.run('DELETE FROM registry_webhooks WHERE id = ?', [id]);
      if (res.changes === 0) throw new NotFound(`Webhook with id=${id} not found`);
    });
  }

  /** Newest first; NotFound for an unknown webhookId (the only check: the REST route relies on it). */
  async listDeliveries(query: ListDeliveriesQuery = {}): Promise<WebhookDelivery[]> {
    if (query.webhookId) await this.requireRow(query.webhookId);
    const limit = query.maxResults ?? DEFAULT_DELIVERY_RESULTS;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_DELIVERY_RESULTS) {
      throw new InvalidParameter(
        `Invalid value for parameter 'max_results': must be between 1 and ${MAX_DELIVERY_RESULTS}.`,
      );
    }
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (query.webhookId) {
      where.push('webhook_id = ?');
      params.push(query.webhookId);
    }
    if (query.status) {
      where.push('status = ?');
      params.push(query.status.toUpperCase());
    }
    const rows = await this.db.all<DeliveryRow>(
      `SELECT * FROM registry_webhook_deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY creation_time DESC, id LIMIT ${limit}`,
      params,
    );
    return rows.map(deliveryFromRow);
  }

  /** The model's existence and the outbox rows in one transaction: no delivery for a model deleted meanwhile. */
  async recordEvent(event: RegistryEvent): Promise<number> {
    validateExternalEvent(event);
    return this.db.transaction(async (tx) => {
      const model = await tx.get('SELECT name FROM registered_models WHERE name = ?', [event.modelName]);
      if (!model) throw new NotFound(`Registered Model with name=${event.modelName} not found`);
      return this.outbox.queue(tx, event);
    });
  }

  testWebhook(id: string): Promise<TestDeliveryResult> {
    return pingWebhook(this, id);
  }

  startDeliveries(options: Partial<DeliveryWorkerOptions>): WebhookDeliveries {
    const worker = new WebhookDeliveryWorker(this.db, options);
    worker.start();
    return worker;
  }
}
