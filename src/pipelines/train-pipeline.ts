// `cairn train`'s machinery: a validated data set in, one tracked run per model family out. The rows
// are split once into a stratified training split and a holdout; each family is cross-validated on
// the training split, fitted on all of it, scored on the holdout, and logged (params, CV mean/std and
// holdout metrics, tags, the data set as a run input, evaluation artifacts, the model package).
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { AlreadyExists } from '../core/errors.js';
import type { CairnClient } from '../client/cairn-client.js';
import { takeFrameRows } from '../learn/core/frame.js';
import { takeLabels } from '../learn/model-selection/cross-validate.js';
import { trainTestSplit } from '../learn/model-selection/train-test-split.js';
import type { DatasetInput, Metric, Param, Tag } from '../tracking/entities.js';
import { describePositive } from './dataset-spec.js';
import { crossValidatePipeline, evaluatePipeline, METRICS, type MetricName, type MetricSet } from './evaluate.js';
import { attachEvaluationArtifacts } from './evaluation-artifacts.js';
import { featureImportance } from './feature-importance.js';
import { DataError, type LoadedDataset } from './load-dataset.js';
import { buildFamily, FAMILY_NAMES, type FamilyBuild, type ModelFamily } from './model-families.js';
import { flattenParams } from './pipeline-params.js';
import { checkTuneOptions, runTuning, TUNED_FROM_TAG, type TrialProgress, type TuneOptions } from './tuning-hook.js';
import type { Split } from '../learn/model-selection/stratified-k-fold.js';
import { pickBest, type DatasetSummary, type ModelResult, type TrainResult } from './train-types.js';

export const HOLDOUT_FRACTION = 0.2;
/** A target whose smaller class is under this share of the rows gets imbalance handling. */
export const IMBALANCE_SHARE = 0.2;

/** Run tags `cairn train` sets (also what quickstart searches by). */
export const TAGS = {
  datasetName: 'cairn.dataset.name',
  datasetDigest: 'cairn.dataset.digest',
  datasetRows: 'cairn.dataset.rows',
  family: 'cairn.model.family',
  pipeline: 'cairn.pipeline',
} as const;

export const ACCURACY_WARNING =
  'Accuracy is not the target here: with this few positives a model that always says "no" scores high accuracy ' +
  'and finds nobody, so PR-AUC, recall and precision of class 1 come first.';

export type ProgressEvent =
  | { kind: 'model-start'; family: ModelFamily; index: number; of: number }
  | { kind: 'fold'; family: ModelFamily; fold: number; of: number }
  | { kind: 'model-done'; result: ModelResult; index: number; of: number }
  | { kind: 'info'; message: string }
  | ({ kind: 'trial'; family: ModelFamily } & TrialProgress);

export interface TrainOptions {
  families: ModelFamily[];
  cv: number;
  seed: number;
  experiment: string;
  tune?: TuneOptions;
  /** The store's URI: where a shared tuning study (`tune.study`) lives unless `tune.studyUri` says. */
  trackingUri?: string;
  /** Recorded as mlflow.source.name, e.g. "cairn train" or "cairn quickstart". */
  sourceName: string;
  onProgress?: (event: ProgressEvent) => void;
}

/** The checkout's commit when the working directory is inside a git repository, else null. */
export function gitCommit(cwd = process.cwd()): string | null {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 3000 });
    const sha = out.toString().trim();
    return /^[0-9a-f]{40}$/.test(sha) ? sha : null;
  } catch {
    return null;
  }
}

export async function experimentIdFor(client: CairnClient, name: string): Promise<string> {
  const found = await client.getExperimentByName(name);
  if (found) return found.experimentId;
  try {
    return await client.createExperiment(name, { tags: { 'mlflow.note.content': 'Runs of cairn train.' } });
  } catch (err) {
    if (!(err instanceof AlreadyExists)) throw err;
    return (await client.getExperimentByName(name))!.experimentId;
  }
}

export function datasetSummary(data: LoadedDataset): DatasetSummary {
  return {
    name: data.spec.name,
    file: data.file,
    digest: data.digest,
    rows: data.y.length,
    fileRows: data.fileRows,
    positives: data.positives,
    target: data.spec.target,
    positiveRule: describePositive(data.spec),
    numeric: data.spec.numeric,
    categorical: data.spec.categorical,
    inferred: data.inferred,
    notes: data.notes,
  };
}

