// The Prometheus gauges `cairn monitor --metrics-port` exposes (names shared with deploy/ and the UI;
// see README.md), set from each pass's report. The HTTP endpoint itself lives in the CLI.
import client from 'prom-client';
import { LIVE_METRICS } from './monitor-pass.js';
import type { MonitorReport } from './monitor-report.js';

export class MonitorMetrics {
  readonly registry = new client.Registry();
  private readonly g: Record<string, client.Gauge<string>>;

  constructor() {
    const gauge = (name: string, help: string, labelNames: string[]) =>
      new client.Gauge({ name, help, labelNames, registers: [this.registry] });
    this.g = {
      datasetDrift: gauge('cairn_monitor_dataset_drift', 'Data set drift in the last pass (0/1)', ['model_name']),
      driftShare: gauge('cairn_monitor_drift_share', 'Share of features drifting', ['model_name']),
      featureDrift: gauge('cairn_monitor_feature_drift', 'Feature drift (0/1)', ['model_name', 'feature', 'method']),
      featureScore: gauge('cairn_monitor_feature_drift_score', 'Feature drift score (p-value or distance)', [
        'model_name',
        'feature',
        'method',
      ]),
      featurePsi: gauge('cairn_monitor_feature_psi', 'Population stability index per feature', [
        'model_name',
        'feature',
      ]),
      predictionDrift: gauge('cairn_monitor_prediction_drift', 'Prediction drift (0/1)', ['model_name']),
      live: gauge('cairn_monitor_live_metric', 'Live metric over the labeled window', ['model_name', 'metric']),
      policy: gauge('cairn_monitor_policy_threshold', 'Promotion policy minimum for the metric', [
        'model_name',
        'metric',
      ]),
      window: gauge('cairn_monitor_window_predictions', 'Predictions in the window', ['model_name']),
      lastRun: gauge('cairn_monitor_last_run_timestamp_seconds', 'When the last pass ran', ['model_name']),
      version: gauge('cairn_monitor_model_version_info', 'The monitored model version', [
        'model_name',
        'model_version',
      ]),
    };
  }

  update(report: MonitorReport): void {
    const model_name = report.model.name;
    const d = report.drift;
    this.g.datasetDrift.set({ model_name }, d.datasetDrift ? 1 : 0);
    this.g.driftShare.set({ model_name }, d.driftShare);
    for (const f of d.features) {
      if (Number.isNaN(f.score)) continue;
      const labels = { model_name, feature: f.feature, method: f.method };
      this.g.featureDrift.set(labels, f.drifted ? 1 : 0);
      this.g.featureScore.set(labels, f.score);
      if (Number.isFinite(f.psi)) this.g.featurePsi.set({ model_name, feature: f.feature }, f.psi);
    }
    if (d.prediction) this.g.predictionDrift.set({ model_name }, d.prediction.drifted ? 1 : 0);
    for (const metric of LIVE_METRICS) {
      const v = d.live?.metrics[metric];
      if (typeof v === 'number' && Number.isFinite(v)) this.g.live.set({ model_name, metric }, v);
      const min = report.performance.policy[metric];
      if (min !== undefined) this.g.policy.set({ model_name, metric }, min);
    }
    this.g.window.set({ model_name }, report.nPredictions);
    this.g.lastRun.set({ model_name }, Date.parse(report.time) / 1000);
    this.g.version.reset();
    this.g.version.set({ model_name, model_version: report.model.version }, 1);
  }
}
