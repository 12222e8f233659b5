// MLflow experiment endpoints: create, get, get-by-name, search, update, delete, restore, tags.
import type { FastifyInstance } from 'fastify';
import path from 'node:path';
import { experimentToJson, parseViewType, tagsFromJson } from '../../tracking/mlflow-json.js';
import { R } from '../response-schemas.js';
import { S } from '../mlflow-route.js';
import { typedRoute } from '../typed-route.js';
import type { RouteDeps } from '../route-deps.js';

/** pathlib's `cwd.joinpath(p).as_posix()`: drops '.' and empty segments, keeps '..'. */
function joinCwd(relative: string): string {
  const parts = relative.split('/').filter((part) => part !== '' && part !== '.');
  return [process.cwd(), ...parts].join('/');
}

/**
 * MLflow's resolve_uri_if_local: a relative local artifact location (a bare path or a `file:`
 * URI) is made absolute against the server's working directory; anything else is kept as given.
 */
export function resolveLocalArtifactLocation(location: string): string {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(location)?.[1]?.toLowerCase();
  if (scheme === undefined) return path.posix.isAbsolute(location) ? location : joinCwd(location);
  if (scheme !== 'file') return location;
  const rest = location.slice('file:'.length);
  if (rest.startsWith('/')) return location;
  const [localPath, suffix = ''] = rest.split(/(?=[?#])/, 2);
  return `file://${joinCwd(localPath)}${suffix}`;
}

export async function experimentRoutes(app: FastifyInstance, { store }: RouteDeps): Promise<void> {
  typedRoute(app, {
    methods: ['POST'],
    url: '/experiments/create',
    response: R.createExperiment,
    fields: { name: S.requiredString, artifact_location: S.string, tags: S.tags },
    required: ['name'],
    handler: async (input) => {
      const location = input.artifact_location ? resolveLocalArtifactLocation(input.artifact_location) : undefined;
      const id = await store.createExperiment(input.name, location, tagsFromJson(input.tags));
      return { experiment_id: id };
    },
  });

  typedRoute(app, {
    methods: ['GET'],
    url: '/experiments/get',
    response: R.experiment,
    fields: { experiment_id: S.requiredString },
    required: ['experiment_id'],
    handler: async (input) => ({ experiment: experimentToJson(await store.getExperiment(input.experiment_id)) }),
  });

  typedRoute(app, {
    methods: ['GET'],
    url: '/experiments/get-by-name',
    response: R.experiment,
    fields: { experiment_name: S.requiredString },
    required: ['experiment_name'],
    handler: async (input) => ({
      experiment: experimentToJson(await store.getExperimentByName(input.experiment_name)),
    }),
  });

  typedRoute(app, {
    methods: ['GET', 'POST'],
    url: '/experiments/search',
    response: R.experiments,
    fields: {
      max_results: S.int64,
      page_token: S.string,
      filter: S.string,
      order_by: S.stringList,
      view_type: S.enumName,
    },
    handler: async (input) => {
      const page = await store.searchExperiments({
        maxResults: input.max_results === undefined ? undefined : Number(input.max_results),
        pageToken: input.page_token || undefined,
        filter: input.filter || undefined,
        orderBy: input.order_by ?? [],
        viewType: parseViewType(input.view_type, 'view_type'),
      });
      const out: Record<string, unknown> = {};
      if (page.items.length > 0) out.experiments = page.items.map(experimentToJson);
      if (page.nextPageToken) out.next_page_token = page.nextPageToken;
      return out;
    },
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/experiments/update',
    response: R.empty,
    fields: { experiment_id: S.requiredString, new_name: S.requiredString },
    required: ['experiment_id', 'new_name'],
    handler: async (input) => {
      await store.renameExperiment(input.experiment_id, input.new_name);
      return {};
    },
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/experiments/delete',
    response: R.empty,
    fields: { experiment_id: S.requiredString },
    required: ['experiment_id'],
    handler: async (input) => {
      await store.deleteExperiment(input.experiment_id);
      return {};
    },
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/experiments/restore',
    response: R.empty,
    fields: { experiment_id: S.requiredString },
    required: ['experiment_id'],
    handler: async (input) => {
      await store.restoreExperiment(input.experiment_id);
      return {};
    },
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/experiments/set-experiment-tag',
    response: R.empty,
    fields: { experiment_id: S.requiredString, key: S.requiredString, value: S.string },
    required: ['experiment_id', 'key'],
    handler: async (input) => {
      await store.setExperimentTag(input.experiment_id, input.key, input.value ?? '');
      return {};
    },
  });

  // Not in MLflow 2.17's proto; MLflow added it later at this path and the store supports it.
  typedRoute(app, {
    methods: ['POST'],
    url: '/experiments/delete-experiment-tag',
    response: R.empty,
    fields: { experiment_id: S.requiredString, key: S.requiredString },
    required: ['experiment_id', 'key'],
    handler: async (input) => {
      await store.deleteExperimentTag(input.experiment_id, input.key);
      return {};
    },
  });
}
