// The model registry calls the client needs (logModel's registration, loadModel's models:/ URIs),
// over MLflow's REST API or directly over a RegistryStore on the tracking store's database.
import type { ModelVersion, ModelVersionStage, RegisteredModel } from '../registry/entities.js';
import { validateModelVersionSource } from '../registry/model-version-source.js';
import type { RegistryStore } from '../registry/store.js';
import { storesOn } from '../registry/open-stores.js';
import type { Tag } from '../tracking/entities.js';
import { SqlTrackingStore } from '../tracking/sql/sql-tracking-store.js';
import type { TrackingStore } from '../tracking/store.js';
import type { ModelRegistryLookup } from '../models/model-uri.js';
import type { HttpConnection } from './http-connection.js';
import type { Json } from '../tracking/mlflow-json.js';

export interface CreateModelVersionOptions {
  name: string;
  /** Where the files are: the run's artifact URI + path, or `runs:/<run_id>/<path>`. */
  source: string;
  runId?: string;
  tags?: Tag[];
  description?: string;
}

export interface RegistryClient extends ModelRegistryLookup {
  createRegisteredModel(name: string, options?: { tags?: Tag[]; description?: string }): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  createModelVersion(options: CreateModelVersionOptions): Promise<ModelVersion>;
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
  getModelVersionDownloadUri(name: string, version: string): Promise<string>;
  transitionModelVersionStage(name: string, version: string, stage: string, archiveExistingVersions?: boolean): Promise<ModelVersion>;
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void>;
}

const API = '/api/2.0/mlflow';
const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
const num = (v: unknown): number => (v === undefined || v === null || v === '' ? 0 : Number(v));
const tags = (v: unknown): Tag[] => (Array.isArray(v) ? v.map((t: Json) => ({ key: String(t.key), value: String(t.value ?? '') })) : []);

export function modelVersionFromJson(j: Json): ModelVersion {
  return {
    name: String(j.name), version: String(j.version),
    creationTimestamp: num(j.creation_timestamp), lastUpdatedTimestamp: num(j.last_updated_timestamp),
    userId: str(j.user_id), currentStage: (str(j.current_stage) ?? 'None') as ModelVersionStage,
    description: str(j.description), source: String(j.source ?? ''), runId: str(j.run_id), runLink: str(j.run_link),
    status: (str(j.status) ?? 'READY') as ModelVersion['status'], statusMessage: str(j.status_message),
    tags: tags(j.tags), aliases: Array.isArray(j.aliases) ? j.aliases.map(String) : [],
  };
}

export function registeredModelFromJson(j: Json): RegisteredModel {
  return {
    name: String(j.name), creationTimestamp: num(j.creation_timestamp), lastUpdatedTimestamp: num(j.last_updated_timestamp),
    description: str(j.description),
    latestVersions: Array.isArray(j.latest_versions) ? j.latest_versions.map(modelVersionFromJson) : [],
    tags: tags(j.tags),
    aliases: Array.isArray(j.aliases) ? j.aliases.map((a: Json) => ({ alias: String(a.alias), version: String(a.version) })) : [],
  };
}

/** Registry calls over MLflow's REST API (model_registry.proto). */
export function restRegistryClient(http: HttpConnection): RegistryClient {
  const post = (endpoint: string, body: Json) => http.json('POST', `${API}${endpoint}`, body);
  const get = (endpoint: string, query: Json) => http.json('GET', `${API}${endpoint}`, query);
  return {
    async createRegisteredModel(name, options = {}) {
      const res = await post('/registered-models/create', { name, tags: options.tags, description: options.description });
      return registeredModelFromJson(res.registered_model as Json);
    },
    async getRegisteredModel(name) {
      return registeredModelFromJson((await get('/registered-models/get', { name })).registered_model as Json);
    },
    async createModelVersion(o) {
      const res = await post('/model-versions/create', { name: o.name, source: o.source, run_id: o.runId, tags: o.tags, description: o.description });
      return modelVersionFromJson(res.model_version as Json);
    },
    async getModelVersion(name, version) {
      return modelVersionFromJson((await get('/model-versions/get', { name, version })).model_version as Json);
    },
    async getLatestVersions(name, stages = []) {
      const res = await post('/registered-models/get-latest-versions', { name, stages });
      return Array.isArray(res.model_versions) ? res.model_versions.map(modelVersionFromJson) : [];
    },
    async getModelVersionByAlias(name, alias) {
      return modelVersionFromJson((await get('/registered-models/alias', { name, alias })).model_version as Json);
    },
    async getModelVersionDownloadUri(name, version) {
      return String((await get('/model-versions/get-download-uri', { name, version })).artifact_uri);
    },
    async transitionModelVersionStage(name, version, stage, archiveExistingVersions = false) {
      const res = await post('/model-versions/transition-stage', { name, version, stage, archive_existing_versions: archiveExistingVersions });
      return modelVersionFromJson(res.model_version as Json);
    },
    async setRegisteredModelAlias(name, alias, version) {
      await post('/registered-models/alias', { name, alias, version });
    },
  };
}

/** The registry store on a SQL tracking store's database (as openStores builds it); undefined for other stores. */
export function registryStoreFor(tracking: TrackingStore): RegistryStore | undefined {
  return tracking instanceof SqlTrackingStore ? storesOn(tracking).registry : undefined;
}

/** Registry calls straight onto the store; version sources are validated as the server does. */
export function storeRegistryClient(registry: RegistryStore, tracking: TrackingStore): RegistryClient {
  return {
    createRegisteredModel: (name, options = {}) => registry.createRegisteredModel(name, options.tags ?? [], options.description ?? null),
    getRegisteredModel: (name) => registry.getRegisteredModel(name),
    async createModelVersion(o) {
      await validateModelVersionSource(tracking, o.source, o.runId ?? null);
      return registry.createModelVersion({
        name: o.name, source: o.source, runId: o.runId ?? '', runLink: '', description: o.description ?? '', tags: o.tags ?? [],
      });
    },
    getModelVersion: (name, version) => registry.getModelVersion(name, version),
    getLatestVersions: (name, stages = []) => registry.getLatestVersions(name, stages),
    getModelVersionByAlias: (name, alias) => registry.getModelVersionByAlias(name, alias),
    getModelVersionDownloadUri: (name, version) => registry.getModelVersionDownloadUri(name, version),
    transitionModelVersionStage: (name, version, stage, archive = false) => registry.transitionModelVersionStage(name, version, stage, archive),
    setRegisteredModelAlias: (name, alias, version) => registry.setRegisteredModelAlias(name, alias, version),
  };
}