export function isImbalanced(data: LoadedDataset): boolean {
  const share = Math.min(data.positives, data.y.length - data.positives) / data.y.length;
  return data.spec.imbalanced || share < IMBALANCE_SHARE;
}

export const selectionMetricFor = (imbalanced: boolean): MetricName => (imbalanced ? 'pr_auc' : 'roc_auc');

/** MLflow's dataset input: name, digest, local source, column schema and a row-count profile. */
function datasetInput(data: LoadedDataset): DatasetInput {
  const colspec = [
    ...data.spec.numeric.map((name) => ({ type: 'double', name })),
    ...data.spec.categorical.map((name) => ({ type: 'string', name })),
    { type: 'long', name: data.spec.target },
  ];
  return {
    tags: [{ key: 'mlflow.data.context', value: 'training' }],
    dataset: {
      name: data.spec.name,
      digest: data.digest.slice(0, 16),
      sourceType: 'local',
      source: JSON.stringify({ uri: `file://${data.file}` }),
      schema: JSON.stringify({ mlflow_colspec: colspec }),
      profile: JSON.stringify({ num_rows: data.y.length, num_elements: data.y.length * colspec.length }),
    },
  };
}

/** Refuses a --cv the smaller class cannot fill (checked again by trainModels; callers check it before opening a store). */
export function checkFoldSizes(data: LoadedDataset, cv: number): void {
  const smaller = Math.min(data.positives, data.y.length - data.positives);
  const inTraining = Math.floor(smaller * (1 - HOLDOUT_FRACTION));
  if (inTraining < cv)
    throw new DataError(
      `${data.file}: the smaller class has ${smaller} row(s), about ${inTraining} in the training split: too few for ` +
        `${cv}-fold cross-validation (each fold needs one); use a smaller --cv or more data`,
    );
}

/** Everything one training shares between its baseline runs, its tuning trials and a tuned model's run. */
interface Training {
  client: CairnClient;
  data: LoadedDataset;
  experimentId: string;
  imbalanced: boolean;
  split: Split;
  options: TrainOptions;
  ctx: RunContext;
}

/** The family's unfitted pipeline, with `overrides` (pipeline param names, e.g. `model__C`) applied. */
function familyPipeline(t: Training, family: ModelFamily, overrides: Record<string, unknown> = {}): FamilyBuild {
  const build = buildFamily(family, t.data.spec, { seed: t.options.seed, imbalanced: t.imbalanced });
  if (Object.keys(overrides).length > 0) build.pipeline.setParams(overrides);
  return build;
}

const evaluateOptions = (t: Training, onFold?: (fold: number, of: number) => void) => ({
  cv: t.options.cv,
  seed: t.options.seed,
  imbalanced: t.imbalanced,
  onFold,
});

/** Evaluates one family (CV, holdout, fit on the training split) and logs its run with the model package. */
async function trainFamily(
  t: Training,
  family: ModelFamily,
  run: { runName: string; overrides?: Record<string, unknown>; tags?: Record<string, string> },
): Promise<ModelResult> {
  const progress = t.options.onProgress ?? (() => undefined);
  const { pipeline, imbalance } = familyPipeline(t, family, run.overrides);
  const evaluation = evaluatePipeline(
    pipeline,
    { X: t.data.X, y: t.data.y },
    t.split,
    evaluateOptions(t, (fold, of) => progress({ kind: 'fold', family, fold, of })),
  );
  const { data, options } = t;
  const params = {
    ...flattenParams(pipeline),
    model_family: family,
    dataset: data.spec.name,
    target: data.spec.target,
    positive_rule: describePositive(data.spec),
    numeric_features: data.spec.numeric.join(','),
    categorical_features: data.spec.categorical.join(','),
    cv_folds: String(options.cv),
    seed: String(options.seed),
    holdout_fraction: String(HOLDOUT_FRACTION),
    imbalance: imbalance,
    decision_threshold_rule:
      evaluation.threshold.rule === 'recall' ? `recall>=${evaluation.threshold.targetRecall}` : 'default',
  };
  const result: ModelResult = {
    ...evaluation,
    family,
    runId: '',
    runName: run.runName,
    imbalance,
    params,
    featureImportance: featureImportance(evaluation.fitted, evaluation.holdoutData, options.seed),
  };
  if (run.tags) result.tuned = true;
  result.runId = await logModelRun(t.client, t.experimentId, data, result, { ...t.ctx, extraTags: run.tags });
  return result;
}

