// Reads `cairn monitor` passes out of the `Model_Monitoring` experiment's runs (names fixed in
// MONITOR-NAMES: tags `cairn.monitor.*`, metrics `drift_score.<feature>`, `prediction_share.<class>`,
// `live.<metric>`…) into one record per pass, and shapes them for the monitoring page's charts.
import type { Run } from '../api/types.js';
import { metricValue } from './columns.js';

export const MONITORING_EXPERIMENT = 'Model_Monitoring';
export const MODEL_NAME_TAG = 'cairn.monitor.model_name';
export const MODEL_VERSION_TAG = 'cairn.monitor.model_version';
export const MODEL_URI_TAG = 'cairn.monitor.model_uri';
export const DATASET_DRIFT_TAG = 'cairn.monitor.dataset_drift';
export const DRIFT_REPORT = 'drift_report.html';
export const LIVE_METRICS = [
  'live.accuracy',
  'live.precision_1',
  'live.recall_1',
  'live.f1_1',
  'live.roc_auc',
] as const;

export interface FeatureDrift {
  score: number | null;
  detected: boolean | null;
  psi: number | null;
  method: string | null;
  threshold: string | null;
}

export interface MonitorPass {
  runId: string;
  runName: string;
  /** The pass's time: its `dataset_drift` metric's timestamp, else the run's start. */
  time: number;
  version: string | null;
  modelUri: string | null;
  datasetDrift: boolean | null;
  driftShare: number | null;
  nPredictions: number | null;
  nLabeled: number | null;
  predictionDrift: boolean | null;
  predictionMean: number | null;
  targetDrift: boolean | null;
  features: Map<string, FeatureDrift>;
  predictionShares: Map<string, number>;
  live: Map<string, number>;
}

/** `tags."cairn.monitor.model_name" = '<name>'`, the name quoted for MLflow's filter grammar. */
export function monitorFilter(modelName: string): string {
  return `tags."${MODEL_NAME_TAG}" = '${modelName.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const flag = (v: number | undefined): boolean | null => (v === undefined || Number.isNaN(v) ? null : v >= 0.5);
const num = (v: number | undefined): number | null => (v === undefined ? null : v);

export function readPass(run: Run): MonitorPass {
  const metrics = new Map<string, number>();
  let time: number | undefined;
  for (const m of run.data.metrics ?? []) {
    metrics.set(m.key, metricValue(m.value));
    if (m.key === 'dataset_drift') time = Number(m.timestamp);
  }
  const tags = new Map((run.data.tags ?? []).map((t) => [t.key, t.value]));
  const params = new Map((run.data.params ?? []).map((p) => [p.key, p.value]));
  const features = new Map<string, FeatureDrift>();
  const predictionShares = new Map<string, number>();
  const live = new Map<string, number>();
  for (const [key, value] of metrics) {
    if (key.startsWith('drift_score.') || key.startsWith('drift_detected.')) {
      const feature = key.slice(key.indexOf('.') + 1);
      if (features.has(feature)) continue;
      features.set(feature, {
        score: num(metrics.get(`drift_score.${feature}`)),
        detected: flag(metrics.get(`drift_detected.${feature}`)),
        psi: num(metrics.get(`psi.${feature}`)),
        method: params.get(`method.${feature}`) ?? null,
        threshold: params.get(`threshold.${feature}`) ?? null,
      });
    } else if (key.startsWith('prediction_share.')) {
      predictionShares.set(key.slice('prediction_share.'.length), value);
    } else if (key.startsWith('live.')) {
      live.set(key, value);
    }
  }
  const tagDrift = tags.get(DATASET_DRIFT_TAG);
  const metricDrift = flag(metrics.get('dataset_drift'));
  return {
    runId: run.info.run_id,
    runName: run.info.run_name ?? run.info.run_id,
    time: time ?? Number(run.info.start_time ?? 0),
    version: tags.get(MODEL_VERSION_TAG) ?? null,
    modelUri: tags.get(MODEL_URI_TAG) ?? null,
    datasetDrift: metricDrift ?? (tagDrift === undefined ? null : tagDrift === 'true'),
    driftShare: num(metrics.get('drift_share')),
    nPredictions: num(metrics.get('n_predictions')),
    nLabeled: num(metrics.get('n_labeled')),
    predictionDrift: flag(metrics.get('prediction_drift')),
    predictionMean: num(metrics.get('prediction_mean')),
    targetDrift: flag(metrics.get('target_drift')),
    features,
    predictionShares,
    live,
  };
}

/** Passes oldest first (the charts' order). */
export function readPasses(runs: Run[]): MonitorPass[] {
  return runs.map(readPass).sort((a, b) => a.time - b.time || a.runId.localeCompare(b.runId));
}

/** Every feature any pass measured, sorted; those that drifted most often first. */
export function featureOrder(passes: MonitorPass[]): string[] {
  const drifted = new Map<string, number>();
  for (const p of passes) {
    for (const [f, d] of p.features) drifted.set(f, (drifted.get(f) ?? 0) + (d.detected ? 1 : 0));
  }
  return [...drifted.keys()].sort((a, b) => (drifted.get(b) ?? 0) - (drifted.get(a) ?? 0) || a.localeCompare(b));
}

export function predictionClasses(passes: MonitorPass[]): string[] {
  const set = new Set<string>();
  for (const p of passes) for (const c of p.predictionShares.keys()) set.add(c);
  return [...set].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

export function liveMetricKeys(passes: MonitorPass[]): string[] {
  const set = new Set<string>();
  for (const p of passes) for (const k of p.live.keys()) set.add(k);
  const known = LIVE_METRICS.filter((k) => set.has(k));
  return [...known, ...[...set].filter((k) => !(LIVE_METRICS as readonly string[]).includes(k)).sort()];
}

/**
 * Heat-map cells `[passIndex, featureIndex, detected (0/1, or -1 when unmeasured)]`, with the score
 * alongside for the tooltip and label.
 */
export function driftCells(
  passes: MonitorPass[],
  features: string[],
): Array<{ value: [number, number, number]; score: number | null }> {
  const cells: Array<{ value: [number, number, number]; score: number | null }> = [];
  passes.forEach((p, x) => {
    features.forEach((f, y) => {
      const d = p.features.get(f);
      if (!d) return;
      cells.push({ value: [x, y, d.detected === null ? -1 : d.detected ? 1 : 0], score: d.score });
    });
  });
  return cells;
}

/** Model names seen in monitoring runs, with their newest pass (newest first). */
export function monitoredModels(runs: Run[]): Array<{ name: string; last: MonitorPass; passes: number }> {
  const byName = new Map<string, { last: MonitorPass; passes: number }>();
  for (const run of runs) {
    const name = run.data.tags?.find((t) => t.key === MODEL_NAME_TAG)?.value;
    if (!name) continue;
    const pass = readPass(run);
    const seen = byName.get(name);
    if (!seen) byName.set(name, { last: pass, passes: 1 });
    else {
      seen.passes += 1;
      if (pass.time > seen.last.time) seen.last = pass;
    }
  }
  return [...byName]
    .map(([name, v]) => ({ name, ...v }))
    .sort((a, b) => b.last.time - a.last.time || a.name.localeCompare(b.name));
}
