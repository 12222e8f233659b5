// The registry's REST calls: MLflow's registered-model and model-version endpoints, and Cairn's own
// governance (audit history, promotion policies and their dry run) and webhooks under /api/2.0/cairn.
// Governed writes carry `X-Cairn-User` (the name the user gave, kept in localStorage) for the audit trail.
import { readError } from './client.js';
import type {
  AuditEntry,
  ModelVersion,
  PolicyDocument,
  PolicyVerdict,
  RegisteredModel,
  Webhook,
  WebhookDelivery,
} from './registry-types.js';

const MLFLOW = '/api/2.0/mlflow';
const CAIRN = '/api/2.0/cairn';
const USER_KEY = 'cairn.user';

export function auditUser(): string {
  return localStorage.getItem(USER_KEY) ?? '';
}

export function saveAuditUser(name: string): void {
  if (name.trim()) localStorage.setItem(USER_KEY, name.trim());
  else localStorage.removeItem(USER_KEY);
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

async function call<T>(method: Method, url: string, body?: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = {};
  const user = auditUser();
  if (user && method !== 'GET') headers['x-cairn-user'] = user;
  let target = url;
  let payload: string | undefined;
  if (method === 'GET' && body) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(body)) {
      if (v === undefined || v === '') continue;
      for (const item of Array.isArray(v) ? v : [v]) qs.append(k, String(item));
    }
    target += `?${qs}`;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(target, { method, headers, body: payload, signal });
  if (!res.ok) throw await readError(res);
  return (await res.json()) as T;
}

/** A registered-model filter matching names that contain `text` (any case), quotes escaped. */
export function nameContainsFilter(text: string): string | undefined {
  const t = text.trim();
  if (!t) return undefined;
  return `name ILIKE '%${t.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}%'`;
}

export interface ModelsPage {
  models: RegisteredModel[];
  nextPageToken?: string;
}

export async function searchRegisteredModels(
  nameContains: string,
  pageToken: string | undefined,
  signal?: AbortSignal,
): Promise<ModelsPage> {
  const res = await call<{ registered_models?: RegisteredModel[]; next_page_token?: string }>(
    'GET',
    `${MLFLOW}/registered-models/search`,
    { filter: nameContainsFilter(nameContains), max_results: 100, order_by: 'name ASC', page_token: pageToken },
    signal,
  );
  return { models: res.registered_models ?? [], nextPageToken: res.next_page_token };
}

