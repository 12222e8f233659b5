// The RegistryStore over REST: MLflow's model registry endpoints (model_registry.proto) plus Cairn's
// governance endpoints under /api/2.0/cairn/registry (audit history, promotion policies). The acting
// user travels as X-Cairn-User, a governed change's reason and force in the request body.
import type { ModelVersion, RegisteredModel, RegistryAuditEntry } from '../registry/entities.js';
import type { PolicyResult } from '../registry/policies/policy-evaluator.js';
import type { PromotionPolicy } from '../registry/policies/promotion-policy.js';
import type {
  ChangeContext,
  CreateModelVersionInput,
  ImportRegisteredModelResult,
  RegistryHistoryQuery,
  RegistryStore,
  SearchRegistryQuery,
} from '../registry/store.js';
import type { PagedList, Tag } from '../tracking/entities.js';
import type { HttpConnection, HttpRequest } from './http-connection.js';
import { tagsToJson, type Json } from '../tracking/mlflow-json.js';
import {
  auditEntryFromJson,
  jsonList,
  modelVersionFromJson,
  policyFromJson,
  policyResultFromJson,
  registeredModelFromJson,
} from './registry-codec.js';
import { NotSupportedOverRest } from './rest-errors.js';

const MLFLOW = '/api/2.0/mlflow';
const CAIRN = '/api/2.0/cairn/registry';

type Method = HttpRequest['method'];
const pageToken = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The body fields and header that carry who makes a governed change and why. */
function change(context: ChangeContext = {}): { fields: Json; headers: Record<string, string> } {
  return {
    fields: { reason: context.reason ?? undefined, force: context.force ? true : undefined },
    headers: context.user ? { 'X-Cairn-User': context.user } : {},
  };
}

export class RestRegistryStore implements RegistryStore {
  constructor(private readonly http: HttpConnection) {}

  private call(method: Method, path: string, payload: Json = {}, context?: ChangeContext): Promise<Json> {
    const c = change(context);
    return this.http.json(method, path, context ? { ...payload, ...c.fields } : payload, c.headers);
  }

  private async model(
    method: Method,
    endpoint: string,
    payload: Json,
    context?: ChangeContext,
  ): Promise<RegisteredModel> {
    const res = await this.call(method, `${MLFLOW}${endpoint}`, payload, context);
    return registeredModelFromJson(res.registered_model as Json);
  }

  private async version(
    method: Method,
    endpoint: string,
    payload: Json,
    context?: ChangeContext,
  ): Promise<ModelVersion> {
    const res = await this.call(method, `${MLFLOW}${endpoint}`, payload, context);
    return modelVersionFromJson(res.model_version as Json);
  }

  // registered models
  createRegisteredModel(name: string, tags?: Tag[], description?: string | null): Promise<RegisteredModel> {
    return this.model('POST', '/registered-models/create', {
      name,
      tags: tags && tagsToJson(tags),
      description: description ?? undefined,
    });
  }

  getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.model('GET', '/registered-models/get', { name });
  }

  renameRegisteredModel(name: string, newName: string, context?: ChangeContext): Promise<RegisteredModel> {
    return this.model('POST', '/registered-models/rename', { name, new_name: newName }, context);
  }

  updateRegisteredModel(name: string, description: string | null, context?: ChangeContext): Promise<RegisteredModel> {
    return this.model('PATCH', '/registered-models/update', { name, description: description ?? '' }, context);
  }

  async deleteRegisteredModel(name: string, context?: ChangeContext): Promise<void> {
    await this.call('DELETE', `${MLFLOW}/registered-models/delete`, { name }, context);
  }

  async searchRegisteredModels(query: SearchRegistryQuery): Promise<PagedList<RegisteredModel>> {
    const res = await this.call('GET', `${MLFLOW}/registered-models/search`, {
      filter: query.filter,
      max_results: query.maxResults,
      order_by: query.orderBy,
      page_token: query.pageToken,
    });
    const items = jsonList(res.registered_models).map(registeredModelFromJson);
    return { items, nextPageToken: pageToken(res.next_page_token) };
  }

  async getLatestVersions(name: string, stages: string[] = []): Promise<ModelVersion[]> {
    const res = await this.call('POST', `${MLFLOW}/registered-models/get-latest-versions`, { name, stages });
    return jsonList(res.model_versions).map(modelVersionFromJson);
  }

  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    await this.call('POST', `${MLFLOW}/registered-models/set-tag`, { name, key, value });
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    await this.call('DELETE', `${MLFLOW}/registered-models/delete-tag`, { name, key });
  }

  // aliases
  async setRegisteredModelAlias(name: string, alias: string, version: string, context?: ChangeContext): Promise<void> {
    await this.call('POST', `${MLFLOW}/registered-models/alias`, { name, alias, version }, context);
  }

  async deleteRegisteredModelAlias(name: string, alias: string, context?: ChangeContext): Promise<void> {
    await this.call('DELETE', `${MLFLOW}/registered-models/alias`, { name, alias }, context);
  }

  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return this.version('GET', '/registered-models/alias', { name, alias });
  }

  // model versions
  /** The server resolves `runs:/` sources itself, so `storageLocation` is not sent. */
  createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion> {
    return this.version('POST', '/model-versions/create', {
      name: input.name,
      source: input.source,
      run_id: input.runId ?? undefined,
      run_link: input.runLink ?? undefined,
      description: input.description ?? undefined,
      tags: input.tags && tagsToJson(input.tags),
    });
  }

  getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return this.version('GET', '/model-versions/get', { name, version });
  }

  updateModelVersion(
    name: string,
    version: string,
    description: string | null,
    context?: ChangeContext,
  ): Promise<ModelVersion> {
    return this.version('PATCH', '/model-versions/update', { name, version, description: description ?? '' }, context);
  }

  async deleteModelVersion(name: string, version: string, context?: ChangeContext): Promise<void> {
    await this.call('DELETE', `${MLFLOW}/model-versions/delete`, { name, version }, context);
  }

  async searchModelVersions(query: SearchRegistryQuery): Promise<PagedList<ModelVersion>> {
    const res = await this.call('GET', `${MLFLOW}/model-versions/search`, {
      filter: query.filter,
      max_results: query.maxResults,
      order_by: query.orderBy,
      page_token: query.pageToken,
    });
    const items = jsonList(res.model_versions).map(modelVersionFromJson);
    return { items, nextPageToken: pageToken(res.next_page_token) };
  }

  transitionModelVersionStage(
    name: string,
    version: string,
    stage: string,
    archiveExisting: boolean,
    context?: ChangeContext,
  ): Promise<ModelVersion> {
    return this.version(
      'POST',
      '/model-versions/transition-stage',
      {
        name,
        version,
        stage,
        archive_existing_versions: archiveExisting,
      },
      context,
    );
  }

  async setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    await this.call('POST', `${MLFLOW}/model-versions/set-tag`, { name, version, key, value });
  }

  async deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    await this.call('DELETE', `${MLFLOW}/model-versions/delete-tag`, { name, version, key });
  }

  async getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    const res = await this.call('GET', `${MLFLOW}/model-versions/get-download-uri`, { name, version });
    return String(res.artifact_uri);
  }

  // governance (Cairn-only endpoints; an MLflow server answers them with 404 ENDPOINT_NOT_FOUND)
  async getRegistryHistory(query: RegistryHistoryQuery): Promise<PagedList<RegistryAuditEntry>> {
    const res = await this.call('GET', `${CAIRN}/history`, {
      name: query.name,
      version: query.version,
      max_results: query.maxResults,
      page_token: query.pageToken,
    });
    return { items: jsonList(res.entries).map(auditEntryFromJson), nextPageToken: pageToken(res.next_page_token) };
  }

  async setPromotionPolicy(name: string, policy: unknown, context?: ChangeContext): Promise<PromotionPolicy> {
    return policyFromJson((await this.call('PUT', `${CAIRN}/policies`, { name, policy }, context)).policy as Json);
  }

  async getPromotionPolicies(name: string, target?: string): Promise<PromotionPolicy[]> {
    return jsonList((await this.call('GET', `${CAIRN}/policies`, { name, target })).policies).map(policyFromJson);
  }

  async deletePromotionPolicy(name: string, target: string, context?: ChangeContext): Promise<void> {
    await this.call('DELETE', `${CAIRN}/policies`, { name, target }, context);
  }

  async checkPromotionPolicy(name: string, version: string, target: string): Promise<PolicyResult> {
    const res = await this.call('POST', `${CAIRN}/policies/check`, { name, version, target });
    return policyResultFromJson(res.result as Json);
  }

  importRegisteredModel(): Promise<ImportRegisteredModelResult> {
    return Promise.reject(
      new NotSupportedOverRest(
        'importRegisteredModel',
        "MLflow's REST API assigns new version numbers; import into the server's database URI " +
          '(sqlite:///… or postgresql://…) instead',
      ),
    );
  }
}
