// A registered model as another registry recorded it (a migration from MLflow): its versions keep
// their numbers, stages, sources, runs and times, deleted versions stay as redacted
// 'Deleted_Internal' rows (so their numbers are not handed out again), aliases and tags come along.
// One transaction per model; promotion policies are not consulted (this is history, not a
// change), and one `import_model` row in the audit trail records where it came from.
import { InvalidParameter } from '../../core/errors.js';
import type { SqlDatabase } from '../../db/sql-database.js';
import { validateLengthLimit } from '../../tracking/validation.js';
import type { ImportedRegisteredModel, ImportRegisteredModelResult } from '../store.js';
import {
  MAX_MODEL_VERSION_RUN_ID_LENGTH,
  MAX_MODEL_VERSION_SOURCE_LENGTH,
  MAX_RUN_LINK_LENGTH,
  MAX_STORAGE_LOCATION_LENGTH,
  STAGE_DELETED_INTERNAL,
  canonicalStage,
  isStoredVersion,
  validateAliasName,
  validateDescription,
  validateModelName,
  validateModelVersionTag,
  validateRegisteredModelTag,
} from '../validation.js';
import { REDACTED } from './model-version-operations.js';
import { dedupeTags } from './registered-model-operations.js';
import { recordAudit } from './registry-audit.js';

const VERSION_STATUSES = new Set(['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY']);

function validateImportedModel(model: ImportedRegisteredModel): void {
  validateModelName(model.name);
  validateDescription(model.description);
  model.tags.forEach(validateRegisteredModelTag);
  const numbers = new Set<number>();
  for (const v of model.versions) {
    if (!Number.isSafeInteger(v.version) || !isStoredVersion(v.version) || numbers.has(v.version)) {
      throw new InvalidParameter(
        `Model '${model.name}': version ${v.version} is not a positive integer, or appears twice.`,
      );
    }
    numbers.add(v.version);
    if (v.stage !== STAGE_DELETED_INTERNAL) canonicalStage(v.stage);
    if (!VERSION_STATUSES.has(v.status))
      throw new InvalidParameter(`Model '${model.name}' version ${v.version}: unknown status '${v.status}'.`);
    validateDescription(v.description);
    validateLengthLimit('Model version source', MAX_MODEL_VERSION_SOURCE_LENGTH, v.source);
    if (v.storageLocation)
      validateLengthLimit('Model version storage location', MAX_STORAGE_LOCATION_LENGTH, v.storageLocation);
    if (v.runId) validateLengthLimit('Model version run_id', MAX_MODEL_VERSION_RUN_ID_LENGTH, v.runId);
    if (v.runLink) validateLengthLimit('Model version run_link', MAX_RUN_LINK_LENGTH, v.runLink);
    v.tags.forEach(validateModelVersionTag);
  }
  for (const a of model.aliases) {
    validateAliasName(a.alias);
    const target = model.versions.find((v) => v.version === a.version);
    if (!target || target.stage === STAGE_DELETED_INTERNAL) {
      throw new InvalidParameter(
        `Model '${model.name}': alias '${a.alias}' points at version ${a.version}, which is not among its versions.`,
      );
    }
  }
}

export async function importRegisteredModel(
  db: SqlDatabase,
  model: ImportedRegisteredModel,
  source: string,
): Promise<ImportRegisteredModelResult> {
  validateImportedModel(model);
  const now = Date.now();
  return db.transaction(async (tx) => {
    if (await tx.get('SELECT name FROM registered_models WHERE name = ?', [model.name]))
      return { created: false, versions: 0 };
    await tx.run(
      'INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (?, ?, ?, ?)',
      [model.name, model.creationTime ?? now, model.lastUpdatedTime ?? now, model.description],
    );
    for (const tag of dedupeTags(model.tags)) {
      await tx.run('INSERT INTO registered_model_tags (name, key, value) VALUES (?, ?, ?)', [
        model.name,
        tag.key,
        tag.value,
      ]);
    }
    for (const v of [...model.versions].sort((a, b) => a.version - b.version)) {
      const deleted = v.stage === STAGE_DELETED_INTERNAL;
      // a deleted version keeps only its number, as deleteModelVersion leaves it
      const columns = deleted
        ? [null, null, STAGE_DELETED_INTERNAL, REDACTED.source, null, REDACTED.runId, REDACTED.runLink, v.status, null]
        : [
            v.description,
            v.userId,
            canonicalStage(v.stage),
            v.source,
            v.storageLocation ?? v.source,
            v.runId,
            v.runLink,
            v.status,
            v.statusMessage,
          ];
      await tx.run(
        `INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage,
           source, storage_location, run_id, run_link, status, status_message)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [model.name, v.version, v.creationTime ?? now, v.lastUpdatedTime ?? now, ...columns],
      );
      if (deleted) continue;
      for (const tag of dedupeTags(v.tags)) {
        await tx.run('INSERT INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, ?)', [
          model.name,
          v.version,
          tag.key,
          tag.value,
        ]);
      }
    }
    for (const a of model.aliases) {
      await tx.run('INSERT INTO registered_model_aliases (name, alias, version) VALUES (?, ?, ?)', [
        model.name,
        a.alias,
        a.version,
      ]);
    }
    const kept = model.versions.filter((v) => v.stage !== STAGE_DELETED_INTERNAL).length;
    await recordAudit(
      tx,
      { user: 'cairn import', reason: `imported from ${source}` },
      { name: model.name, action: 'import_model', from: null, to: kept },
    );
    return { created: true, versions: kept };
  });
}
