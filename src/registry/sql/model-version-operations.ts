// Model version writes and reads with MLflow's rules: numbers count up per model and are never
// reused (a deleted version stays as a redacted 'Deleted_Internal' row), deleting a version drops
// its aliases, stage transitions may archive the versions already in the target stage.
import { InvalidParameter, NotFound } from '../../core/errors.js';
import type { SqlDatabase, SqlExecutor } from '../../db/sql-database.js';
import type { Dialect } from '../../db/dialect.js';
import { loadRuns } from '../../tracking/sql/run-loader.js';
import { validateLengthLimit, validateTagKey } from '../../tracking/validation.js';
import type { ModelVersion } from '../entities.js';
import { validateModelVersionSource, type RunLookup } from '../model-version-source.js';
import { parsePolicyTarget } from '../policies/promotion-policy.js';
import type { ChangeContext, CreateModelVersionInput } from '../store.js';
import {
  ACTIVE_STAGES,
  MAX_MODEL_VERSION_RUN_ID_LENGTH,
  MAX_MODEL_VERSION_SOURCE_LENGTH,
  MAX_RUN_LINK_LENGTH,
  MAX_STORAGE_LOCATION_LENGTH,
  STAGE_DELETED_INTERNAL,
  canonicalStage,
  isStoredVersion,
  parseModelVersion,
  validateDescription,
  validateModelName,
  validateModelVersionTag,
} from '../validation.js';
import { PolicyRefusal, gatePromotion, recordRefusal } from './promotion-policy-operations.js';
import { dedupeTags } from './registered-model-operations.js';
import { recordAudit, validateChangeContext } from './registry-audit.js';
import { loadVersion, lockModel, requireVersion, versionNotFound, type VersionRow } from './registry-loader.js';

/** The stored version number named by `version`; NotFound when no stored version can have it. */
function versionNumber(name: string, version: string): number {
  validateModelName(name);
  const n = parseModelVersion(version);
  if (!isStoredVersion(n)) throw versionNotFound(name, version);
  return n;
}

/** What a deleted version's row keeps in place of its source, run and link (as MLflow's SQL store). */
export const REDACTED = {
  source: 'REDACTED-SOURCE-PATH',
  runId: 'REDACTED-RUN-ID',
  runLink: 'REDACTED-RUN-LINK',
} as const;

const MODELS_URI = /^models:\/([^/@]+)(?:\/(\d+)|@([\w-]+))\/?$/;

/** `models:/name/3` and `models:/name@alias` sources point at another version's files. */
async function resolveModelsUri(db: SqlDatabase, source: string): Promise<string> {
  const m = MODELS_URI.exec(source);
  const fail = (detail: string) =>
    new InvalidParameter(`Unable to fetch model from model URI source artifact location '${source}'. Error: ${detail}`);
  if (!m) throw fail('expected models:/<name>/<version> or models:/<name>@<alias>');
  let name: string;
  try {
    name = decodeURIComponent(m[1]);
  } catch {
    throw fail(`the model name '${m[1]}' is not valid percent-encoding`);
  }
  let row: { version: number } | undefined;
  if (m[2] !== undefined) row = { version: Number(m[2]) };
  else
    row = await db.get<{ version: number }>(
      'SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?',
      [name, m[3]],
    );
  if (!row || !isStoredVersion(Number(row.version))) throw fail(`no model version matches '${source}'`);
  const target = await db.get<VersionRow>(
    'SELECT source, storage_location FROM model_versions WHERE name = ? AND version = ? AND current_stage != ?',
    [name, Number(row.version), STAGE_DELETED_INTERNAL],
  );
  if (!target) throw fail(`no model version matches '${source}'`);
  return target.storage_location ?? target.source ?? '';
}

/** The runs of the database the registry shares with tracking, read in the version's transaction. */
function runsIn(tx: SqlExecutor, dialect: Dialect): RunLookup {
  return {
    async getRun(runId) {
      const [run] = await loadRuns(tx, [runId], dialect);
      if (!run) throw new NotFound(`Run with id=${runId} not found`);
      return run;
    },
  };
}

