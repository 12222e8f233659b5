// What `cairn quickstart` finds already done on a store: finished `cairn train` runs of the same data
// (by its SHA-256) for every family it would train, read back as ModelSummaries, and the registered
// version of the best of them, so a second quickstart reuses instead of retraining.
import type { CairnClient } from '../client/cairn-client.js';
import { NotFound } from '../core/errors.js';
import type { Run } from '../tracking/entities.js';
import { METRICS, type MetricName } from './evaluate.js';
import type { ImbalanceHandling, ModelFamily } from './model-families.js';
import { CHAMPION_ALIAS, PROMOTION_TAG, type RegistrationResult } from './register-best.js';
import { TAGS } from './train-pipeline.js';
import {
  BASELINE_TAG,
  countTrials,
  TUNE_METHODS,
  TUNED_FROM_TAG,
  type TuneMethod,
  type TuningOutcome,
} from './tuning-hook.js';
import { TUNING_TAGS, type TrialState } from './tuning/index.js';
import type { ModelSummary } from './train-types.js';

export function summaryOf(run: Run, family: ModelFamily): ModelSummary | null {
  const metrics = new Map(run.data.metrics.map((m) => [m.key, m.value]));
  const params = new Map(run.data.params.map((p) => [p.key, p.value]));
  const get = (k: string) => metrics.get(k);
  if (METRICS.some((m) => get(m) === undefined || get(`${m}_std`) === undefined)) return null;
  const cv = Object.fromEntries(
    METRICS.map((m) => [m, { mean: get(m)!, std: get(`${m}_std`)! }]),
  ) as ModelSummary['cv'];
  const holdout = Object.fromEntries(METRICS.map((m) => [m, get(`holdout_${m}`) ?? NaN])) as Record<MetricName, number>;
  const rule = params.get('decision_threshold_rule') ?? 'default';
  const recall = /^recall>=(.+)$/.exec(rule);
  return {
    family,
    runId: run.info.runId,
    runName: run.info.runName ?? family,
    cv,
    holdout,
    threshold: recall
      ? { value: get('decision_threshold') ?? 0.5, rule: 'recall', targetRecall: Number(recall[1]) }
      : { value: get('decision_threshold') ?? 0.5, rule: 'default' },
    imbalance: (params.get('imbalance') ?? 'none') as ImbalanceHandling,
  };
}

/**
 * The newest finished run per family for this data digest and these CV settings in the experiment, or
 * null unless every family has one (then the caller trains afresh).
 */
export async function findFinishedRuns(
  client: CairnClient,
  experimentName: string,
  digest: string,
  families: ModelFamily[],
  settings: { cv: number; seed: number },
): Promise<ModelSummary[] | null> {
  const experiment = await client.getExperimentByName(experimentName);
  if (!experiment) return null;
  const runs = await client.searchAllRuns([experiment.experimentId], {
    filter:
      `tags.\`${TAGS.datasetDigest}\` = '${digest}' and tags.\`${TAGS.pipeline}\` = 'train' ` +
      `and params.cv_folds = '${settings.cv}' and params.seed = '${settings.seed}' and attributes.status = 'FINISHED'`,
    orderBy: ['attributes.start_time DESC'],
  });
  const out: ModelSummary[] = [];
  for (const family of families) {
    const run = runs.find((r) => r.data.tags.some((t) => t.key === TAGS.family && t.value === family));
    const summary = run ? summaryOf(run, family) : null;
    if (!summary) return null;
    out.push(summary);
  }
  return out;
}

/** The registered version made from `runId`, described as a registration, or null when there is none. */
export async function existingRegistration(
  client: CairnClient,
  name: string,
  best: ModelSummary,
): Promise<RegistrationResult | null> {
  let page;
  try {
    page = await client.registry.searchModelVersions({ filter: `run_id = '${best.runId}'`, maxResults: 100 });
  } catch (err) {
    if (err instanceof NotFound) return null;
    throw err;
  }
  const v = page.items.filter((x) => x.name === name).sort((a, b) => Number(b.version) - Number(a.version))[0];
  if (!v) return null;
  const note = v.tags.find((t) => t.key === PROMOTION_TAG)?.value;
  return {
    name,
    version: v.version,
    runId: best.runId,
    family: best.family,
    stage: v.currentStage,
    passed: v.currentStage === 'Production' ? true : note ? false : null,
    policy: null,
    policySource: 'existing',
    failures: [],
    archived: [],
    champion: v.aliases.includes(CHAMPION_ALIAS),
    message:
      `already registered by an earlier run as v${v.version}, now in ${v.currentStage}` +
      (note ? ` (${note})` : '') +
      '.',
    warnings: [],
  };
}

const tagOf = (run: Run, key: string): string | undefined => run.data.tags.find((t) => t.key === key)?.value;

/**
 * A finished search over the family of `baseline` (the parent run tagged with its run id), read back as
 * a tuning outcome, with the tuned model's run when the search won; null when there is none.
 */
export async function findFinishedTuning(
  client: CairnClient,
  experimentId: string,
  baseline: ModelSummary,
  metric: MetricName,
): Promise<{ outcome: TuningOutcome; tuned: ModelSummary | null } | null> {
  const [parent] = await client.searchAllRuns([experimentId], {
    filter:
      `tags.\`${BASELINE_TAG}\` = '${baseline.runId}' and tags.\`${TUNING_TAGS.role}\` = 'parent' ` +
      `and tags.\`${TUNING_TAGS.metric}\` = '${metric}' and attributes.status = 'FINISHED'`,
    orderBy: ['attributes.start_time DESC'],
  });
  if (!parent) return null;
  const parentRunId = parent.info.runId;
  const method = tagOf(parent, TUNING_TAGS.sampler) as TuneMethod;
  if (!TUNE_METHODS.includes(method)) return null;
  const trials = await client.searchAllRuns([experimentId], { filter: `tags.mlflow.parentRunId = '${parentRunId}'` });
  const states = trials.map((r) => ({ state: (tagOf(r, TUNING_TAGS.state) ?? 'FAILED') as TrialState }));
  const [tunedRun] = await client.searchAllRuns([experimentId], {
    filter: `tags.\`${TUNED_FROM_TAG}\` = '${parentRunId}' and attributes.status = 'FINISHED'`,
    orderBy: ['attributes.start_time DESC'],
  });
  const tuned = tunedRun ? summaryOf(tunedRun, baseline.family) : null;
  if (tuned) tuned.tuned = true;
  const bestParams = tagOf(parent, TUNING_TAGS.bestParams);
  const bestValue = parent.data.metrics.find((m) => m.key === `best_${metric}`)?.value;
  const outcome: TuningOutcome = {
    method,
    maxEvals: Number(tagOf(parent, TUNING_TAGS.maxEvals) ?? states.length),
    workers: 1,
    study: null,
    family: baseline.family,
    metric,
    ...countTrials(states),
    parentRunId,
    bestTrialRunId: tagOf(parent, TUNING_TAGS.bestTrialRunId) ?? null,
    bestValue: bestValue ?? null,
    bestParams: bestParams ? (JSON.parse(bestParams) as Record<string, unknown>) : null,
    baselineValue: baseline.cv[metric].mean,
    baselineRunId: baseline.runId,
    won: tuned !== null,
    tunedRunId: tuned?.runId ?? null,
    reused: true,
  };
  return { outcome, tuned };
}
