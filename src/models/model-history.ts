// The run tag `mlflow.log-model.history`: a JSON list (Python json.dumps text) with one entry per
// logged model, as MLflow's client and server keep it. For transports without the log-model route.
import type { MlModel } from './package/mlmodel.js';
import { modelHistoryEntry } from './package/mlmodel.js';
import { pythonJsonDumps } from '../core/python-json.js';

export const LOG_MODEL_HISTORY_TAG = 'mlflow.log-model.history';

/** The tag's next value: the previous list (an unparseable one is replaced) plus this model's entry. */
export function appendModelHistory(previous: string | undefined, model: MlModel): string {
  let history: unknown[] = [];
  if (previous) {
    try {
      const parsed = JSON.parse(previous) as unknown;
      if (Array.isArray(parsed)) history = parsed;
    } catch {
      history = [];
    }
  }
  history.push(modelHistoryEntry(model));
  return pythonJsonDumps(history);
}
