// The registry JSON shapes the UI reads: MLflow's model_registry.proto (snake_case) and Cairn's
// governance and webhook bodies (src/server/routes/cairn-registry.ts, webhooks.ts).
import type { KeyValue } from './types.js';

export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type Stage = (typeof STAGES)[number];

export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  current_stage: Stage;
  description?: string;
  source: string;
  run_id?: string;
  status: string;
  status_message?: string;
  tags?: KeyValue[];
  run_link?: string;
  aliases?: string[];
}

export interface RegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description?: string;
  latest_versions?: ModelVersion[];
  tags?: KeyValue[];
  aliases?: Array<{ alias: string; version: string }>;
}

export interface Criterion {
  kind: 'require' | 'mustBeat';
  criterion: string;
  metric: string;
  passed: boolean;
  value: number | null;
  op?: string;
  threshold?: number;
  current_version?: string | null;
  current_value?: number | null;
  by?: number;
  detail?: string;
}

/** The policy's result for one candidate and target; `policy` is null when the target has none. */
export interface PolicyVerdict {
  name: string;
  version: string;
  target: string;
  passed: boolean;
  policy: PolicyDocument | null;
  criteria: Criterion[];
}

export interface PolicyDocument {
  name?: string;
  target: string;
  require: Array<Record<string, string | number>>;
  mustBeat?: { metric: string; current: string; by: number };
  description?: string;
}

export interface AuditEntry {
  id: number;
  timestamp: number;
  user: string;
  name: string;
  version: string | null;
  alias: string | null;
  action: string;
  from: string | null;
  to: string | null;
  reason: string | null;
  forced: boolean;
  policy_result: PolicyVerdict | null;
}

/** The events a webhook may subscribe to (src/registry/webhooks/registry-events.ts). */
export const WEBHOOK_EVENTS = [
  'REGISTERED_MODEL_CREATED',
  'REGISTERED_MODEL_RENAMED',
  'REGISTERED_MODEL_DELETED',
  'MODEL_VERSION_CREATED',
  'MODEL_VERSION_TRANSITIONED_STAGE',
  'MODEL_VERSION_DELETED',
  'MODEL_VERSION_TAG_SET',
  'MODEL_VERSION_TAG_DELETED',
  'REGISTERED_MODEL_ALIAS_SET',
  'REGISTERED_MODEL_ALIAS_DELETED',
  'MODEL_DRIFT_DETECTED',
] as const;

export interface Webhook {
  id: string;
  name: string | null;
  url: string;
  events: string[];
  model_name: string | null;
  description: string | null;
  active: boolean;
  creation_timestamp: number;
  last_updated_timestamp: number;
}

export interface WebhookDelivery {
  id: string;
  webhook_id: string;
  event_id: string;
  event: string;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  creation_timestamp: number;
  last_attempt_timestamp: number | null;
  next_attempt_timestamp: number | null;
  delivered_timestamp: number | null;
}