/** A tuning trial's objective: the same CV as the baseline runs, for the family with the trial's params. */
function crossValidateFamily(t: Training, family: ModelFamily, overrides: Record<string, unknown>): MetricSet {
  const { pipeline } = familyPipeline(t, family, overrides);
  const { cv } = crossValidatePipeline(pipeline, { X: t.data.X, y: t.data.y }, t.split, evaluateOptions(t));
  return Object.fromEntries(METRICS.map((m) => [m, cv[m].mean])) as MetricSet;
}

async function startTraining(client: CairnClient, data: LoadedDataset, options: TrainOptions): Promise<Training> {
  const imbalanced = isImbalanced(data);
  const experimentId = await experimentIdFor(client, options.experiment);
  const split = trainTestSplit(data.y, { testSize: HOLDOUT_FRACTION, stratify: data.y, seed: options.seed });
  const train = { X: takeFrameRows(data.X, split.train), y: takeLabels(data.y, split.train) };
  return {
    client,
    data,
    experimentId,
    imbalanced,
    split,
    options,
    ctx: { commit: gitCommit(), sourceName: options.sourceName, imbalanced, train },
  };
}

/**
 * Tunes the best family of runs trained earlier (a quickstart re-run that reuses its baseline runs):
 * the same split, CV and logging as trainModels with `options.tune`.
 */
export async function tuneTrained(
  client: CairnClient,
  data: LoadedDataset,
  trained: TrainResult,
  options: TrainOptions & { tune: TuneOptions },
): Promise<void> {
  checkTuneOptions(options.tune, options.trackingUri);
  await tuneBest(await startTraining(client, data, options), trained, options.tune);
}

/** Trains, evaluates and logs every requested family; tunes the best one when asked; returns the runs and the best. */
export async function trainModels(
  client: CairnClient,
  data: LoadedDataset,
  options: TrainOptions,
): Promise<TrainResult> {
  checkTuneOptions(options.tune, options.trackingUri);
  checkFoldSizes(data, options.cv);
  const imbalanced = isImbalanced(data);
  const selectionMetric = selectionMetricFor(imbalanced);
  const t = await startTraining(client, data, options);
  const { experimentId, split } = t;
  const train = t.ctx.train;
  const progress = options.onProgress ?? (() => undefined);
  const models: ModelResult[] = [];
  for (const [index, family] of options.families.entries()) {
    progress({ kind: 'model-start', family, index, of: options.families.length });
    const result = await trainFamily(t, family, { runName: `${data.spec.name}-${family}` });
    models.push(result);
    progress({ kind: 'model-done', result, index, of: options.families.length });
  }
  const trained: TrainResult = {
    dataset: datasetSummary(data),
    experimentId,
    experimentName: options.experiment,
    selectionMetric,
    imbalanced,
    cvFolds: options.cv,
    seed: options.seed,
    trainRows: train.y.length,
    holdoutRows: split.test.length,
    models,
    best: pickBest(models, selectionMetric),
    reused: false,
  };
  if (options.tune) await tuneBest(t, trained, options.tune);
  return trained;
}

/**
 * Tunes the baseline best's family (the single call site of the tuning module). When the best trial
 * beats the baseline best on the selection metric, its params are fitted on the training split and
 * logged as the tuned model's run, which becomes the best (the registration candidate).
 */
