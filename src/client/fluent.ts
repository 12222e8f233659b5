// The fluent API (as mlflow's module-level functions): a process-wide tracking URI, active
// experiment and stack of active runs over one CairnClient and one BatchLogger.
//
// Metric/param/tag calls return at once and are sent in batches in the background (see
// batch-logger.ts): endRun(), withRun() and flush() wait for them; `beforeExit` flushes what is
// left; a hard kill loses only the tail not yet sent. Unlike MLflow, logging with no active run
// throws instead of starting one (a run is created asynchronously, logging is synchronous).
import os from 'node:os';
import { AlreadyExists, CairnError, InvalidState } from '../core/errors.js';
import type { Experiment, Metric, Run, RunStatus } from '../tracking/entities.js';
import { ActiveRun, type LogInputsOptions, type LogMetricOptions, type PngFigure } from './active-run.js';
import { BatchLogger, type BatchLoggerOptions } from './batch-logger.js';
import {
  CairnClient,
  toTags,
  type CairnClientOptions,
  type SearchRunsOptions,
  type TagsInput,
} from './cairn-client.js';
import type { Pipeline } from '../learn/pipeline.js';
import type { LoadedModelFrom, LoadModelOptions, LogModelOptions, ModelInfo } from './model-logging.js';

export const DEFAULT_TRACKING_URI = 'sqlite:///cairn-data/cairn.db';
export const PARENT_RUN_ID_TAG = 'mlflow.parentRunId';

interface State {
  uri?: string;
  clientOptions: CairnClientOptions;
  loggerOptions: BatchLoggerOptions;
  client?: Promise<CairnClient>;
  logger?: BatchLogger;
  experimentId?: string;
  runs: ActiveRun[];
  retired: Promise<void>;
}

const state: State = { clientOptions: {}, loggerOptions: {}, runs: [], retired: Promise.resolve() };

/** CAIRN_TRACKING_URI, else MLFLOW_TRACKING_URI, else the embedded SQLite store in ./cairn-data. */
export function getTrackingUri(): string {
  return state.uri ?? (process.env.CAIRN_TRACKING_URI || process.env.MLFLOW_TRACKING_URI || DEFAULT_TRACKING_URI);
}

/**
 * Points later calls at another store or server. The previous client is flushed and closed in the
 * background; the next call waits for that. `undefined` goes back to the environment / default.
 * Options: the artifact root of a direct store, HTTP retries, batch logger settings.
 */
export function setTrackingUri(
  uri: string | undefined,
  options: CairnClientOptions & { logger?: BatchLoggerOptions } = {},
): void {
  const { logger: loggerOptions, ...clientOptions } = options;
  retireClient();
  state.uri = uri;
  state.clientOptions = clientOptions;
  state.loggerOptions = loggerOptions ?? {};
  state.experimentId = undefined;
}

function retireClient(): void {
  const { client, logger } = state;
  state.client = undefined;
  state.logger = undefined;
  state.runs = [];
  if (!client) return;
  const previous = state.retired;
  state.retired = (async () => {
    await previous;
    try {
      await logger?.close();
    } finally {
      await (await client).close();
    }
  })().catch((err: Error) => {
    process.stderr.write(`cairn: closing the previous tracking client failed: ${err.message}\n`);
  });
}

/** The client behind the fluent API (opened on first use). */
export async function getClient(): Promise<CairnClient> {
  await state.retired;
  if (!state.client) {
    const opening = CairnClient.open(getTrackingUri(), state.clientOptions);
    state.client = opening;
    opening.catch(() => {
      if (state.client === opening) state.client = undefined;
    });
  }
  return state.client;
}

async function getLogger(): Promise<BatchLogger> {
  const client = await getClient();
  state.logger ??= new BatchLogger(client.transport, state.loggerOptions);
  return state.logger;
}

/** Waits for every queued metric, param and tag; rejects with a batch failure not yet reported. */
export async function flush(): Promise<void> {
  await state.logger?.flush();
}

