// MLflow endpoints that write run data: metrics, params, tags, batches, dataset inputs, logged models.
import type { FastifyInstance } from 'fastify';
import type { Metric } from '../../tracking/entities.js';
import { datasetInputsFromJson, parseDouble, tagsFromJson } from '../../tracking/mlflow-json.js';
import { R } from '../response-schemas.js';
import { S, message, messageList, runIdOf, type Input } from '../mlflow-route.js';
import { typedRoute } from '../typed-route.js';
import type { RouteDeps } from '../route-deps.js';

const runIdFields = { run_id: S.string, run_uuid: S.string };
/** log-batch and log-inputs carry up to 1000 entities and dataset profiles up to 16 MB. */
const LARGE_BODY_LIMIT = 32 * 1024 * 1024;

/** The schema checked the types; int64s arrive as a number, or a bigint beyond 2^53. */
function metricFromJson(m: Input, field: string): Metric {
  return {
    key: m.key,
    value: parseDouble(m.value, `${field}.value`),
    timestamp: m.timestamp,
    step: m.step ?? 0,
  };
}

const metricFields = { key: S.requiredString, value: S.double, timestamp: S.int64, step: S.int64 };
const keyValueFields = { key: S.requiredString, value: S.string };

export async function runLoggingRoutes(app: FastifyInstance, { store }: RouteDeps): Promise<void> {
  typedRoute(app, {
    methods: ['POST'],
    url: '/runs/log-metric',
    response: R.empty,
    fields: { ...runIdFields, key: S.requiredString, value: S.double, timestamp: S.int64, step: S.int64 },
    required: ['key', 'value', 'timestamp'],
    handler: async (input) => {
      await store.logMetric(runIdOf(input), metricFromJson(input, 'metric'));
      return {};
    },
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/runs/log-parameter',
    response: R.empty,
    fields: { ...runIdFields, key: S.requiredString, value: S.string },
    required: ['key'],
    handler: async (input) => {
      await store.logParam(runIdOf(input), { key: input.key, value: input.value ?? '' });
      return {};
    },
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/runs/set-tag',
    response: R.empty,
    fields: { ...runIdFields, key: S.requiredString, value: S.string },
    required: ['key'],
    handler: async (input) => {
      await store.setTag(runIdOf(input), { key: input.key, value: input.value ?? '' });
      return {};
    },
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/runs/delete-tag',
    response: R.empty,
    fields: { run_id: S.requiredString, key: S.requiredString },
    required: ['run_id', 'key'],
    handler: async (input) => {
      await store.deleteTag(input.run_id, input.key);
      return {};
    },
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/runs/log-batch',
    response: R.empty,
    bodyLimit: LARGE_BODY_LIMIT,
    fields: {
      run_id: S.requiredString,
      metrics: messageList(metricFields, ['key', 'value', 'timestamp']),
      params: messageList(keyValueFields, ['key']),
      tags: messageList(keyValueFields, ['key']),
    },
    required: ['run_id'],
    handler: async (input) => {
      const metrics = (input.metrics ?? []).map((m: Input, i: number) => metricFromJson(m, `metrics[${i}]`));
      const params = (input.params ?? []).map((p: Input) => ({ key: p.key, value: p.value ?? '' }));
      await store.logBatch(input.run_id, { metrics, params, tags: tagsFromJson(input.tags) });
      return {};
    },
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/runs/log-inputs',
    response: R.empty,
    bodyLimit: LARGE_BODY_LIMIT,
    fields: {
      run_id: S.requiredString,
      datasets: messageList(
        {
          tags: S.tags,
          dataset: message(
            {
              name: S.requiredString,
              digest: S.requiredString,
              source_type: S.requiredString,
              source: S.requiredString,
              schema: S.string,
              profile: S.string,
            },
            ['name', 'digest', 'source_type', 'source'],
          ),
        },
        ['dataset'],
      ),
    },
    required: ['run_id', 'datasets'],
    handler: async (input) => {
      await store.logInputs(input.run_id, datasetInputsFromJson(input.datasets));
      return {};
    },
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/runs/log-model',
    response: R.empty,
    fields: { run_id: S.requiredString, model_json: S.requiredString },
    required: ['run_id', 'model_json'],
    handler: async (input) => {
      await store.recordLoggedModel(input.run_id, input.model_json);
      return {};
    },
  });
}
