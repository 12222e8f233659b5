// MLflow endpoints that write run data: metrics, params, tags, batches, dataset inputs, logged models.
import type { FastifyInstance } from 'fastify';
import { InvalidParameter } from '../../core/errors.js';
import type { Metric } from '../../tracking/entities.js';
import { datasetInputsFromJson, parseDouble, tagsFromJson } from '../mlflow-json.js';
import { R } from '../response-schemas.js';
import { S, message, messageList, mlflowRoute, runIdOf, type Input } from '../mlflow-route.js';
import { pythonJsonDumps } from '../../core/python-json.js';
import type { RouteDeps } from '../route-deps.js';

const runIdFields = { run_id: S.string, run_uuid: S.string };
const LOGGED_MODELS_TAG = 'mlflow.log-model.history';
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

/** The subset of an MLmodel MLflow keeps in the run's history tag (`Model.get_tags_dict`). */
function modelHistoryEntry(model: Record<string, unknown>): Record<string, unknown> {
  const entry: Record<string, unknown> = {};
  for (const key of ['run_id', 'artifact_path', 'utc_time_created', 'model_uuid']) {
    if (model[key] !== undefined) entry[key] = model[key];
  }
  const flavors: Record<string, unknown> = {};
  for (const [name, config] of Object.entries((model.flavors ?? {}) as Record<string, unknown>)) {
    if (config && typeof config === 'object' && !Array.isArray(config)) {
      const { config: _dropped, ...rest } = config as Record<string, unknown>;
      flavors[name] = rest;
    } else {
      flavors[name] = config;
    }
  }
  entry.flavors = flavors;
  return entry;
}

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

  mlflowRoute(app, {
    methods: ['POST'], url: '/runs/log-inputs', response: R.empty, bodyLimit: LARGE_BODY_LIMIT,
    fields: {
      run_id: S.requiredString,
      datasets: messageList({
        tags: S.tags,
        dataset: message({
          name: S.requiredString, digest: S.requiredString, source_type: S.requiredString,
          source: S.requiredString, schema: S.string, profile: S.string,
        }, ['name', 'digest', 'source_type', 'source']),
      }, ['dataset']),
    },
    required: ['run_id', 'datasets'],
    handler: async (input) => {
      await store.logInputs(input.run_id, datasetInputsFromJson(input.datasets));
      return {};
    },
  });

  mlflowRoute(app, {
    methods: ['POST'], url: '/runs/log-model', response: R.empty,
    fields: { run_id: S.requiredString, model_json: S.requiredString }, required: ['run_id', 'model_json'],
    handler: async (input) => {
      let model: unknown;
      try {
        model = JSON.parse(input.model_json);
      } catch {
        throw new InvalidParameter(`Malformed model info. \n ${input.model_json} \n is not a valid JSON.`);
      }
      if (!model || typeof model !== 'object' || Array.isArray(model)) {
        throw new InvalidParameter(`Malformed model info. \n ${input.model_json} \n is not a JSON object.`);
      }
      const fields = model as Record<string, unknown>;
      const missing = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'].filter((k) => !(k in fields));
      if (missing.length > 0) throw new InvalidParameter(`Model json is missing mandatory fields: {${missing.map((k) => `'${k}'`).join(', ')}}`);
      const run = await store.getRun(input.run_id);
      const previous = run.data.tags.find((t) => t.key === LOGGED_MODELS_TAG);
      let history: unknown[] = [];
      if (previous) {
        try {
          const parsed = JSON.parse(previous.value);
          if (Array.isArray(parsed)) history = parsed;
        } catch {
          history = []; // a hand-edited, unparseable history is replaced rather than blocking logging
        }
      }
      history.push(modelHistoryEntry(fields));
      await store.setTag(input.run_id, { key: LOGGED_MODELS_TAG, value: pythonJsonDumps(history) });
      return {};
    },
  });
}