/** Ends active runs (FINISHED), flushes, and closes the client; the next call opens a new one. */
export async function shutdown(): Promise<void> {
  while (state.runs.length > 0) await endRun();
  retireClient();
  await state.retired;
}

/** Makes `name` the active experiment, creating it when missing (as mlflow.set_experiment). */
export async function setExperiment(name: string): Promise<Experiment> {
  const client = await getClient();
  let experiment = await client.getExperimentByName(name);
  if (!experiment) {
    try {
      await client.createExperiment(name);
    } catch (err) {
      if (!(err instanceof AlreadyExists)) throw err; // created concurrently: use theirs
    }
    experiment = await client.getExperimentByName(name);
    if (!experiment) throw new CairnError('INTERNAL_ERROR', `Experiment '${name}' was created but cannot be read back`);
  }
  if (experiment.lifecycleStage === 'deleted') {
    throw new InvalidState(`Cannot set a deleted experiment '${name}' as the active experiment. Restore it first.`);
  }
  state.experimentId = experiment.experimentId;
  return experiment;
}

async function resolveExperimentId(client: CairnClient): Promise<string> {
  if (state.experimentId) return state.experimentId;
  const name = process.env.MLFLOW_EXPERIMENT_NAME;
  if (name) return (await setExperiment(name)).experimentId;
  return process.env.MLFLOW_EXPERIMENT_ID || (await client.getExperiment('0')).experimentId;
}

export interface StartRunOptions {
  runName?: string;
  tags?: TagsInput;
  /** Starts a child of the active run (tag mlflow.parentRunId) instead of refusing. */
  nested?: boolean;
  /** Resumes this run (MLFLOW_RUN_ID when absent and no run is active). */
  runId?: string;
  experimentId?: string;
  /** Stored as the run's mlflow.note.content. */
  description?: string;
}

function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? ''; // no passwd entry (some containers)
  }
}

function defaultTags(): Record<string, string> {
  return { 'mlflow.user': currentUser(), 'mlflow.source.name': process.argv[1] ?? '', 'mlflow.source.type': 'LOCAL' };
}

export async function startRun(options: StartRunOptions = {}): Promise<ActiveRun> {
  const client = await getClient();
  const logger = await getLogger();
  const parent = state.runs[state.runs.length - 1];
  if (parent && !options.nested) {
    throw new InvalidState(
      `Run with UUID ${parent.runId} is already active. To start a new run, first end the current run with endRun(). To start a nested run, call startRun({ nested: true }).`,
    );
  }
  const resumeId = options.runId ?? (parent ? undefined : process.env.MLFLOW_RUN_ID || undefined);
  const extraTags = toTags(options.tags);
  if (options.description !== undefined) extraTags.push({ key: 'mlflow.note.content', value: options.description });
  let run: Run;
  if (resumeId) {
    run = await client.getRun(resumeId);
    if (run.info.lifecycleStage === 'deleted') throw new InvalidState(`Cannot resume run ${resumeId}: it is deleted.`);
    await client.updateRun(resumeId, { status: 'RUNNING', runName: options.runName });
    if (extraTags.length > 0) await client.logBatch(resumeId, { tags: extraTags });
    run = await client.getRun(resumeId);
  } else {
    const experimentId = options.experimentId ?? parent?.experimentId ?? (await resolveExperimentId(client));
    const tags = [...toTags(defaultTags()), ...extraTags];
    if (parent) tags.push({ key: PARENT_RUN_ID_TAG, value: parent.runId });
    run = await client.createRun(experimentId, { runName: options.runName, tags, userId: currentUser() });
  }
  const active = new ActiveRun(run.info, {
    client,
    logger,
    onEnd: (ended) => {
      state.runs = state.runs.filter((r) => r !== ended);
    },
  });
  state.runs.push(active);
  return active;
}

/** The innermost active run, if any. */
export function activeRun(): ActiveRun | undefined {
  return state.runs[state.runs.length - 1];
}

