// The RegistryStore interface: every operation the model registry server needs, documented once.
// One SQL implementation (src/registry/sql) serves SQLite and PostgreSQL, sharing the tracking
// store's database. Methods throw CairnError subclasses (src/core/errors.ts).
import type { PagedList, Tag } from '../tracking/entities.js';
import type { ModelVersion, RegisteredModel } from './entities.js';

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

export interface RegistryStore {
  // registered models
  createRegisteredModel(name: string, tags?: Tag[], description?: string | null): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  /** Versions, tags and aliases follow the model to its new name. */
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel>;
  updateRegisteredModel(name: string, description: string | null): Promise<RegisteredModel>;
  /** Deletes the model with all its versions, tags and aliases. */
  deleteRegisteredModel(name: string): Promise<void>;
  searchRegisteredModels(query: SearchRegistryQuery): Promise<PagedList<RegisteredModel>>;
  /** The highest live version per stage; all stages when `stages` is empty. */
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]>;
  setRegisteredModelTag(name: string, key: string, value: string): Promise<void>;
  deleteRegisteredModelTag(name: string, key: string): Promise<void>;

  // aliases
  /** Points `alias` at `version`, moving it atomically if it pointed elsewhere. */
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void>;
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;

  // model versions
  /** Assigns the next version number (1 for a new model; numbers of deleted versions are never reused). */
  createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion>;
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  updateModelVersion(name: string, version: string, description: string | null): Promise<ModelVersion>;
  /** Removes the version and the aliases pointing at it. */
  deleteModelVersion(name: string, version: string): Promise<void>;
  searchModelVersions(query: SearchRegistryQuery): Promise<PagedList<ModelVersion>>;
  /** `stage` is case-insensitive; `archiveExisting` moves other versions in Staging/Production to Archived. */
  transitionModelVersionStage(name: string, version: string, stage: string, archiveExisting: boolean): Promise<ModelVersion>;
  setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void>;
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void>;
  /** Where the version's files are: the resolved storage location, else the source. */
  getModelVersionDownloadUri(name: string, version: string): Promise<string>;
}

