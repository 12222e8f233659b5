// The RegistryStore interface: every operation the model registry server needs, documented once.
// One SQL implementation (src/registry/sql) serves SQLite and PostgreSQL, sharing the tracking
// store's database. Methods throw CairnError subclasses (src/core/errors.ts).
import type { PagedList, Tag } from '../tracking/entities.js';
import type { ModelVersion, RegisteredModel, RegistryAuditEntry } from './entities.js';
import type { PolicyResult } from './policies/policy-evaluator.js';
import type { PromotionPolicy } from './policies/promotion-policy.js';

export interface SearchRegistryQuery {
  /** Registered models: `name`, `name LIKE/ILIKE`, `tags.<key>`; versions add `run_id [IN (…)]`, `source_path`, `version_number`. */
  filter?: string;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

export interface CreateModelVersionInput {
  name: string;
  source: string;
  runId?: string | null;
  runLink?: string | null;
  description?: string | null;
  tags?: Tag[];
  /**
   * Where the files really are when `source` is indirect (a `runs:/` URI resolved by the caller
   * through the tracking store). `models:/` sources are resolved by the store itself.
   */
  storageLocation?: string | null;
}

/** Who makes a governed change and why; recorded in the audit trail with the change. */
export interface ChangeContext {
  /** Defaults to 'unknown'. */
  user?: string;
  reason?: string | null;
  /** Overrides a failing promotion policy; needs a non-empty `reason`. */
  force?: boolean;
}

export interface RegistryHistoryQuery {
  name: string;
  version?: string;
  maxResults?: number;
  pageToken?: string;
}

/** A model version as another registry recorded it, for `importRegisteredModel`. */
export interface ImportedModelVersion {
  version: number;
  creationTime: number | null;
  lastUpdatedTime: number | null;
  description: string | null;
  userId: string | null;
  /** None, Staging, Production, Archived, or Deleted_Internal for a deleted version (kept redacted). */
  stage: string;
  source: string;
  storageLocation: string | null;
  runId: string | null;
  runLink: string | null;
  status: string;
  statusMessage: string | null;
  tags: Tag[];
}

export interface ImportedRegisteredModel {
  name: string;
  description: string | null;
  creationTime: number | null;
  lastUpdatedTime: number | null;
  tags: Tag[];
  aliases: Array<{ alias: string; version: number }>;
  versions: ImportedModelVersion[];
}

export interface ImportRegisteredModelResult {
  /** False when a model of that name exists already: nothing was written. */
  created: boolean;
  /** Versions imported (deleted ones not counted). */
  versions: number;
}

export interface RegistryStore {
  // registered models
  createRegisteredModel(name: string, tags?: Tag[], description?: string | null): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  /** Versions, tags and aliases follow the model to its new name. */
  renameRegisteredModel(name: string, newName: string, context?: ChangeContext): Promise<RegisteredModel>;
  updateRegisteredModel(name: string, description: string | null, context?: ChangeContext): Promise<RegisteredModel>;
  /** Deletes the model with all its versions, tags, aliases and policies (its audit history stays). */
  deleteRegisteredModel(name: string, context?: ChangeContext): Promise<void>;
  searchRegisteredModels(query: SearchRegistryQuery): Promise<PagedList<RegisteredModel>>;
  /** The highest live version per stage; all stages when `stages` is empty. */
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]>;
  setRegisteredModelTag(name: string, key: string, value: string): Promise<void>;
  deleteRegisteredModelTag(name: string, key: string): Promise<void>;

  // aliases
  /**
   * Points `alias` at `version`, moving it atomically if it pointed elsewhere. Gated by the
   * model's `@alias` promotion policy: a failure is INVALID_STATE unless `context.force`.
   */
  setRegisteredModelAlias(name: string, alias: string, version: string, context?: ChangeContext): Promise<void>;
  deleteRegisteredModelAlias(name: string, alias: string, context?: ChangeContext): Promise<void>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;

  // model versions
  /** Assigns the next version number (1 for a new model; numbers of deleted versions are never reused). */
  createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion>;
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  updateModelVersion(
    name: string,
    version: string,
    description: string | null,
    context?: ChangeContext,
  ): Promise<ModelVersion>;
  /** Removes the version and the aliases pointing at it. */
  deleteModelVersion(name: string, version: string, context?: ChangeContext): Promise<void>;
  searchModelVersions(query: SearchRegistryQuery): Promise<PagedList<ModelVersion>>;
  /**
   * `stage` is case-insensitive; `archiveExisting` moves other versions in Staging/Production to Archived.
   * Gated by the model's promotion policy for `stage`: a failure is INVALID_STATE unless `context.force`.
   */
  transitionModelVersionStage(
    name: string,
    version: string,
    stage: string,
    archiveExisting: boolean,
    context?: ChangeContext,
  ): Promise<ModelVersion>;
  setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void>;
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void>;
  /** Where the version's files are: the resolved storage location, else the source. */
  getModelVersionDownloadUri(name: string, version: string): Promise<string>;

  // governance (Cairn-only)
  /** The model's audit trail (also of deleted models), newest first; `version` narrows it to one version. */
  getRegistryHistory(query: RegistryHistoryQuery): Promise<PagedList<RegistryAuditEntry>>;
  /** Validates and stores the policy for its target, replacing any earlier one. */
  setPromotionPolicy(name: string, policy: unknown, context?: ChangeContext): Promise<PromotionPolicy>;
  /** The model's policies ordered by target, or the one for `target` (NotFound when absent). */
  getPromotionPolicies(name: string, target?: string): Promise<PromotionPolicy[]>;
  deletePromotionPolicy(name: string, target: string, context?: ChangeContext): Promise<void>;
  /** Dry run: how `version` fares against the policy for `target` (passes when there is none). */
  checkPromotionPolicy(name: string, version: string, target: string): Promise<PolicyResult>;

  /**
   * Writes a model recorded elsewhere (a migration from MLflow) with its version numbers, stages,
   * aliases and tags, in one transaction, audited as `import_model` from `source`; a model whose
   * name exists already is left untouched. Promotion policies and webhooks are not involved.
   */
  importRegisteredModel(model: ImportedRegisteredModel, source: string): Promise<ImportRegisteredModelResult>;
}