/**
 * Every way of creating a version (REST, CairnClient, the client's registry, logModel) ends here, so
 * this is where the source is checked as MLflow's server checks it — once.
 */
export async function createModelVersion(db: SqlDatabase, input: CreateModelVersionInput): Promise<ModelVersion> {
  const { name, source } = input;
  validateModelName(name);
  if (typeof source !== 'string' || source === '')
    throw new InvalidParameter("Missing value for required parameter 'source'.");
  validateLengthLimit('Model version source', MAX_MODEL_VERSION_SOURCE_LENGTH, source);
  if (input.runLink) validateLengthLimit('Model version run_link', MAX_RUN_LINK_LENGTH, input.runLink);
  if (input.runId) validateLengthLimit('Model version run_id', MAX_MODEL_VERSION_RUN_ID_LENGTH, input.runId);
  validateDescription(input.description);
  const tags = dedupeTags(input.tags ?? []);
  tags.forEach(validateModelVersionTag);
  const storage = source.startsWith('models:/')
    ? await resolveModelsUri(db, source)
    : (input.storageLocation ?? source);
  validateLengthLimit('Model version storage location', MAX_STORAGE_LOCATION_LENGTH, storage);
  const now = Date.now();
  return db.transaction(async (tx) => {
    // The row lock serialises creators on one model, so MAX + 1 cannot hand out a number twice.
    await lockModel(tx, name, now);
    // after the model's existence (as the store reports a missing model first), before any write
    await validateModelVersionSource(runsIn(tx, db.dialect), source, input.runId || null);
    const next = await tx.get<{ v: number }>(
      'SELECT COALESCE(MAX(version), 0) + 1 AS v FROM model_versions WHERE name = ?',
      [name],
    );
    const version = Number(next!.v);
    await tx.run(
      `INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage,
         source, storage_location, run_id, run_link, status, status_message)
       VALUES (?, ?, ?, ?, ?, NULL, 'None', ?, ?, ?, ?, 'READY', NULL)`,
      [name, version, now, now, input.description ?? null, source, storage, input.runId ?? null, input.runLink ?? null],
    );
    for (const tag of tags) {
      await tx.run('INSERT INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, ?)', [
        name,
        version,
        tag.key,
        tag.value,
      ]);
    }
    return loadVersion(tx, name, version);
  });
}

export async function getModelVersion(db: SqlDatabase, name: string, version: string): Promise<ModelVersion> {
  return loadVersion(db, name, versionNumber(name, version));
}

export async function updateModelVersion(
  db: SqlDatabase,
  name: string,
  version: string,
  description: string | null,
  context?: ChangeContext,
): Promise<ModelVersion> {
  const n = versionNumber(name, version);
  validateDescription(description);
  validateChangeContext(context);
  return db.transaction(async (tx) => {
    await lockModel(tx, name);
    const before = await requireVersion(tx, name, n);
    await recordAudit(tx, context, {
      name,
      version: n,
      action: 'update_version_description',
      from: before.description,
      to: description,
    });
    await tx.run('UPDATE model_versions SET description = ?, last_updated_time = ? WHERE name = ? AND version = ?', [
      description,
      Date.now(),
      name,
      n,
    ]);
    return loadVersion(tx, name, n);
  });
}

