// MLflow model-version endpoints (model_registry.proto): create, get, update, delete, search,
// transition-stage, tags, get-download-uri; and `/model-versions/get-artifact`, which streams a
// file of the version through the artifact repository.
import type { FastifyInstance } from 'fastify';
import { normalizeArtifactPath } from '../../artifacts/safe-path.js';
import { resolveRunsDownloadUri } from '../../models/model-uri.js';
import { validateModelVersionSource } from '../../registry/model-version-source.js';
import type { RegistryStore } from '../../registry/store.js';
import { tagsFromJson } from '../../tracking/mlflow-json.js';
import { S, has } from '../mlflow-route.js';
import { typedRoute } from '../typed-route.js';
import { RR, modelVersionToJson } from '../registry-json.js';
import { CHANGE_FIELDS, changeContext } from '../request-user.js';
import type { RouteDeps } from '../route-deps.js';
import { joinArtifactPath } from '../../artifacts/artifact-path.js';
import { resolveRunArtifactRoot } from '../run-artifacts.js';
import { sendArtifact } from '../send-artifact.js';

const VERSION_KEY = { name: S.requiredString, version: S.requiredString };

/** Registered under each tracking prefix. */
export async function modelVersionRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const registry = deps.registry as RegistryStore;

  typedRoute(app, {
    methods: ['POST'],
    url: '/model-versions/create',
    response: RR.modelVersion,
    fields: {
      name: S.requiredString,
      source: S.requiredString,
      run_id: S.string,
      tags: S.tags,
      run_link: S.string,
      description: S.string,
    },
    required: ['name', 'source'],
    handler: async (input) => {
      // stored as given, as MLflow: a runs:/ source's run may live on another tracking server
      await validateModelVersionSource(deps.store, input.source, input.run_id || null);
      // Absent optional strings are stored as '' like MLflow (proto2 defaults), so responses match.
      const version = await registry.createModelVersion({
        name: input.name,
        source: input.source,
        runId: input.run_id ?? '',
        runLink: input.run_link ?? '',
        description: input.description ?? '',
        tags: tagsFromJson(input.tags),
      });
      return { model_version: modelVersionToJson(version) };
    },
  });

  typedRoute(app, {
    methods: ['GET'],
    url: '/model-versions/get',
    response: RR.modelVersion,
    fields: VERSION_KEY,
    required: ['name', 'version'],
    handler: async (input) => ({
      model_version: modelVersionToJson(await registry.getModelVersion(input.name, input.version)),
    }),
  });

  typedRoute(app, {
    methods: ['PATCH'],
    url: '/model-versions/update',
    response: RR.modelVersion,
    fields: { ...VERSION_KEY, description: S.string },
    required: ['name', 'version'],
    handler: async (input, request) => ({
      model_version: modelVersionToJson(
        await registry.updateModelVersion(
          input.name,
          input.version,
          input.description ?? null,
          changeContext(request, input),
        ),
      ),
    }),
  });

  typedRoute(app, {
    methods: ['DELETE'],
    url: '/model-versions/delete',
    response: RR.empty,
    fields: VERSION_KEY,
    required: ['name', 'version'],
    handler: async (input, request) => {
      await registry.deleteModelVersion(input.name, input.version, changeContext(request, input));
      return {};
    },
  });

  typedRoute(app, {
    methods: ['GET'],
    url: '/model-versions/search',
    response: RR.modelVersions,
    fields: { filter: S.string, max_results: S.int64, order_by: S.stringList, page_token: S.string },
    handler: async (input) => {
      const page = await registry.searchModelVersions({
        filter: input.filter || undefined,
        maxResults: has(input, 'max_results') ? Number(input.max_results) : undefined,
        orderBy: input.order_by ?? [],
        pageToken: input.page_token || undefined,
      });
      const out: Record<string, unknown> = {};
      if (page.items.length > 0) out.model_versions = page.items.map(modelVersionToJson);
      if (page.nextPageToken) out.next_page_token = page.nextPageToken;
      return out;
    },
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/model-versions/transition-stage',
    response: RR.modelVersion,
    // reason/comment and force are Cairn's (promotion policies); MLflow clients never send them.
    fields: { ...VERSION_KEY, stage: S.requiredString, archive_existing_versions: S.bool, ...CHANGE_FIELDS },
    required: ['name', 'version', 'stage'],
    handler: async (input, request) => ({
      model_version: modelVersionToJson(
        await registry.transitionModelVersionStage(
          input.name,
          input.version,
          input.stage,
          input.archive_existing_versions === true,
          changeContext(request, input),
        ),
      ),
    }),
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/model-versions/set-tag',
    response: RR.empty,
    fields: { ...VERSION_KEY, key: S.requiredString, value: S.string },
    required: ['name', 'version', 'key'],
    handler: async (input) => {
      await registry.setModelVersionTag(input.name, input.version, input.key, input.value ?? '');
      return {};
    },
  });

  typedRoute(app, {
    methods: ['DELETE'],
    url: '/model-versions/delete-tag',
    response: RR.empty,
    fields: { ...VERSION_KEY, key: S.requiredString },
    required: ['name', 'version', 'key'],
    handler: async (input) => {
      await registry.deleteModelVersionTag(input.name, input.version, input.key);
      return {};
    },
  });

  typedRoute(app, {
    methods: ['GET'],
    url: '/model-versions/get-download-uri',
    response: RR.downloadUri,
    fields: VERSION_KEY,
    required: ['name', 'version'],
    handler: async (input) => ({ artifact_uri: await registry.getModelVersionDownloadUri(input.name, input.version) }),
  });
}

/** Registered at the server root, as MLflow's `/model-versions/get-artifact`. */
export async function modelVersionArtifactRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const registry = deps.registry as RegistryStore;
  typedRoute(app, {
    methods: ['GET'],
    url: '/model-versions/get-artifact',
    fields: { ...VERSION_KEY, path: S.requiredString },
    required: ['name', 'version', 'path'],
    handler: async (input, _request, reply) => {
      const relPath = normalizeArtifactPath(input.path);
      const downloadUri = await registry.getModelVersionDownloadUri(input.name, input.version);
      // a runs:/ source is read through this server's tracking store, as MLflow's RunsArtifactRepository
      const tracking = { getRunArtifactUri: async (id: string) => (await deps.store.getRun(id)).info.artifactUri };
      const uri = await resolveRunsDownloadUri(downloadUri, tracking);
      const { repo, basePath } = resolveRunArtifactRoot(deps, uri);
      return sendArtifact(reply, repo, joinArtifactPath(basePath, relPath));
    },
  });
}
