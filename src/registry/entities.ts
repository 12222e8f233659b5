// Model registry entities, shaped like MLflow's model_registry.proto in camelCase; the REST layer
// converts them to and from MLflow's snake_case JSON.
import type { Tag } from '../tracking/entities.js';

export type ModelVersionStage = 'None' | 'Staging' | 'Production' | 'Archived';
/** MLflow creates versions synchronously, so a stored version is always READY. */
export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';

export interface RegisteredModelAlias {
  alias: string;
  version: string;
}

export interface ModelVersion {
  name: string;
  /** Decimal string, as the proto: versions count 1, 2, 3… per model and are never reused. */
  version: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  userId: string | null;
  currentStage: ModelVersionStage;
  description: string | null;
  /** The source as the client gave it (e.g. `runs:/<id>/model`, `mlflow-artifacts:/…`). */
  source: string;
  runId: string | null;
  runLink: string | null;
  status: ModelVersionStatus;
  statusMessage: string | null;
  tags: Tag[];
  /** Aliases pointing at this version, sorted. */
  aliases: string[];
}

export interface RegisteredModel {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string | null;
  /** The highest live version in each stage that has one. */
  latestVersions: ModelVersion[];
  tags: Tag[];
  aliases: RegisteredModelAlias[];
}

/** What a governed registry change was (see the audit trail in src/registry/README.md). */
export type RegistryAuditAction =
  | 'transition_stage'
  | 'transition_stage_refused'
  | 'set_alias'
  | 'set_alias_refused'
  | 'delete_alias'
  | 'update_model_description'
  | 'update_version_description'
  | 'delete_version'
  | 'delete_model'
  | 'rename_model'
  | 'set_policy'
  | 'delete_policy'
  /** A user's permission on the model was granted or changed (auth; `to` is `user:PERMISSION`). */
  | 'set_permission'
  | 'delete_permission'
  | 'import_model';

/** One row of the registry audit trail, written in the same transaction as the change it records. */
export interface RegistryAuditEntry {
  id: number;
  timestamp: number;
  /** From the `X-Cairn-User` header or basic auth; 'unknown' when neither was given. */
  user: string;
  name: string;
  version: string | null;
  /** The alias for alias actions, the policy target for policy actions. */
  alias: string | null;
  action: RegistryAuditAction;
  from: string | null;
  to: string | null;
  reason: string | null;
  /** True when a failing promotion policy was overridden with `force`. */
  forced: boolean;
  /** The promotion policy evaluation (PolicyResult) when a policy applied, else null. */
  policyResult: unknown;
}
