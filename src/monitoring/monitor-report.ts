// What one `cairn monitor` pass reports (drift.json, `--json`), and its one-line summary.
import type { MonitorPassResult, LiveMetric } from './monitor-pass.js';

export interface MonitorReport {
  time: string;
  model: { name: string; version: string; uri: string; runId: string | null };
  window: string;
  nPredictions: number;
  drift: MonitorPassResult;
  performance: {
    live: MonitorPassResult['live'];
    /** The source run's metrics (holdout values when the run has them). */
    training: Partial<Record<LiveMetric, number>>;
    /** Minimums from the registered model's promotion policies. */
    policy: Partial<Record<LiveMetric, number>>;
    /** Live metrics under the policy minimum. */
    belowPolicy: LiveMetric[];
  };
  summary: string;
  runId: string | null;
}

export function summaryLine(r: Pick<MonitorReport, 'model' | 'nPredictions' | 'drift'>): string {
  const d = r.drift;
  const tested = d.features.filter((f) => !Number.isNaN(f.score)).length;
  const who = `${r.model.name} v${r.model.version}`;
  if (r.nPredictions === 0) return `No data set drift detected for ${who}: no predictions in the window.`;
  const threshold = `${Math.round(d.driftShareThreshold * 1000) / 10}%`;
  const counts = `${d.nDrifted} of ${tested} features drifted, threshold ${threshold}; ${r.nPredictions} predictions`;
  return d.datasetDrift
    ? `Data set drift detected for ${who}: ${counts}.`
    : `No data set drift detected for ${who}: ${counts}.`;
}
