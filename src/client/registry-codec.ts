// MLflow's model registry JSON (model_registry.proto) and Cairn's governance JSON (audit entries,
// promotion policies and their evaluations) read back into the registry's entities.
import type {
  ModelVersion,
  ModelVersionStage,
  RegisteredModel,
  RegistryAuditAction,
  RegistryAuditEntry,
} from '../registry/entities.js';
import type { CriterionResult, PolicyResult } from '../registry/policies/policy-evaluator.js';
import {
  parsePromotionPolicy,
  type PolicyOperator,
  type PromotionPolicy,
} from '../registry/policies/promotion-policy.js';
import type { Tag } from '../tracking/entities.js';
import type { Json } from '../tracking/mlflow-json.js';

export const jsonList = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
const num = (v: unknown): number => (v === undefined || v === null || v === '' ? 0 : Number(v));
const optionalNum = (v: unknown): number | null => (v === undefined || v === null || v === '' ? null : Number(v));
const tags = (v: unknown): Tag[] => jsonList(v).map((t) => ({ key: String(t.key), value: String(t.value ?? '') }));

export function modelVersionFromJson(j: Json): ModelVersion {
  return {
    name: String(j.name),
    version: String(j.version),
    creationTimestamp: num(j.creation_timestamp),
    lastUpdatedTimestamp: num(j.last_updated_timestamp),
    userId: str(j.user_id),
    currentStage: (str(j.current_stage) ?? 'None') as ModelVersionStage,
    description: str(j.description),
    source: String(j.source ?? ''),
    runId: str(j.run_id),
    runLink: str(j.run_link),
    status: (str(j.status) ?? 'READY') as ModelVersion['status'],
    statusMessage: str(j.status_message),
    tags: tags(j.tags),
    aliases: Array.isArray(j.aliases) ? j.aliases.map(String) : [],
  };
}

export function registeredModelFromJson(j: Json): RegisteredModel {
  return {
    name: String(j.name),
    creationTimestamp: num(j.creation_timestamp),
    lastUpdatedTimestamp: num(j.last_updated_timestamp),
    description: str(j.description),
    latestVersions: jsonList(j.latest_versions).map(modelVersionFromJson),
    tags: tags(j.tags),
    aliases: jsonList(j.aliases).map((a) => ({ alias: String(a.alias), version: String(a.version) })),
  };
}

export function auditEntryFromJson(j: Json): RegistryAuditEntry {
  return {
    id: num(j.id),
    timestamp: num(j.timestamp),
    user: String(j.user ?? 'unknown'),
    name: String(j.name ?? ''),
    version: str(j.version),
    alias: str(j.alias),
    action: String(j.action) as RegistryAuditAction,
    from: str(j.from),
    to: str(j.to),
    reason: str(j.reason),
    forced: j.forced === true,
    policyResult: j.policy_result ?? null,
  };
}

/** A policy as the server returns it: the user's document plus the model's name. */
export function policyFromJson(j: Json): PromotionPolicy {
  const { name: _name, ...document } = j;
  return parsePromotionPolicy(document);
}

function criterionFromJson(j: Json): CriterionResult {
  const out: CriterionResult = {
    kind: j.kind === 'mustBeat' ? 'mustBeat' : 'require',
    criterion: String(j.criterion),
    metric: String(j.metric ?? ''),
    passed: j.passed === true,
    value: optionalNum(j.value),
  };
  if (j.op !== undefined) Object.assign(out, { op: j.op as PolicyOperator, threshold: num(j.threshold) });
  if (out.kind === 'mustBeat') {
    out.currentVersion = str(j.current_version);
    out.currentValue = optionalNum(j.current_value);
    out.by = num(j.by);
  }
  if (typeof j.detail === 'string') out.detail = j.detail;
  return out;
}

export function policyResultFromJson(j: Json): PolicyResult {
  return {
    name: String(j.name),
    version: String(j.version),
    target: String(j.target),
    passed: j.passed === true,
    policy: j.policy ? policyFromJson(j.policy as Json) : null,
    criteria: jsonList(j.criteria).map(criterionFromJson),
  };
}
