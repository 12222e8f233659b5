// MLflow registered-model endpoints (model_registry.proto): create, get, rename, update, delete,
// search, get-latest-versions, tags, and aliases (set, delete, get-by-alias).
import type { FastifyInstance } from 'fastify';
import type { RegistryStore } from '../../registry/store.js';
import { tagsFromJson } from '../../tracking/mlflow-json.js';
import { S, has } from '../mlflow-route.js';
import { typedRoute } from '../typed-route.js';
import { RR, modelVersionToJson, registeredModelToJson } from '../registry-json.js';
import { CHANGE_FIELDS, changeContext } from '../request-user.js';
import type { RouteDeps } from '../route-deps.js';

export async function registeredModelRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const registry = deps.registry as RegistryStore;
  const name = { name: S.requiredString };

  typedRoute(app, {
    methods: ['POST'],
    url: '/registered-models/create',
    response: RR.registeredModel,
    fields: { ...name, tags: S.tags, description: S.string },
    required: ['name'],
    handler: async (input) => ({
      registered_model: registeredModelToJson(
        await registry.createRegisteredModel(input.name, tagsFromJson(input.tags), input.description ?? ''),
      ),
    }),
  });

  typedRoute(app, {
    methods: ['GET'],
    url: '/registered-models/get',
    response: RR.registeredModel,
    fields: name,
    required: ['name'],
    handler: async (input) => ({
      registered_model: registeredModelToJson(await registry.getRegisteredModel(input.name)),
    }),
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/registered-models/rename',
    response: RR.registeredModel,
    fields: { ...name, new_name: S.requiredString },
    required: ['name', 'new_name'],
    handler: async (input, request) => ({
      registered_model: registeredModelToJson(
        await registry.renameRegisteredModel(input.name, input.new_name, changeContext(request, input)),
      ),
    }),
  });

  typedRoute(app, {
    methods: ['PATCH'],
    url: '/registered-models/update',
    response: RR.registeredModel,
    fields: { ...name, description: S.string },
    required: ['name'],
    // as MLflow: an absent description clears it
    handler: async (input, request) => ({
      registered_model: registeredModelToJson(
        await registry.updateRegisteredModel(input.name, input.description ?? '', changeContext(request, input)),
      ),
    }),
  });

  typedRoute(app, {
    methods: ['DELETE'],
    url: '/registered-models/delete',
    response: RR.empty,
    fields: name,
    required: ['name'],
    handler: async (input, request) => {
      await registry.deleteRegisteredModel(input.name, changeContext(request, input));
      return {};
    },
  });

  typedRoute(app, {
    methods: ['GET'],
    url: '/registered-models/search',
    response: RR.registeredModels,
    fields: { filter: S.string, max_results: S.int64, order_by: S.stringList, page_token: S.string },
    handler: async (input) => {
      const page = await registry.searchRegisteredModels({
        filter: input.filter || undefined,
        maxResults: has(input, 'max_results') ? Number(input.max_results) : undefined,
        orderBy: input.order_by ?? [],
        pageToken: input.page_token || undefined,
      });
      const out: Record<string, unknown> = {};
      if (page.items.length > 0) out.registered_models = page.items.map(registeredModelToJson);
      if (page.nextPageToken) out.next_page_token = page.nextPageToken;
      return out;
    },
  });

  typedRoute(app, {
    methods: ['POST', 'GET'],
    url: '/registered-models/get-latest-versions',
    response: RR.modelVersions,
    fields: { ...name, stages: S.stringList },
    required: ['name'],
    handler: async (input) => {
      const versions = await registry.getLatestVersions(input.name, input.stages ?? []);
      return versions.length > 0 ? { model_versions: versions.map(modelVersionToJson) } : {};
    },
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/registered-models/set-tag',
    response: RR.empty,
    fields: { ...name, key: S.requiredString, value: S.string },
    required: ['name', 'key'],
    handler: async (input) => {
      await registry.setRegisteredModelTag(input.name, input.key, input.value ?? '');
      return {};
    },
  });

  typedRoute(app, {
    methods: ['DELETE'],
    url: '/registered-models/delete-tag',
    response: RR.empty,
    fields: { ...name, key: S.requiredString },
    required: ['name', 'key'],
    handler: async (input) => {
      await registry.deleteRegisteredModelTag(input.name, input.key);
      return {};
    },
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/registered-models/alias',
    response: RR.empty,
    // reason/comment and force are Cairn's (promotion policies); MLflow clients never send them.
    fields: { ...name, alias: S.requiredString, version: S.requiredString, ...CHANGE_FIELDS },
    required: ['name', 'alias', 'version'],
    handler: async (input, request) => {
      await registry.setRegisteredModelAlias(input.name, input.alias, input.version, changeContext(request, input));
      return {};
    },
  });

  typedRoute(app, {
    methods: ['DELETE'],
    url: '/registered-models/alias',
    response: RR.empty,
    fields: { ...name, alias: S.requiredString },
    required: ['name', 'alias'],
    handler: async (input, request) => {
      await registry.deleteRegisteredModelAlias(input.name, input.alias, changeContext(request, input));
      return {};
    },
  });

  typedRoute(app, {
    methods: ['GET'],
    url: '/registered-models/alias',
    response: RR.modelVersion,
    fields: { ...name, alias: S.requiredString },
    required: ['name', 'alias'],
    handler: async (input) => ({
      model_version: modelVersionToJson(await registry.getModelVersionByAlias(input.name, input.alias)),
    }),
  });
}
