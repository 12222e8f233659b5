// One `cairn monitor` pass end to end: reads the model's window from the prediction log, computes drift
// and live performance, compares them with the source run's metrics and the promotion policies, and logs
// one run to the experiment `Model_Monitoring` through the client (names: MONITOR-NAMES in README.md).
import { AlreadyExists } from '../core/errors.js';
import type { CairnClient } from '../client/cairn-client.js';
import type { LoadedModel } from '../models/package/load-model.js';
import type { Metric, Param, Tag } from '../tracking/entities.js';
import type { StatTestChoice } from './drift.js';
import { driftReportHtml } from './drift-report-html.js';
import { LIVE_METRICS, type LiveMetric, runMonitorPass, type WindowRow } from './monitor-pass.js';
import { type MonitorReport, summaryLine } from './monitor-report.js';

export const MONITORING_EXPERIMENT = 'Model_Monitoring';

/** Where the window comes from: serving's PredictionLogStore (SQLite or PostgreSQL) has this method. */
export interface PredictionWindowSource {
  readWindow(opts: { modelName: string; sinceMs?: number; limit?: number }): Promise<WindowRow[]>;
}

export interface MonitoredModel {
  model: LoadedModel;
  name: string;
  version: string;
  uri: string;
  runId: string | null;
}

export interface MonitorJobOptions {
  client: CairnClient;
  store: PredictionWindowSource;
  target: MonitoredModel;
  /** The latest N predictions, and/or those since a time. */
  limit?: number;
  sinceMs?: number;
  /** As given: "1000" or "1h". */
  windowLabel: string;
  choices?: ReadonlyMap<string, StatTestChoice>;
  /** Share of drifting features at which the data set drifts (default 0.5). */
  driftShare?: number;
  /** Skip logging the run (tests of the computation only). */
  logRun?: boolean;
  now?: number;
}

async function trainingMetrics(
  client: CairnClient,
  runId: string | null,
): Promise<Partial<Record<LiveMetric, number>>> {
  if (!runId) return {};
  try {
    const run = await client.getRun(runId);
    const byKey = new Map(run.data.metrics.map((m) => [m.key, m.value]));
    const out: Partial<Record<LiveMetric, number>> = {};
    for (const m of LIVE_METRICS) {
      const v = byKey.get(`holdout_${m}`) ?? byKey.get(m);
      if (v !== undefined) out[m] = v;
    }
    return out;
  } catch {
    return {};
  }
}

/** The minimum each live metric must meet under the registered model's promotion policies (the highest). */
async function policyMinimums(client: CairnClient, name: string): Promise<Partial<Record<LiveMetric, number>>> {
  const out: Partial<Record<LiveMetric, number>> = {};
  try {
    for (const policy of await client.registry.getPromotionPolicies(name)) {
      for (const r of policy.require) {
        const metric = r.metric.replace(/^holdout_/, '') as LiveMetric;
        if (!LIVE_METRICS.includes(metric) || (r.op !== '>=' && r.op !== '>')) continue;
        out[metric] = Math.max(out[metric] ?? -Infinity, r.threshold);
      }
    }
  } catch {
    // not a registered model (a runs:/ URI or a directory): no policy to compare with
  }
  return out;
}

