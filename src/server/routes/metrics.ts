// MLflow metric history endpoints: get-history (paged), get-history-bulk-interval, and the UI's get-history-bulk.
import type { FastifyInstance } from 'fastify';
import { InvalidParameter } from '../../core/errors.js';
import {
  BULK_INTERVAL_MAX_RESULTS_THRESHOLD, BULK_INTERVAL_MAX_RUNS, METRIC_HISTORY_MAX_RESULTS_THRESHOLD,
} from '../../tracking/validation.js';
import { metricToJson, metricWithRunIdToJson } from '../../tracking/mlflow-json.js';
import { R } from '../response-schemas.js';
import { S, has, mlflowRoute, runIdOf } from '../mlflow-route.js';
import type { RouteDeps } from '../route-deps.js';

export async function metricRoutes(app: FastifyInstance, { store }: RouteDeps): Promise<void> {
  mlflowRoute(app, {
    methods: ['GET'], url: '/metrics/get-history', response: R.metrics,
    fields: { run_id: S.string, run_uuid: S.string, metric_key: S.requiredString, max_results: S.int32, page_token: S.string },
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

  mlflowRoute(app, {
    methods: ['GET'], url: '/metrics/get-history-bulk-interval', response: R.metricsWithRunId,
    fields: {
      run_ids: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: BULK_INTERVAL_MAX_RUNS },
      metric_key: S.requiredString,
      start_step: S.int64,
      end_step: S.int64,
      max_results: { type: 'integer', minimum: 1, maximum: BULK_INTERVAL_MAX_RESULTS_THRESHOLD },
    },
    required: ['run_ids', 'metric_key'],
    handler: async (input) => {
      const hasStart = has(input, 'start_step');
      const hasEnd = has(input, 'end_step');
      if (hasStart !== hasEnd) {
        throw new InvalidParameter('If either start step or end step are specified, both must be specified.');
      }
      if (hasStart && input.start_step > input.end_step) {
        throw new InvalidParameter(`end_step must be greater than start_step. Found start_step=${input.start_step} and end_step=${input.end_step}.`);
      }
      const metrics = await store.getMetricHistoryBulkInterval({
        runIds: input.run_ids,
        metricKey: input.metric_key,
        startStep: hasStart ? input.start_step : undefined,
        endStep: hasEnd ? input.end_step : undefined,
        maxResults: has(input, 'max_results') ? input.max_results : undefined,
      });
      return metrics.length > 0 ? { metrics: metrics.map(metricWithRunIdToJson) } : {};
    },
  });

  // The MLflow UI's chart endpoint (served under /ajax-api only by MLflow; harmless elsewhere).
  mlflowRoute(app, {
    methods: ['GET'], url: '/metrics/get-history-bulk', response: R.metricsWithRunId,
    fields: {
      run_id: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 100 },
      metric_key: S.requiredString,
      max_results: { type: 'integer', minimum: 1 },
    },
    required: ['run_id', 'metric_key'],
    handler: async (input) => {
      const maxResults = Math.min(input.max_results ?? METRIC_HISTORY_MAX_RESULTS_THRESHOLD, METRIC_HISTORY_MAX_RESULTS_THRESHOLD);
      const out: Record<string, unknown>[] = [];
      for (const runId of [...(input.run_id as string[])].sort()) {
        const page = await store.getMetricHistory(runId, input.metric_key, { maxResults });
        const sorted = [...page.items].sort((a, b) => a.timestamp - b.timestamp || a.step - b.step || a.value - b.value);
        for (const m of sorted) out.push({ ...metricToJson(m), run_id: runId });
        if (out.length >= maxResults) break;
      }
      return { metrics: out.slice(0, maxResults) };
    },
  });
}
