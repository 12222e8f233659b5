// A run as another tracking store recorded it (a migration from MLflow): its id, status, times
// and lifecycle are kept rather than assigned, and its whole metric history is written at once.
// Validated with the same rules as logged data; one transaction per run.
import { InvalidParameter, NotFound } from '../../core/errors.js';
import type { ImportedRun, ImportRunResult } from '../store.js';
import {
  validateDatasetInput,
  validateMetric,
  validateParam,
  validateRunId,
  validateRunName,
  validateTag,
} from '../validation.js';
import { experimentIdNumber } from './experiment-operations.js';
import { RUN_NAME_TAG, dedupeParams, writeMetrics, writeParams, writeTags } from './run-data-writer.js';
import { writeInputs } from './run-operations.js';
import type { StoreContext } from './store-context.js';

const RUN_STATUSES = new Set(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);
const MAX_ARTIFACT_URI_LENGTH = 2000;

function validateImportedRun(run: ImportedRun): void {
  validateRunId(run.runId);
  if (!RUN_STATUSES.has(run.status)) throw new InvalidParameter(`Invalid run status '${String(run.status)}'.`);
  if (run.lifecycleStage !== 'active' && run.lifecycleStage !== 'deleted') {
    throw new InvalidParameter(`Invalid lifecycle stage '${String(run.lifecycleStage)}'.`);
  }
  for (const [field, value] of [
    ['start_time', run.startTime],
    ['end_time', run.endTime],
  ] as const) {
    if (value !== null && !Number.isSafeInteger(value))
      throw new InvalidParameter(
        `Invalid value ${String(value)} for '${field}': it must be an integer (milliseconds).`,
      );
  }
  if (
    typeof run.artifactUri !== 'string' ||
    run.artifactUri === '' ||
    run.artifactUri.length > MAX_ARTIFACT_URI_LENGTH
  ) {
    throw new InvalidParameter(
      `Invalid artifact URI: a non-empty string of at most ${MAX_ARTIFACT_URI_LENGTH} characters is required.`,
    );
  }
  validateRunName(run.runName);
  run.metrics.forEach((m, i) => validateMetric(m, i));
  run.params.forEach(validateParam);
  run.tags.forEach(validateTag);
  (run.inputs ?? []).forEach(validateDatasetInput);
  dedupeParams(run.params);
}

export async function importRun(ctx: StoreContext, run: ImportedRun): Promise<ImportRunResult> {
  validateImportedRun(run);
  const expId = experimentIdNumber(run.experimentId);
  return ctx.db.transaction(async (tx) => {
    const existing = await tx.get<{ experiment_id: number }>('SELECT experiment_id FROM runs WHERE run_uuid = ?', [
      run.runId,
    ]);
    if (existing) return { created: false, experimentId: String(existing.experiment_id) };
    const exp = await tx.get<{ experiment_id: number }>(
      'SELECT experiment_id FROM experiments WHERE experiment_id = ?',
      [expId],
    );
    if (!exp) throw new NotFound(`No Experiment with id=${run.experimentId} exists`);
    await tx.run(
      `INSERT INTO runs (run_uuid, name, user_id, status, start_time, end_time, deleted_time, lifecycle_stage, artifact_uri, experiment_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        run.runId,
        run.runName,
        run.userId,
        run.status,
        run.startTime,
        run.endTime,
        run.lifecycleStage === 'deleted' ? (run.deletedTime ?? Date.now()) : null,
        run.lifecycleStage,
        run.artifactUri,
        expId,
      ],
    );
    await writeParams(tx, run.runId, run.params);
    await writeMetrics(tx, ctx.db.dialect, run.runId, run.metrics);
    await writeTags(tx, run.runId, [
      ...run.tags.filter((t) => t.key !== RUN_NAME_TAG),
      { key: RUN_NAME_TAG, value: run.runName },
    ]);
    await writeInputs(tx, run.runId, expId, run.inputs ?? []);
    return { created: true, experimentId: run.experimentId };
  });
}