async function monitoringExperimentId(client: CairnClient): Promise<string> {
  const found = await client.getExperimentByName(MONITORING_EXPERIMENT);
  if (found) return found.experimentId;
  try {
    return await client.createExperiment(MONITORING_EXPERIMENT);
  } catch (err) {
    if (!(err instanceof AlreadyExists)) throw err;
    return (await client.getExperimentByName(MONITORING_EXPERIMENT))!.experimentId;
  }
}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** The run's metrics, params and tags as MONITOR-NAMES lists them. */
export function monitorRunRecord(
  report: MonitorReport,
  ts: number,
): { metrics: Metric[]; params: Param[]; tags: Tag[] } {
  const metrics: Metric[] = [];
  const m = (key: string, value: number | null | undefined) => {
    if (finite(value)) metrics.push({ key, value, timestamp: ts, step: 0 });
  };
  const d = report.drift;
  m('dataset_drift', d.datasetDrift ? 1 : 0);
  m('drift_share', d.driftShare);
  m('n_predictions', report.nPredictions);
  const params: Param[] = [
    { key: 'window', value: report.window },
    { key: 'reference_rows', value: String(d.referenceRows) },
  ];
  for (const f of d.features) {
    m(`drift_score.${f.feature}`, f.score);
    if (!Number.isNaN(f.score)) m(`drift_detected.${f.feature}`, f.drifted ? 1 : 0);
    m(`psi.${f.feature}`, f.psi);
    if (f.kind === 'numeric') m(`avg.${f.feature}`, f.currentMean);
    params.push(
      { key: `method.${f.feature}`, value: f.method },
      { key: `threshold.${f.feature}`, value: String(f.threshold) },
    );
  }
  if (d.prediction) {
    m('prediction_drift', d.prediction.drifted ? 1 : 0);
    m('prediction_drift_score', d.prediction.score);
  }
  m('prediction_mean', d.predictionMean);
  for (const [cls, share] of Object.entries(d.predictionShares)) m(`prediction_share.${cls}`, share);
  if (d.live) {
    m('n_labeled', d.live.nLabeled);
    for (const k of LIVE_METRICS) m(`live.${k}`, d.live.metrics[k]);
    if (d.target) m('target_drift', d.target.drifted ? 1 : 0);
  }
  const tags: Tag[] = [
    { key: 'cairn.monitor.model_name', value: report.model.name },
    { key: 'cairn.monitor.model_version', value: report.model.version },
    { key: 'cairn.monitor.model_uri', value: report.model.uri },
    { key: 'cairn.monitor.dataset_drift', value: d.datasetDrift ? 'true' : 'false' },
  ];
  return { metrics, params, tags };
}

export async function runMonitorJob(opts: MonitorJobOptions): Promise<MonitorReport> {
  const now = opts.now ?? Date.now();
  const { target, client } = opts;
  const rows = await opts.store.readWindow({ modelName: target.name, sinceMs: opts.sinceMs, limit: opts.limit });
  const drift = runMonitorPass(target.model, rows, { choices: opts.choices, driftShare: opts.driftShare });
  const [training, policy] = await Promise.all([
    trainingMetrics(client, target.runId),
    policyMinimums(client, target.name),
  ]);
  const belowPolicy = drift.live
    ? LIVE_METRICS.filter(
        (k) => finite(drift.live!.metrics[k]) && policy[k] !== undefined && drift.live!.metrics[k]! < policy[k]!,
      )
    : [];
  const time = new Date(now).toISOString();
  const model = { name: target.name, version: target.version, uri: target.uri, runId: target.runId };
  const report: MonitorReport = {
    time,
    model,
    window: opts.windowLabel,
    nPredictions: rows.length,
    drift,
    performance: { live: drift.live, training, policy, belowPolicy },
    summary: summaryLine({ model, nPredictions: rows.length, drift }),
    runId: null,
  };
  if (opts.logRun === false) return report;
  const experimentId = await monitoringExperimentId(client);
  const run = await client.createRun(experimentId, {
    runName: `monitor-${target.name}-v${target.version}-${time}`,
    startTime: now,
  });
  const runId = run.info.runId;
  report.runId = runId;
  try {
    await client.logBatch(runId, monitorRunRecord(report, now));
    await client.logBytes(runId, driftReportHtml(report), 'drift_report.html');
    await client.logBytes(runId, `${JSON.stringify(report, jsonSafe, 2)}\n`, 'drift.json');
    await client.setTerminated(runId, 'FINISHED');
  } catch (err) {
    await client.setTerminated(runId, 'FAILED').catch(() => undefined);
    throw err;
  }
  return report;
}

/** NaN and ±Infinity as null in drift.json (JSON has no such numbers). */
export function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
