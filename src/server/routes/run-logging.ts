// MLflow endpoints that write run data: metrics, params, tags, batches, dataset inputs, logged models.
import type { FastifyInstance } from 'fastify';
import type { Metric } from '../../tracking/entities.js';
import { datasetInputsFromJson, parseDouble, tagsFromJson } from '../../tracking/mlflow-json.js';
import { R } from '../response-schemas.js';
import { S, mlflowRoute, runIdOf, type Input } from '../mlflow-route.js';
import type { RouteDeps } from '../route-deps.js';

const runIdFields = { run_id: S.string, run_uuid: S.string };
/** log-batch and log-inputs carry up to 1000 entities and dataset profiles up to 16 MB. */
const LARGE_BODY_LIMIT = 32 * 1024 * 1024;

function metricFromJson(m: Input, field: string): Metric {
  return {
    key: m.key,
    value: parseDouble(m.value, `${field}.value`),
    timestamp: m.timestamp,
    step: m.step ?? 0,
  };
}

const metricItem = {
  type: 'object',
  properties: { key: S.requiredString, value: S.double, timestamp: S.int64, step: S.int64 },
  required: ['key', 'value', 'timestamp'],
};
const keyValueItem = {
  type: 'object',
  properties: { key: S.requiredString, value: S.string },
  required: ['key'],
};

export async function runLoggingRoutes(app: FastifyInstance, { store }: RouteDeps): Promise<void> {
  mlflowRoute(app, {
    methods: ['POST'], url: '/runs/log-metric', response: R.empty,
    fields: { ...runIdFields, key: S.requiredString, value: S.double, timestamp: S.int64, step: S.int64 },
    required: ['key', 'value', 'timestamp'],
    handler: async (input) => {
      await store.logMetric(runIdOf(input), metricFromJson(input, 'metric'));
      return {};
    },
  });

  mlflowRoute(app, {
    methods: ['POST'], url: '/runs/log-parameter', response: R.empty,
    fields: { ...runIdFields, key: S.requiredString, value: S.string }, required: ['key'],
    handler: async (input) => {
      await store.logParam(runIdOf(input), { key: input.key, value: input.value ?? '' });
      return {};
    },
  });

  mlflowRoute(app, {
    methods: ['POST'], url: '/runs/set-tag', response: R.empty,
    fields: { ...runIdFields, key: S.requiredString, value: S.string }, required: ['key'],
    handler: async (input) => {
      await store.setTag(runIdOf(input), { key: input.key, value: input.value ?? '' });
      return {};
    },
  });

  mlflowRoute(app, {
    methods: ['POST'], url: '/runs/delete-tag', response: R.empty,
    fields: { run_id: S.requiredString, key: S.requiredString }, required: ['run_id', 'key'],
    handler: async (input) => {
      await store.deleteTag(input.run_id, input.key);
      return {};
    },
  });

  mlflowRoute(app, {
    methods: ['POST'], url: '/runs/log-batch', response: R.empty, bodyLimit: LARGE_BODY_LIMIT,
    fields: {
      run_id: S.requiredString,
      metrics: { type: 'array', items: metricItem },
      params: { type: 'array', items: keyValueItem },
      tags: { type: 'array', items: keyValueItem },
    },
    required: ['run_id'],
    handler: async (input) => {
      const metrics = (input.metrics ?? []).map((m: Input, i: number) => metricFromJson(m, `metrics[${i}]`));
      const params = (input.params ?? []).map((p: Input) => ({ key: p.key, value: p.value ?? '' }));
      await store.logBatch(input.run_id, { metrics, params, tags: tagsFromJson(input.tags) });
      return {};
    },
  });

  mlflowRoute(app, {
    methods: ['POST'], url: '/runs/log-inputs', response: R.empty, bodyLimit: LARGE_BODY_LIMIT,
    fields: {
      run_id: S.requiredString,
      datasets: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            tags: S.tags,
            dataset: {
              type: 'object',
              properties: {
                name: S.requiredString, digest: S.requiredString, source_type: S.requiredString,
                source: S.requiredString, schema: S.string, profile: S.string,
              },
              required: ['name', 'digest', 'source_type', 'source'],
            },
          },
          required: ['dataset'],
        },
      },
    },
    required: ['run_id'],
    handler: async (input) => {
      await store.logInputs(input.run_id, datasetInputsFromJson(input.datasets));
      return {};
    },
  });

  mlflowRoute(app, {
    methods: ['POST'], url: '/runs/log-model', response: R.empty,
    fields: { run_id: S.requiredString, model_json: S.requiredString }, required: ['run_id', 'model_json'],
    handler: async (input) => {
      await store.recordLoggedModel(input.run_id, input.model_json);
      return {};
    },
  });
}
