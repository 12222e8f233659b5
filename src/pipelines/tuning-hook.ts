// Where hyperparameter tuning plugs into `cairn train`: the options are parsed and checked here, and
// runTuning is the single call site of the tuning module (src/pipelines/tuning): one parent run, one
// nested run per trial, the best trial tagged. The objective is the training pipeline's own CV
// (given by the caller as `crossValidate`), so trials and baseline runs are scored the same way.
import type { CairnClient } from '../client/cairn-client.js';
import { InvalidParameter } from '../core/errors.js';
import { searchProgressChart } from './charts/index.js';
import type { MetricName, MetricSet } from './evaluate.js';
import type { ImbalanceHandling, ModelFamily } from './model-families.js';
import {
  openStudyStorage,
  prefixSpace,
  SEARCH_SPACES,
  type SearchSpace,
  searchProgress,
  studyDatabaseUri,
  type TrialRecord,
  tune,
} from './tuning/index.js';

export const TUNE_METHODS = ['tpe', 'random', 'grid'] as const;
export type TuneMethod = (typeof TUNE_METHODS)[number];

export interface TuneOptions {
  method: TuneMethod;
  maxEvals: number;
  workers: number;
  /** Shared study name (several processes on one database). */
  study?: string;
  /** The database of a shared study when the tracking URI is a server (`--study-uri`). */
  studyUri?: string;
}

/** The tag set on a tuned model's run pointing at its search's parent run. */
export const TUNED_FROM_TAG = 'cairn.tuning.parent_run_id';
/** The parent run's chart of the search (objective per trial, best so far), as `.svg` and `.png`. */
export const SEARCH_PROGRESS_PLOT = 'plots/search_progress';

/**
 * Logs the search-progress chart of all the study's finished trials on the parent run. Only
 * COMPLETE trials are drawn (failed ones have no value, pruned ones only a partial one). In a shared
 * study each process logs the chart of the trials it sees when it ends; the last one to end logs the
 * whole search.
 */
export async function logSearchProgress(
  client: CairnClient,
  parentRunId: string,
  trials: readonly TrialRecord[],
  metric: string,
): Promise<void> {
  const points = searchProgress(trials, 'maximize').map((p) => ({
    number: p.number,
    value: p.state === 'COMPLETE' && Number.isFinite(p.value) ? p.value : null,
  }));
  const chart = searchProgressChart({ trials: points, objective: `CV ${metric}`, direction: 'maximize' });
  await client.logBytes(parentRunId, chart.svg, `${SEARCH_PROGRESS_PLOT}.svg`);
  await client.logBytes(parentRunId, chart.png, `${SEARCH_PROGRESS_PLOT}.png`);
}

/** The tag on a search's parent run naming the baseline run whose family it tunes. */
export const BASELINE_TAG = 'cairn.tuning.baseline_run_id';

const STUDY_NAME = /^[\w.:-]{1,256}$/;

/**
 * Refuses tuning options that cannot work, before anything is trained or written: a study name the
 * study tables refuse, a shared study with no database to share it through (an http tracking URI
 * and no --study-uri). Throws InvalidParameter (the CLI exits 2).
 */
export function checkTuneOptions(options: TuneOptions | undefined, trackingUri: string | undefined): void {
  if (!options) return;
  if (options.studyUri !== undefined && options.study === undefined)
    throw new InvalidParameter('--study-uri needs --study NAME (a study shared by several processes).');
  if (options.study === undefined) return;
  if (!STUDY_NAME.test(options.study))
    throw new InvalidParameter(`--study must be 1-256 letters, digits, '_', '-', '.' or ':', got '${options.study}'.`);
  if (trackingUri !== undefined) studyDatabaseUri(trackingUri, options.studyUri);
}

/**
 * The family's search space as the pipeline names it: the estimator is step `model`, or
 * `model__estimator` when it is wrapped by SMOTE. On an imbalanced target the class weight is the
 * imbalance handling, not a hyperparameter: it stays 'balanced' as in the baseline run.
 */
export function pipelineSpace(family: ModelFamily, imbalance: ImbalanceHandling): SearchSpace {
  const space: SearchSpace = { ...SEARCH_SPACES[family] };
  if (imbalance === 'class_weight=balanced') delete (space as Record<string, unknown>).classWeight;
  return prefixSpace(space, imbalance === 'smote' ? 'model__estimator__' : 'model__');
}

