// Logs an endpoint evaluation (`cairn evaluate`) as a tracking run: what was measured as params, the
// metrics and latency per sample as metrics, the model name/version the endpoint reported as tags.
import type { CairnClient } from '../client/cairn-client.js';
import { AlreadyExists } from '../core/errors.js';
import type { Metric, Param } from '../tracking/entities.js';
import type { EndpointEvaluation } from './endpoint-evaluation.js';

export const DEFAULT_EVALUATION_EXPERIMENT = 'serving-evaluation';

/** Tag keys of an evaluation run. */
export const EVALUATION_TAGS = {
  modelName: 'cairn.serving.model_name',
  modelVersion: 'cairn.serving.model_version',
  endpoint: 'cairn.serving.endpoint',
} as const;

export interface EvaluationRunInfo {
  experiment: string;
  /** The data file's name (no directory). */
  dataFile: string;
  target: string;
  /** The positive-class rule as text (`num > 0`). */
  positiveRule: string;
  /** Rows asked for with --rows (undefined = every row) and the seed of that sample. */
  sampleRows?: number;
  seed?: number;
  concurrency: number;
  user?: string;
}

export interface LoggedEvaluation {
  runId: string;
  experimentId: string;
}

async function experimentId(client: CairnClient, name: string): Promise<string> {
  const found = await client.getExperimentByName(name);
  if (found) return found.experimentId;
  try {
    return await client.createExperiment(name, {
      tags: { 'mlflow.note.content': 'Runs of cairn evaluate: deployed scoring endpoints measured on labelled data.' },
    });
  } catch (err) {
    if (!(err instanceof AlreadyExists)) throw err;
    return (await client.getExperimentByName(name))!.experimentId;
  }
}

/** Metric name → value of an evaluation (non-finite values left out: an undefined AUC is not a 0). */
export function evaluationMetrics(e: EndpointEvaluation): Record<string, number> {
  const out: Record<string, number> = { requests: e.requests, failed_requests: e.failed };
  if (e.metrics) for (const [k, v] of Object.entries(e.metrics)) if (Number.isFinite(v)) out[k] = v;
  if (e.latencyMs) {
    out.latency_p50_ms = e.latencyMs.p50;
    out.latency_p99_ms = e.latencyMs.p99;
    out.latency_mean_ms = e.latencyMs.mean;
    out.latency_max_ms = e.latencyMs.max;
  }
  return out;
}

/** Creates the run (FINISHED when some request was answered, FAILED when none was). */
export async function logEvaluationRun(
  client: CairnClient,
  e: EndpointEvaluation,
  info: EvaluationRunInfo,
): Promise<LoggedEvaluation> {
  const expId = await experimentId(client, info.experiment);
  const names = [...new Set(e.models.map((m) => m.name))].join(',');
  const versions = [...new Set(e.models.map((m) => m.version))].join(',');
  const tags: Record<string, string> = {
    [EVALUATION_TAGS.endpoint]: e.endpoint,
    'mlflow.source.name': 'cairn evaluate',
    'mlflow.source.type': 'LOCAL',
    'mlflow.note.content':
      `${e.endpoint} scored on ${e.requests} rows of ${info.dataFile} (${info.positiveRule}), ` +
      'one record per request; ' +
      `${e.failed} request(s) failed.`,
  };
  if (names) tags[EVALUATION_TAGS.modelName] = names;
  if (versions) tags[EVALUATION_TAGS.modelVersion] = versions;
  const runName = names ? `evaluate ${names} v${versions}` : 'evaluate';
  const run = await client.createRun(expId, { runName, tags, userId: info.user });
  const runId = run.info.runId;
  const params: Param[] = [
    { key: 'endpoint', value: e.endpoint },
    { key: 'data', value: info.dataFile },
    { key: 'rows', value: String(e.requests) },
    { key: 'target', value: info.target },
    { key: 'positive', value: info.positiveRule },
    { key: 'concurrency', value: String(info.concurrency) },
  ];
  if (info.sampleRows !== undefined) params.push({ key: 'seed', value: String(info.seed) });
  const now = Date.now();
  const metrics: Metric[] = Object.entries(evaluationMetrics(e)).map(([key, value]) => ({
    key,
    value,
    timestamp: now,
    step: 0,
  }));
  try {
    await client.logBatch(runId, { metrics, params, tags: [] });
    await client.setTerminated(runId, e.succeeded > 0 ? 'FINISHED' : 'FAILED');
  } catch (err) {
    await client.setTerminated(runId, 'FAILED').catch(() => undefined);
    throw err;
  }
  return { runId, experimentId: expId };
}
