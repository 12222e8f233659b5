// Run lifecycle and run data writes for the SQL tracking store. Every write checks, inside its
// transaction, that the run exists and is active (MLflow's _check_run_is_active).
import { randomUUID } from 'node:crypto';
import { InvalidParameter, NotFound } from '../../core/errors.js';
import type { DatasetInput, Run, RunInfo, RunStatus, Tag } from '../entities.js';
import { LOGGED_MODELS_TAG, appendLoggedModel, parseLoggedModelJson } from '../logged-model-history.js';
import type { CreateRunInput, LogBatchInput, UpdateRunInput } from '../store.js';
import {
  validateBatchLimits,
  validateDatasetInput,
  validateMetric,
  validateParam,
  validateRunId,
  validateRunName,
  validateTag,
  validateTagKey,
  MAX_DATASETS_PER_BATCH,
} from '../validation.js';
import { experimentIdNumber } from './experiment-operations.js';
import { generateRunName } from './run-name-generator.js';
import { loadRuns, runColumns, toRunInfo, type RunRow } from './run-loader.js';
import { RUN_NAME_TAG, dedupeParams, writeMetrics, writeParams, writeTags } from './run-data-writer.js';
import type { SqlExecutor } from '../../db/sql-database.js';
import type { Dialect } from '../../db/dialect.js';
import { isInt64 } from '../../core/int64.js';
import { joinArtifactPath } from '../../artifacts/artifact-path.js';
import type { StoreContext } from './store-context.js';

const RUN_STATUSES: RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];
const USER_TAG = 'mlflow.user';

/**
 * The run's row; `forUpdate` (the dialect's) also locks it until the transaction ends. With the
 * dialect its times read exactly (needed only where they are returned).
 */
export async function requireRun(tx: SqlExecutor, runId: string, forUpdate = '', dialect?: Dialect): Promise<RunRow> {
  validateRunId(runId);
  const row = await tx.get<RunRow>(`SELECT ${runColumns(dialect)} FROM runs r WHERE r.run_uuid = ?${forUpdate}`, [
    runId,
  ]);
  if (!row) throw new NotFound(`Run with id=${runId} not found`);
  return row;
}

