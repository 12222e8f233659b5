// The scoring app: POST /predict (Cairn's record API), POST /invocations (MLflow's scoring protocol),
// POST /feedback, GET /health, /ping, /version, /metadata, /metrics. The served model sits in a slot a
// hot swap replaces atomically: each request takes the slot's model once, so it finishes on that model.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { performance } from 'node:perf_hooks';
import { InvalidParameter, InvalidState, NotFound } from '../core/errors.js';
import type { Cell } from '../learn/data/records.js';
import { CAIRN_PACKAGE_VERSION } from '../models/package/package-version.js';
import { recordsFromCsv, recordsFromJson } from './mlflow-input.js';
import { metadataOf } from './model-metadata.js';
import { registerDocs } from './openapi-docs.js';
import type { PredictionLogWriter } from './prediction-log/log-writer.js';
import type { Prediction, Predictor } from './predictor.js';
import { errorResponses, feedbackBodySchema, predictBodySchema, predictionSchema } from './route-schemas.js';
import { installServingErrors, PayloadTooLarge, UnsupportedMediaType, unsupportedMediaType } from './serving-errors.js';
import { ServingMetrics } from './serving-metrics.js';

export const DEFAULT_MAX_BATCH = 1000;
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** The model being served; `swap` replaces it for every request that starts afterwards. */
export class ModelSlot {
  constructor(public current: Predictor) {}
}

export interface ServingAppOptions {
  slot: ModelSlot;
  /** Where predictions are recorded; none = not logged (and /feedback refuses). */
  logWriter?: PredictionLogWriter;
  /** Records per request at most (default 1000). */
  maxBatch?: number;
  /** Request body bytes at most (default 1 MiB). */
  bodyLimit?: number;
  logger?: FastifyBaseLogger;
  logLevel?: string;
  /** What GET /metrics answers; default this app's registry (a cluster worker passes the aggregated view). */
  metricsText?: () => Promise<string>;
  /** GET /docs (OpenAPI + interactive page); default true. */
  docs?: boolean;
  /** Default process metrics in /metrics (default true). */
  processMetrics?: boolean;
}

export interface ServingApp {
  app: FastifyInstance;
  metrics: ServingMetrics;
  slot: ModelSlot;
}

function labelOf(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw new InvalidParameter(
    `Field 'label': expected the true class as a number (e.g. 0 or 1), got ${JSON.stringify(value)}`,
  );
}

