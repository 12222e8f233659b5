// `cairn monitor --notify`: a pass that found data set drift becomes the registry's MODEL_DRIFT_DETECTED
// event, queued for the webhooks subscribed to it (through the WebhookStore, SQL or REST alike).
import type { RegistryEvent } from '../registry/webhooks/registry-events.js';
import type { WebhookStore } from '../registry/webhooks/store.js';
import type { MonitorReport } from './monitor-report.js';

/** The event of a pass with data set drift (null without drift): its payload names the monitoring run. */
export function driftDetectedEvent(report: MonitorReport): RegistryEvent | null {
  const d = report.drift;
  if (!d.datasetDrift) return null;
  return {
    event: 'MODEL_DRIFT_DETECTED',
    modelName: report.model.name,
    data: {
      name: report.model.name,
      version: report.model.version,
      model_uri: report.model.uri,
      run_id: report.runId,
      drift_share: d.driftShare,
      drift_share_threshold: d.driftShareThreshold,
      drifted_features: d.features.filter((f) => f.drifted).map((f) => f.feature),
      n_predictions: report.nPredictions,
      window: report.window,
      timestamp: report.time,
    },
  };
}

/** Records the pass's drift event; the number of webhook deliveries queued (0 without drift). */
export async function notifyDrift(webhooks: WebhookStore, report: MonitorReport): Promise<number> {
  const event = driftDetectedEvent(report);
  return event ? webhooks.recordEvent(event) : 0;
}