export interface TrialProgress {
  trial: number;
  finished: number;
  of: number;
  state: string;
  value: number;
  best: number | undefined;
}

export interface TuningRequest {
  client: CairnClient;
  /** Where a shared study's tables live (with options.studyUri). */
  trackingUri?: string;
  options: TuneOptions;
  /** The family to tune (the best of the baseline runs) and how it copes with imbalance. */
  family: ModelFamily;
  imbalance: ImbalanceHandling;
  experimentId: string;
  seed: number;
  /** The metric the baseline best was chosen by; the search maximises its CV mean. */
  metric: MetricName;
  /** The baseline best's CV mean of `metric`: what the best trial has to beat. */
  baselineValue: number;
  baselineRunId: string;
  /** The training pipeline's CV for these pipeline params (CV means of the six metrics). */
  crossValidate: (params: Record<string, unknown>) => MetricSet;
  /** Tags of the parent run (the data set, the family). */
  parentTags: Record<string, string>;
  parentRunName: string;
  onTrial?: (progress: TrialProgress) => void;
}

export interface TuningOutcome {
  method: TuneMethod;
  maxEvals: number;
  workers: number;
  study: string | null;
  family: ModelFamily;
  metric: MetricName;
  /** Trials of the study by state (all processes of a shared study). */
  finished: number;
  failed: number;
  pruned: number;
  parentRunId: string;
  bestTrialRunId: string | null;
  bestValue: number | null;
  bestParams: Record<string, unknown> | null;
  baselineValue: number;
  baselineRunId: string;
  /** True when the best trial beats the baseline best on the metric (then it is refitted and registered). */
  won: boolean;
  /** The tuned model's run when it won (filled in by the caller once logged). */
  tunedRunId: string | null;
  /** True when the search was found finished in the store (quickstart re-run) instead of run now. */
  reused: boolean;
}

export function countTrials(trials: Array<Pick<TrialRecord, 'state'>>): {
  finished: number;
  failed: number;
  pruned: number;
} {
  return {
    finished: trials.filter((t) => t.state === 'COMPLETE').length,
    failed: trials.filter((t) => t.state === 'FAILED' || t.state === 'STALE').length,
    pruned: trials.filter((t) => t.state === 'PRUNED').length,
  };
}

/** Tunes `request.family` with the tuning module and says whether its best trial beats the baseline. */
export async function runTuning(request: TuningRequest): Promise<TuningOutcome> {
  const { options } = request;
  const storage =
    options.study === undefined ? undefined : await openStudyStorage(request.trackingUri ?? '', options.studyUri);
  try {
    const result = await tune({
      client: request.client,
      experimentId: request.experimentId,
      space: pipelineSpace(request.family, request.imbalance),
      sampler: options.method,
      maxEvals: options.maxEvals,
      workers: options.workers,
      seed: request.seed,
      direction: 'maximize',
      metric: request.metric,
      study: storage && options.study ? { name: options.study, storage } : undefined,
      parentRunName: options.study ?? request.parentRunName,
      parentTags: { ...request.parentTags, [BASELINE_TAG]: request.baselineRunId },
      objective: (params) => {
        const metrics = request.crossValidate(params);
        return { metrics: { ...metrics }, primary: metrics[request.metric] };
      },
      onProgress: ({ trial, finished, maxEvals, best }) =>
        request.onTrial?.({
          trial: trial.number,
          finished,
          of: maxEvals,
          state: trial.state,
          value: trial.value,
          best: best?.value,
        }),
    });
    await logSearchProgress(request.client, result.parentRunId, result.trials, request.metric);
    const best = result.best;
    const won = best !== undefined && best.value > request.baselineValue;
    return {
      method: options.method,
      maxEvals: options.maxEvals,
      workers: options.workers,
      study: options.study ?? null,
      family: request.family,
      metric: request.metric,
      ...countTrials(result.trials),
      parentRunId: result.parentRunId,
      bestTrialRunId: best?.runId ?? null,
      bestValue: best ? best.value : null,
      bestParams: best ? { ...best.params } : null,
      baselineValue: request.baselineValue,
      baselineRunId: request.baselineRunId,
      won,
      tunedRunId: null,
      reused: false,
    };
  } finally {
    await storage?.close();
  }
}