export async function buildServingApp(options: ServingAppOptions): Promise<ServingApp> {
  const { slot, logWriter } = options;
  const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: { level: options.logLevel ?? 'info' } }),
    logController: new LogController({ disableRequestLogging: true }),
    // keep-alive sockets close on shutdown only once idle, so in-flight requests finish
    forceCloseConnections: 'idle',
    bodyLimit,
    // the request ids the API returns are per record (uuid4); this one only tags log lines
    requestIdHeader: false,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, allowUnionTypes: true } },
  });
  const metrics = new ServingMetrics(options.processMetrics ?? true);
  metrics.setModel(slot.current.served.name, slot.current.served.version, slot.current.served.uri);
  installServingErrors(app, bodyLimit);
  if (options.docs ?? true) await registerDocs(app, slot);
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body));

  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(
      request.routeOptions.url ?? 'unmatched',
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });

  /** Scores records on the slot's current model, logs each prediction, counts it. */
  function score(records: readonly unknown[], endpoint: string, started: number, log: FastifyBaseLogger): Prediction[] {
    if (records.length > maxBatch)
      throw new PayloadTooLarge(`The batch has ${records.length} records; the limit is ${maxBatch} (--max-batch).`);
    const predictor = slot.current;
    const entries: { p: Prediction; record: unknown }[] = [];
    const results = predictor.predictRecords(records, (p, record, row: readonly Cell[]) => {
      metrics.observePrediction(p, predictor.validator, row);
      if (logWriter) entries.push({ p, record });
      if (p.out_of_range)
        log.warn({ request_id: p.request_id, out_of_range: p.out_of_range }, 'input far outside the training range');
    });
    if (logWriter) {
      const now = Date.now();
      const latencyMs = performance.now() - started;
      for (const { p, record } of entries) {
        logWriter.append({
          requestId: p.request_id,
          ts: now,
          modelName: p.model_name,
          modelVersion: p.model_version,
          endpoint,
          inputs: record,
          prediction: p.prediction,
          probability: p.probability,
          confidence: p.confidence,
          riskLevel: p.risk_level,
          latencyMs,
          outOfRange: p.out_of_range,
        });
      }
    }
    return results;
  }

  app.post(
    '/predict',
    {
      schema: {
        body: predictBodySchema,
        response: { 200: { anyOf: [predictionSchema, { type: 'array', items: predictionSchema }] }, ...errorResponses },
      },
      // /predict takes JSON only (the text/csv parser exists for /invocations)
      preValidation: async (request) => {
        if (typeof request.body === 'string') throw unsupportedMediaType(request.headers['content-type']);
      },
    },
    async (request) => {
      const started = performance.now();
      const body = request.body;
      if (Array.isArray(body)) return score(body, 'predict', started, request.log);
      return score([body], 'predict', started, request.log)[0];
    },
  );

  app.post(
    '/invocations',
    {
      schema: {
        response: {
          200: { type: 'object', properties: { predictions: { type: 'array', items: { type: 'number' } } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const started = performance.now();
      const contentType = request.headers['content-type'] ?? '';
      const [mime, ...params] = contentType.split(';').map((p) => p.trim());
      for (const param of params) {
        const [key, value = ''] = param.split('=').map((s) => s.trim());
        if (key.toLowerCase() === 'charset' && value.toLowerCase() !== 'utf-8')
          throw new UnsupportedMediaType('The scoring server only supports UTF-8');
        if (key.toLowerCase() !== 'charset')
          throw new UnsupportedMediaType(`Unrecognized content type parameters: ${key}.`);
      }
      let records: unknown[];
      if (mime.toLowerCase() === 'text/csv') records = recordsFromCsv(String(request.body ?? ''));
      else if (mime.toLowerCase() === 'application/json') records = recordsFromJson(request.body);
      else throw unsupportedMediaType(contentType);
      return { predictions: score(records, 'invocations', started, request.log).map((p) => p.prediction) };
    },
  );

  app.post('/feedback', { schema: { body: feedbackBodySchema, response: errorResponses } }, async (request, reply) => {
    const { request_id: requestId, label } = request.body as { request_id: string; label: unknown };
    const value = labelOf(label);
    if (!logWriter) throw new InvalidState('Feedback needs the prediction log, and this server runs without one.');
    if (!logWriter.isPending(requestId) && !(await logWriter.store.hasPrediction(requestId)))
      throw new NotFound(`No prediction with request_id '${requestId}' in the prediction log`);
    await logWriter.store.putFeedback(requestId, value, Date.now());
    return reply.status(200).send({ request_id: requestId, label: value });
  });

  const health = { schema: { response: { 200: { type: 'object', additionalProperties: true } } } };
  app.get('/health', health, async () => ({
    status: 'ok',
    pid: process.pid,
    model_name: slot.current.served.name,
    model_version: slot.current.served.version,
  }));
  // MLflow's scoring server answers /ping with a bare newline
  app.get('/ping', { schema: { response: { 200: { type: 'string' } } } }, async (_request, reply) =>
    reply.type('application/json').send('\n'),
  );
  app.get('/version', health, async () => ({
    cairn_version: CAIRN_PACKAGE_VERSION,
    model_name: slot.current.served.name,
    model_version: slot.current.served.version,
    model_uri: slot.current.served.uri,
    loaded_at: new Date(slot.current.served.loadedAt).toISOString(),
  }));
  app.get('/metadata', health, async () => metadataOf(slot.current));
  app.get('/metrics', { schema: { response: { 200: { type: 'string' } } } }, async (_request, reply) =>
    reply.type(metrics.contentType()).send(await (options.metricsText ?? (() => metrics.text()))()),
  );
  return { app, metrics, slot };
}