export async function deleteModelVersion(
  db: SqlDatabase,
  name: string,
  version: string,
  context?: ChangeContext,
): Promise<void> {
  const n = versionNumber(name, version);
  validateChangeContext(context);
  const now = Date.now();
  await db.transaction(async (tx) => {
    await lockModel(tx, name, now);
    const before = await requireVersion(tx, name, n);
    await recordAudit(tx, context, {
      name,
      version: n,
      action: 'delete_version',
      from: before.current_stage,
      to: null,
    });
    await tx.run('DELETE FROM registered_model_aliases WHERE name = ? AND version = ?', [name, n]);
    // Kept (redacted) so MAX(version) never goes down and the number is not handed out again.
    await tx.run(
      `UPDATE model_versions SET current_stage = ?, last_updated_time = ?, description = NULL, user_id = NULL,
         source = ?, storage_location = NULL, run_id = ?, run_link = ?, status_message = NULL
       WHERE name = ? AND version = ?`,
      [STAGE_DELETED_INTERNAL, now, REDACTED.source, REDACTED.runId, REDACTED.runLink, name, n],
    );
  });
}

export async function transitionModelVersionStage(
  db: SqlDatabase,
  name: string,
  version: string,
  stage: string,
  archiveExisting: boolean,
  context?: ChangeContext,
): Promise<ModelVersion> {
  const n = versionNumber(name, version);
  const target = canonicalStage(stage);
  validateChangeContext(context);
  if (archiveExisting && !ACTIVE_STAGES.includes(target)) {
    throw new InvalidParameter(
      `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. ` +
        `Valid stages are ${ACTIVE_STAGES.join(', ')}`,
    );
  }
  const now = Date.now();
  let fromStage: string | null = null;
  try {
    return await db.transaction(async (tx) => {
      await lockModel(tx, name, now);
      const before = await requireVersion(tx, name, n);
      fromStage = before.current_stage;
      // Throws PolicyRefusal (rolling everything back) unless the policy passes or is forced.
      const gate = await gatePromotion(tx, name, n, parsePolicyTarget(target), context);
      if (archiveExisting) {
        const archived = await tx.all<{ version: number; current_stage: string }>(
          'SELECT version, current_stage FROM model_versions WHERE name = ? AND version != ? AND current_stage = ? ORDER BY version',
          [name, n, target],
        );
        for (const a of archived) {
          await recordAudit(
            tx,
            { ...context, force: false, reason: `archived by the transition of version ${n} to ${target}` },
            {
              name,
              version: Number(a.version),
              action: 'transition_stage',
              from: a.current_stage,
              to: 'Archived',
            },
          );
        }
        await tx.run(
          "UPDATE model_versions SET current_stage = 'Archived', last_updated_time = ? WHERE name = ? AND version != ? AND current_stage = ?",
          [now, name, n, target],
        );
      }
      await tx.run(
        'UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE name = ? AND version = ?',
        [target, now, name, n],
      );
      await recordAudit(tx, context, {
        name,
        version: n,
        action: 'transition_stage',
        from: before.current_stage,
        to: target,
        forced: gate.forced,
        policyResult: gate.result,
      });
      return loadVersion(tx, name, n);
    });
  } catch (err) {
    if (err instanceof PolicyRefusal) {
      await recordRefusal(
        db,
        context,
        { name, version: n, action: 'transition_stage_refused', from: fromStage, to: target },
        err,
      );
    }
    throw err;
  }
}

export async function setModelVersionTag(
  db: SqlDatabase,
  name: string,
  version: string,
  key: string,
  value: string,
): Promise<void> {
  const n = versionNumber(name, version);
  validateModelVersionTag({ key, value });
  await db.transaction(async (tx) => {
    await lockModel(tx, name);
    await requireVersion(tx, name, n);
    await tx.run(
      'INSERT INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, ?) ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value',
      [name, n, key, value],
    );
  });
}

export async function deleteModelVersionTag(
  db: SqlDatabase,
  name: string,
  version: string,
  key: string,
): Promise<void> {
  const n = versionNumber(name, version);
  validateTagKey(key);
  await db.transaction(async (tx) => {
    await lockModel(tx, name);
    await requireVersion(tx, name, n);
    await tx.run('DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?', [name, n, key]);
  });
}

export async function getModelVersionDownloadUri(db: SqlDatabase, name: string, version: string): Promise<string> {
  const row = await requireVersion(db, name, versionNumber(name, version));
  return row.storage_location ?? row.source ?? '';
}