export async function getRegisteredModel(name: string, signal?: AbortSignal): Promise<RegisteredModel> {
  const res = await call<{ registered_model: RegisteredModel }>(
    'GET',
    `${MLFLOW}/registered-models/get`,
    { name },
    signal,
  );
  return res.registered_model;
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Every version of a model, newest first. */
export async function listModelVersions(name: string, signal?: AbortSignal): Promise<ModelVersion[]> {
  const out: ModelVersion[] = [];
  let pageToken: string | undefined;
  do {
    const page = await call<{ model_versions?: ModelVersion[]; next_page_token?: string }>(
      'GET',
      `${MLFLOW}/model-versions/search`,
      { filter: `name = ${quote(name)}`, max_results: 1000, order_by: 'version_number DESC', page_token: pageToken },
      signal,
    );
    out.push(...(page.model_versions ?? []));
    pageToken = page.next_page_token;
  } while (pageToken);
  return out;
}

export async function getModelVersion(name: string, version: string, signal?: AbortSignal): Promise<ModelVersion> {
  const res = await call<{ model_version: ModelVersion }>(
    'GET',
    `${MLFLOW}/model-versions/get`,
    { name, version },
    signal,
  );
  return res.model_version;
}

/** A file of the version's model package (MLmodel, input_example.json…), as text. */
export async function fetchModelVersionFile(name: string, version: string, path: string): Promise<string> {
  const res = await fetch(`/model-versions/get-artifact?${new URLSearchParams({ name, version, path })}`);
  if (!res.ok) throw await readError(res);
  return res.text();
}

export interface ChangeOptions {
  reason?: string;
  force?: boolean;
}

export const transitionStage = (
  name: string,
  version: string,
  stage: string,
  archiveExisting: boolean,
  opts: ChangeOptions,
) =>
  call<{ model_version: ModelVersion }>('POST', `${MLFLOW}/model-versions/transition-stage`, {
    name,
    version,
    stage,
    archive_existing_versions: archiveExisting,
    reason: opts.reason || undefined,
    force: opts.force || undefined,
  });

export const setAlias = (name: string, alias: string, version: string, opts: ChangeOptions) =>
  call<unknown>('POST', `${MLFLOW}/registered-models/alias`, {
    name,
    alias,
    version,
    reason: opts.reason || undefined,
    force: opts.force || undefined,
  });

export const deleteAlias = (name: string, alias: string, opts: ChangeOptions) =>
  call<unknown>('DELETE', `${MLFLOW}/registered-models/alias`, { name, alias, reason: opts.reason || undefined });

/** The promotion policy's dry run for moving `version` into `target` (a stage, or `@alias`). */
export async function checkPolicy(name: string, version: string, target: string): Promise<PolicyVerdict> {
  const res = await call<{ result: PolicyVerdict }>('POST', `${CAIRN}/registry/policies/check`, {
    name,
    version,
    target,
  });
  return res.result;
}

export async function getPolicies(name: string, signal?: AbortSignal): Promise<PolicyDocument[]> {
  const res = await call<{ policies?: PolicyDocument[] }>('GET', `${CAIRN}/registry/policies`, { name }, signal);
  return res.policies ?? [];
}

export interface HistoryPage {
  entries: AuditEntry[];
  nextPageToken?: string;
}

export async function getHistory(
  name: string,
  version: string | undefined,
  pageToken: string | undefined,
  signal?: AbortSignal,
): Promise<HistoryPage> {
  const res = await call<{ entries?: AuditEntry[]; next_page_token?: string }>(
    'GET',
    `${CAIRN}/registry/history`,
    { name, version, max_results: 50, page_token: pageToken },
    signal,
  );
  return { entries: res.entries ?? [], nextPageToken: res.next_page_token };
}

export async function listWebhooks(signal?: AbortSignal): Promise<Webhook[]> {
  const res = await call<{ webhooks?: Webhook[] }>('GET', `${CAIRN}/registry/webhooks`, undefined, signal);
  return res.webhooks ?? [];
}

export interface NewWebhook {
  url: string;
  events: string[];
  name?: string;
  model_name?: string;
  description?: string;
  secret?: string;
}

export async function createWebhook(w: NewWebhook): Promise<{ webhook: Webhook; secret: string }> {
  const body: Record<string, unknown> = { url: w.url, events: w.events };
  for (const key of ['name', 'model_name', 'description', 'secret'] as const) {
    if (w[key]) body[key] = w[key];
  }
  return call('POST', `${CAIRN}/registry/webhooks`, body);
}

export const setWebhookActive = (id: string, active: boolean) =>
  call<{ webhook: Webhook }>('PATCH', `${CAIRN}/registry/webhooks/${encodeURIComponent(id)}`, { active });

export const deleteWebhook = (id: string) =>
  call<unknown>('DELETE', `${CAIRN}/registry/webhooks/${encodeURIComponent(id)}`);

export const testWebhook = (id: string) =>
  call<{ success: boolean; status_code?: number | null; error?: string | null; duration_ms: number }>(
    'POST',
    `${CAIRN}/registry/webhooks/test`,
    { id },
  );

export async function listDeliveries(webhookId: string | undefined, signal?: AbortSignal): Promise<WebhookDelivery[]> {
  const res = await call<{ deliveries?: WebhookDelivery[] }>(
    'GET',
    `${CAIRN}/registry/webhooks/deliveries`,
    { webhook_id: webhookId, max_results: 100 },
    signal,
  );
  return res.deliveries ?? [];
}
