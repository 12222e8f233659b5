// The RegistryStore over any SqlDatabase (SQLite or PostgreSQL), sharing the tracking store's
// database (its tables: ./migrations.ts); engine differences stay in the driver and its Dialect.
import type { PagedList, Tag } from '../../tracking/entities.js';
import type { SqlDatabase } from '../../db/sql-database.js';
import type { ModelVersion, RegisteredModel, RegistryAuditEntry } from '../entities.js';
import type { PolicyResult } from '../policies/policy-evaluator.js';
import type { PromotionPolicy } from '../policies/promotion-policy.js';
import type {
  ChangeContext,
  CreateModelVersionInput,
  ImportedRegisteredModel,
  ImportRegisteredModelResult,
  RegistryHistoryQuery,
  RegistryStore,
  SearchRegistryQuery,
} from '../store.js';
import * as versions from './model-version-operations.js';
import * as policies from './promotion-policy-operations.js';
import * as models from './registered-model-operations.js';
import { getRegistryHistory } from './registry-audit.js';
import { importRegisteredModel } from './registry-import.js';
import { searchModelVersions, searchRegisteredModels } from './registry-search.js';

export class SqlRegistryStore implements RegistryStore {
  /** `db` must already be migrated: migrateRegistrySchema (../registry-schema.ts), which openStores runs. */
  constructor(readonly db: SqlDatabase) {}

  createRegisteredModel(name: string, tags?: Tag[], description?: string | null): Promise<RegisteredModel> {
    return models.createRegisteredModel(this.db, name, tags, description);
  }
  getRegisteredModel(name: string): Promise<RegisteredModel> {
    return models.getRegisteredModel(this.db, name);
  }
  renameRegisteredModel(name: string, newName: string, context?: ChangeContext): Promise<RegisteredModel> {
    return models.renameRegisteredModel(this.db, name, newName, context);
  }
  updateRegisteredModel(name: string, description: string | null, context?: ChangeContext): Promise<RegisteredModel> {
    return models.updateRegisteredModel(this.db, name, description, context);
  }
  deleteRegisteredModel(name: string, context?: ChangeContext): Promise<void> {
    return models.deleteRegisteredModel(this.db, name, context);
  }
  searchRegisteredModels(query: SearchRegistryQuery): Promise<PagedList<RegisteredModel>> {
    return searchRegisteredModels(this.db, query);
  }
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]> {
    return models.getLatestVersions(this.db, name, stages);
  }
  setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    return models.setRegisteredModelTag(this.db, name, key, value);
  }
  deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    return models.deleteRegisteredModelTag(this.db, name, key);
  }

  setRegisteredModelAlias(name: string, alias: string, version: string, context?: ChangeContext): Promise<void> {
    return models.setRegisteredModelAlias(this.db, name, alias, version, context);
  }
  deleteRegisteredModelAlias(name: string, alias: string, context?: ChangeContext): Promise<void> {
    return models.deleteRegisteredModelAlias(this.db, name, alias, context);
  }
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return models.getModelVersionByAlias(this.db, name, alias);
  }

  createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion> {
    return versions.createModelVersion(this.db, input);
  }
  getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return versions.getModelVersion(this.db, name, version);
  }
  updateModelVersion(
    name: string,
    version: string,
    description: string | null,
    context?: ChangeContext,
  ): Promise<ModelVersion> {
    return versions.updateModelVersion(this.db, name, version, description, context);
  }
  deleteModelVersion(name: string, version: string, context?: ChangeContext): Promise<void> {
    return versions.deleteModelVersion(this.db, name, version, context);
  }
  searchModelVersions(query: SearchRegistryQuery): Promise<PagedList<ModelVersion>> {
    return searchModelVersions(this.db, query);
  }
  transitionModelVersionStage(
    name: string,
    version: string,
    stage: string,
    archiveExisting: boolean,
    context?: ChangeContext,
  ): Promise<ModelVersion> {
    return versions.transitionModelVersionStage(this.db, name, version, stage, archiveExisting, context);
  }
  setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    return versions.setModelVersionTag(this.db, name, version, key, value);
  }
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    return versions.deleteModelVersionTag(this.db, name, version, key);
  }
  getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    return versions.getModelVersionDownloadUri(this.db, name, version);
  }

  getRegistryHistory(query: RegistryHistoryQuery): Promise<PagedList<RegistryAuditEntry>> {
    return getRegistryHistory(this.db, query);
  }
  setPromotionPolicy(name: string, policy: unknown, context?: ChangeContext): Promise<PromotionPolicy> {
    return policies.setPromotionPolicy(this.db, name, policy, context);
  }
  getPromotionPolicies(name: string, target?: string): Promise<PromotionPolicy[]> {
    return policies.getPromotionPolicies(this.db, name, target);
  }
  deletePromotionPolicy(name: string, target: string, context?: ChangeContext): Promise<void> {
    return policies.deletePromotionPolicy(this.db, name, target, context);
  }
  checkPromotionPolicy(name: string, version: string, target: string): Promise<PolicyResult> {
    return policies.checkPromotionPolicy(this.db, name, version, target);
  }
  importRegisteredModel(model: ImportedRegisteredModel, source: string): Promise<ImportRegisteredModelResult> {
    return importRegisteredModel(this.db, model, source);
  }
}
