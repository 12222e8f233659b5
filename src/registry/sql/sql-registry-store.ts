// The RegistryStore over any SqlDatabase (SQLite or PostgreSQL), sharing the tracking store's
// database and migrations; engine differences stay in the driver and its Dialect.
import type { PagedList, Tag } from '../../tracking/entities.js';
import type { SqlDatabase } from '../../tracking/sql/sql-database.js';
import type { ModelVersion, RegisteredModel } from '../entities.js';
import type { CreateModelVersionInput, RegistryStore, SearchRegistryQuery } from '../store.js';
import * as versions from './model-version-operations.js';
import * as models from './registered-model-operations.js';
import { searchModelVersions, searchRegisteredModels } from './registry-search.js';

export class SqlRegistryStore implements RegistryStore {
  /** `db` must already be migrated (opening the tracking store on it does that). */
  constructor(readonly db: SqlDatabase) {}

  createRegisteredModel(name: string, tags?: Tag[], description?: string | null): Promise<RegisteredModel> {
    return models.createRegisteredModel(this.db, name, tags, description);
  }
  getRegisteredModel(name: string): Promise<RegisteredModel> { return models.getRegisteredModel(this.db, name); }
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> { return models.renameRegisteredModel(this.db, name, newName); }
  updateRegisteredModel(name: string, description: string | null): Promise<RegisteredModel> {
    return models.updateRegisteredModel(this.db, name, description);
  }
  deleteRegisteredModel(name: string): Promise<void> { return models.deleteRegisteredModel(this.db, name); }
  searchRegisteredModels(query: SearchRegistryQuery): Promise<PagedList<RegisteredModel>> { return searchRegisteredModels(this.db, query); }
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]> { return models.getLatestVersions(this.db, name, stages); }
  setRegisteredModelTag(name: string, key: string, value: string): Promise<void> { return models.setRegisteredModelTag(this.db, name, key, value); }
  deleteRegisteredModelTag(name: string, key: string): Promise<void> { return models.deleteRegisteredModelTag(this.db, name, key); }

  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    return models.setRegisteredModelAlias(this.db, name, alias, version);
  }
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void> { return models.deleteRegisteredModelAlias(this.db, name, alias); }
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> { return models.getModelVersionByAlias(this.db, name, alias); }

  createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion> { return versions.createModelVersion(this.db, input); }
  getModelVersion(name: string, version: string): Promise<ModelVersion> { return versions.getModelVersion(this.db, name, version); }
  updateModelVersion(name: string, version: string, description: string | null): Promise<ModelVersion> {
    return versions.updateModelVersion(this.db, name, version, description);
  }
  deleteModelVersion(name: string, version: string): Promise<void> { return versions.deleteModelVersion(this.db, name, version); }
  searchModelVersions(query: SearchRegistryQuery): Promise<PagedList<ModelVersion>> { return searchModelVersions(this.db, query); }
  transitionModelVersionStage(name: string, version: string, stage: string, archiveExisting: boolean): Promise<ModelVersion> {
    return versions.transitionModelVersionStage(this.db, name, version, stage, archiveExisting);
  }
  setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    return versions.setModelVersionTag(this.db, name, version, key, value);
  }
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    return versions.deleteModelVersionTag(this.db, name, version, key);
  }
  getModelVersionDownloadUri(name: string, version: string): Promise<string> { return versions.getModelVersionDownloadUri(this.db, name, version); }
}
