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
import type { ModelSummary } from './train-types.js';

function summaryOf(run: Run, family: ModelFamily): ModelSummary | null {
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