async function requireActiveRun(tx: SqlExecutor, runId: string, forUpdate = '', dialect?: Dialect): Promise<RunRow> {
  const row = await requireRun(tx, runId, forUpdate, dialect);
  if (row.lifecycle_stage !== 'active') {
    throw new InvalidParameter(
      `The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
    );
  }
  return row;
}

export async function getRun(ctx: StoreContext, runId: string): Promise<Run> {
  validateRunId(runId);
  const [run] = await loadRuns(ctx.db, [runId], ctx.db.dialect);
  if (!run) throw new NotFound(`Run with id=${runId} not found`);
  return run;
}

function resolveRunName(input: CreateRunInput, tags: Tag[]): string {
  const tagName = tags.find((t) => t.key === RUN_NAME_TAG)?.value;
  if (input.runName && tagName !== undefined && tagName !== input.runName) {
    throw new InvalidParameter(
      `Both 'run_name' argument and '${RUN_NAME_TAG}' tag are specified, but with different values ` +
        `(run_name='${input.runName}', ${RUN_NAME_TAG}='${tagName}').`,
    );
  }
  return input.runName || tagName || generateRunName();
}

export async function createRun(ctx: StoreContext, input: CreateRunInput): Promise<Run> {
  const tags = input.tags ?? [];
  tags.forEach(validateTag);
  const runName = resolveRunName(input, tags);
  validateRunName(runName);
  if (input.startTime !== undefined && !isInt64(input.startTime)) {
    throw new InvalidParameter(
      `Invalid value ${String(input.startTime)} for parameter 'start_time' supplied. It must be an integer (milliseconds).`,
    );
  }
  const expId = experimentIdNumber(input.experimentId);
  const runId = randomUUID().replace(/-/g, '');
  const userId = input.userId ?? tags.find((t) => t.key === USER_TAG)?.value ?? '';
  await ctx.db.transaction(async (tx) => {
    const exp = await tx.get<{ artifact_location: string | null; lifecycle_stage: string }>(
      'SELECT artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = ?',
      [expId],
    );
    if (!exp) throw new NotFound(`No Experiment with id=${input.experimentId} exists`);
    if (exp.lifecycle_stage !== 'active') {
      throw new InvalidParameter(
        `The experiment ${input.experimentId} must be in the 'active' state. Current state is ${exp.lifecycle_stage}.`,
      );
    }
    const location = exp.artifact_location || joinArtifactPath(ctx.defaultArtifactRoot, String(expId));
    await tx.run(
      `INSERT INTO runs (run_uuid, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri, experiment_id)
       VALUES (?, ?, ?, 'RUNNING', ?, NULL, 'active', ?, ?)`,
      [runId, runName, userId, input.startTime ?? Date.now(), joinArtifactPath(location, runId, 'artifacts'), expId],
    );
    await writeTags(tx, runId, [...tags.filter((t) => t.key !== RUN_NAME_TAG), { key: RUN_NAME_TAG, value: runName }]);
  });
  return getRun(ctx, runId);
}

export async function updateRun(ctx: StoreContext, runId: string, update: UpdateRunInput): Promise<RunInfo> {
  if (update.status !== undefined && !RUN_STATUSES.includes(update.status)) {
    throw new InvalidParameter(
      `Invalid value ${JSON.stringify(update.status)} for parameter 'status' supplied. It must be one of ${RUN_STATUSES.join(', ')}.`,
    );
  }
  if (update.endTime !== undefined && update.endTime !== null && !isInt64(update.endTime)) {
    throw new InvalidParameter(
      `Invalid value ${String(update.endTime)} for parameter 'end_time' supplied. It must be an integer (milliseconds).`,
    );
  }
  if (update.runName) validateRunName(update.runName);
  const status = update.status ?? null;
  const endTime = update.endTime ?? null;
  return ctx.db.transaction(async (tx) => {
    const row = await requireActiveRun(tx, runId, '', ctx.db.dialect);
    if (status !== null || endTime !== null) {
      await tx.run(
        'UPDATE runs SET status = COALESCE(?, status), end_time = COALESCE(?, end_time) WHERE run_uuid = ?',
        [status, endTime, runId],
      );
    }
    if (update.runName) await writeTags(tx, runId, [{ key: RUN_NAME_TAG, value: update.runName }]);
    // the row as it now is, without reading it back
    return toRunInfo({
      ...row,
      status: status ?? row.status,
      end_time: endTime ?? row.end_time,
      name: update.runName || row.name,
    });
  });
}

export async function setRunLifecycle(ctx: StoreContext, runId: string, stage: 'active' | 'deleted'): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await requireRun(tx, runId);
    await tx.run('UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE run_uuid = ?', [
      stage,
      stage === 'deleted' ? Date.now() : null,
      runId,
    ]);
  });
}

export async function logBatch(ctx: StoreContext, runId: string, batch: LogBatchInput): Promise<void> {
  const metrics = batch.metrics ?? [];
  const params = batch.params ?? [];
  const tags = batch.tags ?? [];
  validateBatchLimits(metrics.length, params.length, tags.length);
  metrics.forEach((m, i) => validateMetric(m, i));
  params.forEach(validateParam);
  tags.forEach(validateTag);
  dedupeParams(params);
  const runName = tags.filter((t) => t.key === RUN_NAME_TAG).pop();
  if (runName) validateRunName(runName.value);
  // One transaction: a param conflict or any failure leaves nothing of the batch behind.
  await ctx.db.transaction(async (tx) => {
    await requireActiveRun(tx, runId);
    await writeParams(tx, runId, params);
    await writeMetrics(tx, ctx.db.dialect, runId, metrics);
    await writeTags(tx, runId, tags);
  });
}

export async function deleteTag(ctx: StoreContext, runId: string, key: string): Promise<void> {
  validateTagKey(key);
  await ctx.db.transaction(async (tx) => {
    await requireActiveRun(tx, runId);
    const res = await tx.run('DELETE FROM tags WHERE run_uuid = ? AND key = ?', [runId, key]);
    if (res.changes === 0) throw new NotFound(`No tag with name: ${key} in run with id ${runId}`);
  });
}

/**
 * MLflow's record_logged_model: appends the model's entry to the run's `mlflow.log-model.history`
 * tag in one transaction. The read and the write of the list happen under the run's row lock
 * (PostgreSQL's SELECT … FOR UPDATE; SQLite's write transaction is exclusive from its start), so
 * of two concurrent calls the second reads the list the first wrote, and both entries are kept.
 */
export async function recordLoggedModel(ctx: StoreContext, runId: string, modelJson: string): Promise<void> {
  const entry = parseLoggedModelJson(modelJson);
  await ctx.db.transaction(async (tx) => {
    await requireActiveRun(tx, runId, ctx.db.dialect.forUpdate);
    const previous = await tx.get<{ value: string }>('SELECT value FROM tags WHERE run_uuid = ? AND key = ?', [
      runId,
      LOGGED_MODELS_TAG,
    ]);
    const tag = { key: LOGGED_MODELS_TAG, value: appendLoggedModel(previous?.value, entry) };
    validateTag(tag);
    await writeTags(tx, runId, [tag]);
  });
}

export async function logInputs(ctx: StoreContext, runId: string, inputs: DatasetInput[]): Promise<void> {
  if (inputs.length > MAX_DATASETS_PER_BATCH) {
    throw new InvalidParameter(
      `A logInputs request can contain at most ${MAX_DATASETS_PER_BATCH} datasets. Got ${inputs.length} datasets.`,
    );
  }
  inputs.forEach(validateDatasetInput);
  await ctx.db.transaction(async (tx) => {
    const run = await requireActiveRun(tx, runId);
    await writeInputs(tx, runId, run.experiment_id, inputs);
  });
}

/** Links datasets to a run; datasets are shared per experiment by (name, digest), a run links to one at most once. */
export async function writeInputs(
  tx: SqlExecutor,
  runId: string,
  experimentId: number,
  inputs: DatasetInput[],
): Promise<void> {
  for (const input of inputs) {
    const d = input.dataset;
    await tx.run(
      `INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, dataset_source_type, dataset_source, dataset_schema, dataset_profile)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [
        randomUUID().replace(/-/g, ''),
        experimentId,
        d.name,
        d.digest,
        d.sourceType,
        d.source,
        d.schema ?? null,
        d.profile ?? null,
      ],
    );
    const ds = await tx.get<{ dataset_uuid: string }>(
      'SELECT dataset_uuid FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?',
      [experimentId, d.name, d.digest],
    );
    const inputUuid = randomUUID().replace(/-/g, '');
    const linked = await tx.run(
      `INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id)
       VALUES (?, 'DATASET', ?, 'RUN', ?) ON CONFLICT DO NOTHING`,
      [inputUuid, ds!.dataset_uuid, runId],
    );
    if (linked.changes === 0) continue;
    for (const tag of input.tags ?? []) {
      await tx.run('INSERT INTO input_tags (input_uuid, name, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [
        inputUuid,
        tag.key,
        tag.value,
      ]);
    }
  }
}
