// JSON schemas of MLflow's response messages (service.proto, proto JSON mapping): they document the
// contract beside the routes and let Fastify serialise with fast-json-stringify. Absent optional
// fields stay absent (nothing is `required`), as proto JSON omits unset fields.

const int64 = { type: 'integer' } as const;
const str = { type: 'string' } as const;
/** protobuf JSON writes NaN / ±Infinity as strings */
const double = { type: ['number', 'string'] } as const;

const keyValue = { type: 'object', properties: { key: str, value: str } } as const;
const keyValues = { type: 'array', items: keyValue } as const;

export const metricSchema = {
  type: 'object',
  properties: { key: str, value: double, timestamp: int64, step: int64 },
} as const;

const metricWithRunIdSchema = {
  type: 'object',
  properties: { ...metricSchema.properties, run_id: str },
} as const;

export const experimentSchema = {
  type: 'object',
  properties: {
    experiment_id: str,
    name: str,
    artifact_location: str,
    lifecycle_stage: str,
    last_update_time: int64,
    creation_time: int64,
    tags: keyValues,
  },
} as const;

export const runInfoSchema = {
  type: 'object',
  properties: {
    run_id: str,
    run_uuid: str,
    run_name: str,
    experiment_id: str,
    user_id: str,
    status: str,
    start_time: int64,
    end_time: int64,
    artifact_uri: str,
    lifecycle_stage: str,
  },
} as const;

const datasetInputSchema = {
  type: 'object',
  properties: {
    tags: keyValues,
    dataset: {
      type: 'object',
      properties: { name: str, digest: str, source_type: str, source: str, schema: str, profile: str },
    },
  },
} as const;

export const runSchema = {
  type: 'object',
  properties: {
    info: runInfoSchema,
    data: {
      type: 'object',
      properties: { metrics: { type: 'array', items: metricSchema }, params: keyValues, tags: keyValues },
    },
    inputs: { type: 'object', properties: { dataset_inputs: { type: 'array', items: datasetInputSchema } } },
  },
} as const;

const fileInfoSchema = {
  type: 'object',
  properties: { path: str, is_dir: { type: 'boolean' }, file_size: int64 },
} as const;

const object = (properties: Record<string, unknown>) => ({ type: 'object', properties }) as const;

/** Response bodies by endpoint (200 only; errors share the error handler's `{error_code, message}`). */
export const R = {
  empty: object({}),
  createExperiment: object({ experiment_id: str }),
  experiment: object({ experiment: experimentSchema }),
  experiments: object({ experiments: { type: 'array', items: experimentSchema }, next_page_token: str }),
  run: object({ run: runSchema }),
  runInfo: object({ run_info: runInfoSchema }),
  runs: object({ runs: { type: 'array', items: runSchema }, next_page_token: str }),
  metrics: object({ metrics: { type: 'array', items: metricSchema }, next_page_token: str }),
  metricsWithRunId: object({ metrics: { type: 'array', items: metricWithRunIdSchema } }),
  listArtifacts: object({ root_uri: str, files: { type: 'array', items: fileInfoSchema }, next_page_token: str }),
  proxyListArtifacts: object({ files: { type: 'array', items: fileInfoSchema } }),
};
