// MLflow metric history endpoints: get-history (paged), get-history-bulk-interval, and the UI's get-history-bulk.
import type { FastifyInstance } from 'fastify';
import { InvalidParameter } from '../../core/errors.js';
import { compareInt64 } from '../../core/int64.js';
import {
  BULK_INTERVAL_MAX_RESULTS_THRESHOLD,
  BULK_INTERVAL_MAX_RUNS,
  METRIC_HISTORY_MAX_RESULTS_THRESHOLD,
} from '../../tracking/validation.js';
import { metricToJson, metricWithRunIdToJson } from '../../tracking/mlflow-json.js';
import { DOCS_HINT } from '../request-types.js';
import { R } from '../response-schemas.js';
import { S, has, runIdOf } from '../mlflow-route.js';
import { typedRoute } from '../typed-route.js';
import type { RouteDeps } from '../route-deps.js';

export async function metricRoutes(app: FastifyInstance, { store }: RouteDeps): Promise<void> {
  typedRoute(app, {
    methods: ['GET'],
    url: '/metrics/get-history',
    response: R.metrics,
    fields: {
      run_id: S.string,
      run_uuid: S.string,
      metric_key: S.requiredString,
      max_results: S.int32,
      page_token: S.string,
    },
    required: ['metric_key'],
    handler: async (input) => {
      const page = await store.getMetricHistory(runIdOf(input), input.metric_key, {
        maxResults: has(input, 'max_results') ? input.max_results : undefined,
        pageToken: input.page_token || undefined,
      });
      const out: Record<string, unknown> = {};
      if (page.items.length > 0) out.metrics = page.items.map(metricToJson);
      if (page.nextPageToken) out.next_page_token = page.nextPageToken;
      return out;
    },
  });

  typedRoute(app, {
    methods: ['GET'],
    url: '/metrics/get-history-bulk-interval',
    response: R.metricsWithRunId,
    fields: {
      run_ids: { ...S.stringList, minItems: 1 },
      metric_key: S.requiredString,
      start_step: S.int64,
      end_step: S.int64,
      max_results: S.int32,
    },
    required: ['run_ids', 'metric_key'],
    handler: async (input) => {
      // MLflow's checks and words (get_metric_history_bulk_interval_handler)
      if (input.run_ids.length > BULK_INTERVAL_MAX_RUNS) {
        throw new InvalidParameter(
          `GetMetricHistoryBulkInterval request must specify at most ${BULK_INTERVAL_MAX_RUNS} run_ids. ` +
            `Received ${input.run_ids.length} run_ids. ${DOCS_HINT}`,
        );
      }
      const maxResults = input.max_results;
      if (maxResults !== undefined && (maxResults < 1 || maxResults > BULK_INTERVAL_MAX_RESULTS_THRESHOLD)) {
        throw new InvalidParameter(
          `max_results must be between 1 and ${BULK_INTERVAL_MAX_RESULTS_THRESHOLD}. ${DOCS_HINT}`,
        );
      }
      const startStep = input.start_step;
      const endStep = input.end_step;
      if ((startStep === undefined) !== (endStep === undefined)) {
        throw new InvalidParameter('If either start step or end step are specified, both must be specified.');
      }
      if (startStep !== undefined && endStep !== undefined && startStep > endStep) {
        throw new InvalidParameter(
          `end_step must be greater than start_step. Found start_step=${startStep} and end_step=${endStep}.`,
        );
      }
      const metrics = await store.getMetricHistoryBulkInterval({
        runIds: input.run_ids,
        metricKey: input.metric_key,
        startStep,
        endStep,
        maxResults,
      });
      return metrics.length > 0 ? { metrics: metrics.map(metricWithRunIdToJson) } : {};
    },
  });

  // The MLflow UI's chart endpoint (served under /ajax-api only by MLflow; harmless elsewhere).
  typedRoute(app, {
    methods: ['GET'],
    url: '/metrics/get-history-bulk',
    response: R.metricsWithRunId,
    fields: {
      run_id: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 100 },
      metric_key: S.requiredString,
      max_results: { type: 'integer', minimum: 1 },
    },
    required: ['run_id', 'metric_key'],
    handler: async (input) => {
      const maxResults = Math.min(
        input.max_results ?? METRIC_HISTORY_MAX_RESULTS_THRESHOLD,
        METRIC_HISTORY_MAX_RESULTS_THRESHOLD,
      );
      const out: Record<string, unknown>[] = [];
      for (const runId of [...(input.run_id as string[])].sort()) {
        const page = await store.getMetricHistory(runId, input.metric_key, { maxResults });
        const sorted = [...page.items].sort(
          (a, b) => compareInt64(a.timestamp, b.timestamp) || compareInt64(a.step, b.step) || a.value - b.value,
        );
        for (const m of sorted) out.push({ ...metricToJson(m), run_id: runId });
        if (out.length >= maxResults) break;
      }
      return { metrics: out.slice(0, maxResults) };
    },
  });
}
