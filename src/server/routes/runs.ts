// MLflow run lifecycle endpoints: create, get, update, delete, restore, search.
import type { FastifyInstance } from 'fastify';
import { InvalidParameter } from '../../core/errors.js';
import { invalidValueMessage } from '../request-types.js';
import { parseRunStatus, parseViewType, runInfoToJson, runToJson, tagsFromJson } from '../../tracking/mlflow-json.js';
import { R } from '../response-schemas.js';
import { S, has, runIdOf } from '../mlflow-route.js';
import { typedRoute } from '../typed-route.js';
import type { RouteDeps } from '../route-deps.js';
import { MAX_ORDER_BY_CLAUSES, SEARCH_RUNS_MAX_RESULTS_THRESHOLD } from '../../tracking/validation.js';

const runIdFields = { run_id: S.string, run_uuid: S.string };

export async function runRoutes(app: FastifyInstance, { store, searchBodies }: RouteDeps): Promise<void> {
  typedRoute(app, {
    methods: ['POST'],
    url: '/runs/create',
    response: R.run,
    fields: { experiment_id: S.string, user_id: S.string, start_time: S.int64, tags: S.tags, run_name: S.string },
    handler: async (input) => {
      const run = await store.createRun({
        experimentId: input.experiment_id ?? '',
        userId: input.user_id ?? undefined,
        // an int64 over its whole range, as MLflow: a bigint beyond 2^53 is stored and returned exactly
        startTime: input.start_time ?? undefined,
        runName: input.run_name || undefined,
        tags: tagsFromJson(input.tags),
      });
      return { run: runToJson(run) };
    },
  });

  typedRoute(app, {
    methods: ['GET'],
    url: '/runs/get',
    response: R.run,
    fields: runIdFields,
    handler: async (input) => ({ run: runToJson(await store.getRun(runIdOf(input))) }),
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/runs/update',
    response: R.runInfo,
    fields: { ...runIdFields, status: S.enumName, end_time: S.int64, run_name: S.string },
    handler: async (input) => {
      const info = await store.updateRun(runIdOf(input), {
        status: parseRunStatus(input.status),
        endTime: input.end_time ?? undefined,
        runName: has(input, 'run_name') ? input.run_name : undefined,
      });
      return { run_info: runInfoToJson(info) };
    },
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/runs/delete',
    response: R.empty,
    fields: { run_id: S.requiredString },
    required: ['run_id'],
    handler: async (input) => {
      await store.deleteRun(input.run_id);
      return {};
    },
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/runs/restore',
    response: R.empty,
    fields: { run_id: S.requiredString },
    required: ['run_id'],
    handler: async (input) => {
      await store.restoreRun(input.run_id);
      return {};
    },
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/runs/search',
    response: R.runs,
    fields: {
      experiment_ids: S.stringList,
      filter: S.string,
      run_view_type: S.enumName,
      max_results: S.int32,
      // each clause may join a table; SQLite refuses more than 200 joins in one query
      order_by: { ...S.stringList, maxItems: MAX_ORDER_BY_CLAUSES },
      page_token: S.string,
    },
    handler: async (input, _request, reply) => {
      if (input.max_results !== undefined && input.max_results > SEARCH_RUNS_MAX_RESULTS_THRESHOLD) {
        throw new InvalidParameter(invalidValueMessage('max_results', input.max_results));
      }
      const page = await store.searchRuns({
        experimentIds: input.experiment_ids ?? [],
        filter: input.filter || undefined,
        viewType: parseViewType(input.run_view_type, 'run_view_type'),
        maxResults: has(input, 'max_results') ? input.max_results : undefined,
        orderBy: input.order_by ?? [],
        pageToken: input.page_token || undefined,
      });
      const token = page.nextPageToken || undefined;
      // a page of runs is mostly serialisation: the same page of the same cached runs reuses its bytes
      // R.runs' compiled serialiser, as for any other response (it returns a string)
      const body = searchBodies.body(
        page.items,
        token,
        () =>
          reply.serialize({
            runs: page.items.length > 0 ? page.items.map(runToJson) : undefined,
            next_page_token: token,
          }) as string,
      );
      reply.header('content-type', 'application/json; charset=utf-8');
      return body;
    },
  });
}
