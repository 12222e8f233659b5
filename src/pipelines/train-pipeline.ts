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
import { evaluatePipeline, METRICS, type MetricName } from './evaluate.js';
import { attachEvaluationArtifacts } from './evaluation-artifacts.js';
import { featureImportance } from './feature-importance.js';
import { DataError, type LoadedDataset } from './load-dataset.js';
import { buildFamily, FAMILY_NAMES, type ModelFamily } from './model-families.js';
import { flattenParams } from './pipeline-params.js';
import { assertTuningAvailable, runTuning, type TuneOptions } from './tuning-hook.js';
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
  | { kind: 'info'; message: string };

export interface TrainOptions {
  families: ModelFamily[];
  cv: number;
  seed: number;
  experiment: string;
  tune?: TuneOptions;
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

/** Trains, evaluates and logs every requested family; returns the runs and the best one. */
export async function trainModels(
  client: CairnClient,
  data: LoadedDataset,
  options: TrainOptions,
): Promise<TrainResult> {
  assertTuningAvailable(options.tune);
  checkFoldSizes(data, options.cv);
  const imbalanced = isImbalanced(data);
  const selectionMetric = selectionMetricFor(imbalanced);
  const experimentId = await experimentIdFor(client, options.experiment);
  const split = trainTestSplit(data.y, { testSize: HOLDOUT_FRACTION, stratify: data.y, seed: options.seed });
  const train = { X: takeFrameRows(data.X, split.train), y: takeLabels(data.y, split.train) };
  const commit = gitCommit();
  const progress = options.onProgress ?? (() => undefined);
  const models: ModelResult[] = [];
  for (const [index, family] of options.families.entries()) {
    progress({ kind: 'model-start', family, index, of: options.families.length });
    const { pipeline, imbalance } = buildFamily(family, data.spec, { seed: options.seed, imbalanced });
    const evaluation = evaluatePipeline(pipeline, { X: data.X, y: data.y }, split, {
      cv: options.cv,
      seed: options.seed,
      imbalanced,
      onFold: (fold, of) => progress({ kind: 'fold', family, fold, of }),
    });
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
      runName: `${data.spec.name}-${family}`,
      imbalance,
      params,
      featureImportance: featureImportance(evaluation.fitted, evaluation.holdoutData, options.seed),
    };
    result.runId = await logModelRun(client, experimentId, data, result, {
      commit,
      sourceName: options.sourceName,
      imbalanced,
      train,
    });
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
  if (options.tune) {
    // the single call site of the tuning module (src/pipelines/tuning): tune the best family
    await runTuning({
      options: options.tune,
      data,
      family: trained.best.family,
      baseline: trained,
      experimentId,
      cv: options.cv,
      seed: options.seed,
    });
  }
  return trained;
}

interface RunContext {
  commit: string | null;
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
    [TAGS.datasetName]: data.spec.name,
    [TAGS.datasetDigest]: data.digest,
    [TAGS.datasetRows]: String(data.y.length),
    [TAGS.family]: result.family,
    [TAGS.pipeline]: 'train',
    'mlflow.source.name': ctx.sourceName,
    'mlflow.source.type': 'LOCAL',
    'mlflow.note.content':
      `${FAMILY_NAMES[result.family]} on ${data.spec.title}: ${describePositive(data.spec)}.` +
      (ctx.imbalanced ? ` ${ACCURACY_WARNING}` : ''),
  };
  if (ctx.commit) tags['mlflow.source.git.commit'] = ctx.commit;
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
    await attachEvaluationArtifacts(client, runId, { ...result, runId });
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
