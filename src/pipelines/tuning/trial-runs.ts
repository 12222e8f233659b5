// How a study looks in MLflow terms: one parent run per study, one nested child run per trial
// (tag mlflow.parentRunId, as Hyperopt's and Optuna's MLflow integrations nest them), with the tags
// below. Everything goes through CairnClient, so it works on a database and on a remote server alike.
import type { CairnClient } from '../../client/cairn-client.js';
import type { Metric, Param, RunStatus, Tag } from '../../tracking/entities.js';
import { MAX_PARAM_VAL_LENGTH, MAX_TAG_VAL_LENGTH } from '../../tracking/validation.js';
import { formatParamValue } from './search-space.js';
import type { TrialRecord, TrialState } from './study-storage.js';

export const TAG = {
  parentRunId: 'mlflow.parentRunId',
  study: 'cairn.tuning.study',
  sampler: 'cairn.tuning.sampler',
  direction: 'cairn.tuning.direction',
  metric: 'cairn.tuning.metric',
  maxEvals: 'cairn.tuning.max_evals',
  role: 'cairn.tuning.role',
  trialNumber: 'cairn.tuning.trial_number',
  /** COMPLETE, PRUNED, FAILED or STALE. */
  state: 'cairn.tuning.state',
  prunedStep: 'cairn.tuning.pruned_step',
  error: 'cairn.tuning.error',
  /** How many finished trials of the whole study the sampler saw when it chose this trial's params. */
  observedTrials: 'cairn.tuning.observed_trials',
  owner: 'cairn.tuning.owner',
  best: 'cairn.tuning.best',
  bestTrialRunId: 'best_trial_run_id',
  bestTrialNumber: 'best_trial_number',
  bestParams: 'cairn.tuning.best_params',
} as const;

/** MLflow run status of a finished trial: pruned trials were stopped early (KILLED), as MLflow marks stopped runs. */
export const RUN_STATUS: Record<Exclude<TrialState, 'RUNNING'>, RunStatus> = {
  COMPLETE: 'FINISHED',
  PRUNED: 'KILLED',
  FAILED: 'FAILED',
  STALE: 'FAILED',
};

export function tag(key: string, value: unknown): Tag {
  return { key, value: String(value).slice(0, MAX_TAG_VAL_LENGTH) };
}

export function paramsOf(params: Record<string, unknown>, prefix = ''): Param[] {
  return Object.entries(params).map(([k, v]) => ({
    key: `${prefix}${k}`,
    value: formatParamValue(v).slice(0, MAX_PARAM_VAL_LENGTH),
  }));
}

export function metricsOf(values: Record<string, number>, prefix = '', step = 0): Metric[] {
  const timestamp = Date.now();
  return Object.entries(values).map(([k, value]) => ({ key: `${prefix}${k}`, value, timestamp, step }));
}

/** Records a finished trial on its child run (and its point of the search history on the parent). */
export async function recordTrialRun(
  client: CairnClient,
  trial: TrialRecord,
  metric: string,
  parentRunId: string,
): Promise<void> {
  if (!trial.runId || trial.state === 'RUNNING') return;
  const metrics = metricsOf(trial.metrics);
  const timestamp = Date.now();
  for (const [step, value] of trial.intermediate)
    metrics.push({ key: `intermediate_${metric}`, value, timestamp, step });
  const tags = [tag(TAG.state, trial.state)];
  if (trial.error) tags.push(tag(TAG.error, trial.error));
  if (trial.state === 'PRUNED' && trial.intermediate.length > 0)
    tags.push(tag(TAG.prunedStep, trial.intermediate[trial.intermediate.length - 1][0]));
  await client.logBatch(trial.runId, { metrics, tags });
  await client.setTerminated(trial.runId, RUN_STATUS[trial.state], trial.endTime ?? timestamp);
  if (trial.state === 'COMPLETE')
    await client.logMetric(parentRunId, `trial_${metric}`, trial.value, { step: trial.number });
}