function requireRun(): ActiveRun {
  const run = activeRun();
  if (!run) throw new InvalidState('No active run: call startRun() (or withRun()) before logging.');
  return run;
}

/** Ends the innermost active run (default FINISHED); a no-op with none active. */
export async function endRun(status: RunStatus = 'FINISHED'): Promise<void> {
  await activeRun()?.end(status);
}

/** Runs `body` inside a run: FINISHED when it resolves, FAILED when it throws (and rethrows). */
export async function withRun<T>(options: StartRunOptions, body: (run: ActiveRun) => Promise<T> | T): Promise<T> {
  const run = await startRun(options);
  let result: T;
  try {
    result = await body(run);
  } catch (err) {
    await run.end('FAILED').catch(() => undefined); // the body's error is the one to report
    throw err;
  }
  await run.end('FINISHED');
  return result;
}

export const logParam = (key: string, value: unknown): void => requireRun().logParam(key, value);
export const logParams = (params: Record<string, unknown>): void => requireRun().logParams(params);
export const logMetric = (key: string, value: number, options?: LogMetricOptions): void =>
  requireRun().logMetric(key, value, options);
export const logMetrics = (metrics: Record<string, number>, options?: LogMetricOptions): void =>
  requireRun().logMetrics(metrics, options);
export const setTag = (key: string, value: unknown): void => requireRun().setTag(key, value);
export const setTags = (tags: Record<string, unknown>): void => requireRun().setTags(tags);
export const deleteTag = (key: string): Promise<void> => requireRun().deleteTag(key);
export const logArtifact = (localPath: string, artifactPath?: string): Promise<void> =>
  requireRun().logArtifact(localPath, artifactPath);
export const logArtifacts = (localDir: string, artifactPath?: string): Promise<void> =>
  requireRun().logArtifacts(localDir, artifactPath);
export const logDict = (dict: unknown, artifactFile: string): Promise<void> => requireRun().logDict(dict, artifactFile);
export const logText = (text: string, artifactFile: string): Promise<void> => requireRun().logText(text, artifactFile);
export const logImage = (png: Uint8Array, artifactFile: string): Promise<void> =>
  requireRun().logImage(png, artifactFile);
export const logFigure = (figure: Uint8Array | PngFigure, artifactFile: string): Promise<void> =>
  requireRun().logFigure(figure, artifactFile);
export const logInputs = (...inputs: LogInputsOptions[]): Promise<void> => requireRun().logInputs(...inputs);

/** Logs a fitted pipeline as a model package in the active run (optionally registering a version). */
export async function logModel(pipeline: Pipeline, options: LogModelOptions): Promise<ModelInfo> {
  const run = requireRun();
  return run.client.logModel(run.runId, pipeline, options);
}

/** Loads a model from any model URI (runs:/, models:/name/1, /Production, /latest, @alias, a path), verified. */
export async function loadModel(uri: string, options?: LoadModelOptions): Promise<LoadedModelFrom> {
  return (await getClient()).loadModel(uri, options);
}

/** A metric's full history for the active run (or `runId`), after flushing queued points. */
export async function getMetricHistory(key: string, runId?: string): Promise<Metric[]> {
  await state.logger?.flush(runId ?? activeRun()?.runId);
  const id = runId ?? requireRun().runId;
  return (await getClient()).getMetricHistory(id, key);
}

/** Runs of the active experiment (or `experimentIds`) matching `filter`, all pages. */
export async function searchRuns(
  filter?: string,
  orderBy?: string[],
  options: SearchRunsOptions & { experimentIds?: string[] } = {},
): Promise<Run[]> {
  const client = await getClient();
  const { experimentIds, ...rest } = options;
  const ids = experimentIds ?? [activeRun()?.experimentId ?? (await resolveExperimentId(client))];
  return client.searchAllRuns(ids, { ...rest, filter, orderBy });
}