async function tuneBest(t: Training, trained: TrainResult, tune: TuneOptions): Promise<void> {
  const progress = t.options.onProgress ?? (() => undefined);
  const { family, runId: baselineRunId, imbalance } = trained.best;
  const metric = trained.selectionMetric;
  progress({
    kind: 'info',
    message: `tuning ${family} (${tune.method}, ${tune.maxEvals} trials, ${tune.workers} worker(s), by CV ${metric})`,
  });
  const outcome = await runTuning({
    client: t.client,
    trackingUri: t.options.trackingUri,
    options: tune,
    family,
    imbalance,
    experimentId: t.experimentId,
    seed: t.options.seed,
    metric,
    baselineValue: trained.best.cv[metric].mean,
    baselineRunId,
    crossValidate: (params) => crossValidateFamily(t, family, params),
    parentTags: {
      ...datasetTags(t.data),
      [TAGS.family]: family,
      [TAGS.pipeline]: 'tuning',
      'mlflow.source.name': t.options.sourceName,
    },
    parentRunName: `${t.data.spec.name}-${family}-tuning`,
    onTrial: (p) => progress({ kind: 'trial', family, ...p }),
  });
  trained.tuning = outcome;
  if (!outcome.won || !outcome.bestParams) return;
  progress({ kind: 'info', message: `best trial beats the baseline ${family}: fitting it on the training split` });
  const tuned = await trainFamily(t, family, {
    runName: `${t.data.spec.name}-${family}-tuned`,
    overrides: outcome.bestParams,
    tags: {
      [TAGS.pipeline]: 'tuned',
      [TUNED_FROM_TAG]: outcome.parentRunId,
      'cairn.tuning.trial_run_id': outcome.bestTrialRunId ?? '',
    },
  });
  outcome.tunedRunId = tuned.runId;
  trained.models.push(tuned);
  trained.best = tuned;
}

function datasetTags(data: LoadedDataset): Record<string, string> {
  return {
    [TAGS.datasetName]: data.spec.name,
    [TAGS.datasetDigest]: data.digest,
    [TAGS.datasetRows]: String(data.y.length),
  };
}

interface RunContext {
  commit: string | null;
  /** Tags added to (or replacing) the standard ones, e.g. a tuned model's. */
  extraTags?: Record<string, string>;
  sourceName: string;
  imbalanced: boolean;
  train: { X: LoadedDataset['X']; y: Float64Array };
}

/** One model's run: created only once the model is trained, FAILED if logging breaks half-way. */
async function logModelRun(
  client: CairnClient,
  experimentId: string,
  data: LoadedDataset,
  result: ModelResult,
  ctx: RunContext,
): Promise<string> {
  const tags: Record<string, string> = {
    ...datasetTags(data),
    [TAGS.family]: result.family,
    [TAGS.pipeline]: 'train',
    'mlflow.source.name': ctx.sourceName,
    'mlflow.source.type': 'LOCAL',
    'mlflow.note.content':
      `${FAMILY_NAMES[result.family]} on ${data.spec.title}: ${describePositive(data.spec)}.` +
      (ctx.imbalanced ? ` ${ACCURACY_WARNING}` : ''),
  };
  if (ctx.commit) tags['mlflow.source.git.commit'] = ctx.commit;
  Object.assign(tags, ctx.extraTags);
  let user: string | undefined;
  try {
    user = os.userInfo().username;
  } catch {
    user = undefined;
  }
  const run = await client.createRun(experimentId, { runName: result.runName, tags, userId: user });
  const runId = run.info.runId;
  try {
    const now = Date.now();
    const metric = (key: string, value: number): Metric => ({ key, value, timestamp: now, step: 0 });
    const metrics: Metric[] = [];
    for (const m of METRICS) {
      metrics.push(metric(m, result.cv[m].mean), metric(`${m}_std`, result.cv[m].std));
      metrics.push(metric(`holdout_${m}`, result.holdout[m]));
    }
    metrics.push(metric('decision_threshold', result.threshold.value), metric('train_seconds', result.fitSeconds));
    const params: Param[] = Object.entries(result.params).map(([key, value]) => ({ key, value }));
    await client.logBatch(runId, { metrics, params, tags: [] as Tag[] });
    await client.logInputs(runId, [datasetInput(data)]);
    await attachEvaluationArtifacts(client, runId, { ...result, runId }, describePositive(data.spec));
    await client.logModel(runId, result.fitted, {
      artifactPath: 'model',
      trainingFrame: ctx.train.X,
      trainingTarget: ctx.train.y,
      metadata: {
        cairn_pipeline: {
          dataset: data.spec.name,
          target: data.spec.target,
          positive_rule: describePositive(data.spec),
          decision_threshold: result.threshold.value,
          decision_threshold_rule: result.threshold.rule,
          model_family: result.family,
        },
      },
    });
    await client.setTerminated(runId, 'FINISHED');
  } catch (err) {
    await client.setTerminated(runId, 'FAILED').catch(() => undefined);
    throw err;
  }
  return runId;
}
