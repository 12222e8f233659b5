// Registered model writes and reads with MLflow's rules: unique names, renames carry versions, tags
// and aliases along, deleting a model deletes everything under it, aliases move atomically.
import { AlreadyExists, InvalidParameter } from '../../core/errors.js';
import type { Tag } from '../../tracking/entities.js';
import type { SqlDatabase, SqlExecutor } from '../../db/sql-database.js';
import { validateTagKey } from '../../tracking/validation.js';
import type { ModelVersion, RegisteredModel } from '../entities.js';
import { parsePolicyTarget } from '../policies/promotion-policy.js';
import type { ChangeContext } from '../store.js';
import {
  ALL_STAGES,
  canonicalStage,
  isStoredVersion,
  parseModelVersion,
  validateAliasName,
  validateDescription,
  validateModelName,
  validateRegisteredModelTag,
} from '../validation.js';
import {
  latestVersionRows,
  loadModel,
  loadVersion,
  loadVersions,
  lockModel,
  requireModel,
  requireVersion,
  versionNotFound,
} from './registry-loader.js';
import { PolicyRefusal, gatePromotion, recordRefusal } from './promotion-policy-operations.js';
import { recordAudit, validateChangeContext } from './registry-audit.js';

const alreadyExists = (name: string) => new AlreadyExists(`Registered Model (name=${name}) already exists.`);

/** Last value wins for repeated keys, as MLflow builds a dict from the list. */
export function dedupeTags(tags: Tag[]): Tag[] {
  return [...new Map(tags.map((t) => [t.key, t])).values()];
}

async function upsertModelTag(tx: SqlExecutor, name: string, tag: Tag): Promise<void> {
  await tx.run(
    'INSERT INTO registered_model_tags (name, key, value) VALUES (?, ?, ?) ON CONFLICT (name, key) DO UPDATE SET value = excluded.value',
    [name, tag.key, tag.value],
  );
}

export async function createRegisteredModel(
  db: SqlDatabase,
  name: string,
  tags: Tag[] = [],
  description: string | null = null,
): Promise<RegisteredModel> {
  validateModelName(name);
  tags.forEach(validateRegisteredModelTag);
  validateDescription(description);
  const now = Date.now();
  try {
    return await db.transaction(async (tx) => {
      if (await tx.get('SELECT name FROM registered_models WHERE name = ?', [name])) throw alreadyExists(name);
      await tx.run(
        'INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (?, ?, ?, ?)',
        [name, now, now, description],
      );
      for (const tag of dedupeTags(tags)) await upsertModelTag(tx, name, tag);
      return loadModel(tx, name);
    });
  } catch (error) {
    if (db.dialect.isUniqueViolation(error)) throw alreadyExists(name);
    throw error;
  }
}

export async function getRegisteredModel(db: SqlDatabase, name: string): Promise<RegisteredModel> {
  validateModelName(name);
  return loadModel(db, name);
}

export async function renameRegisteredModel(
  db: SqlDatabase,
  name: string,
  newName: string,
  context?: ChangeContext,
): Promise<RegisteredModel> {
  validateModelName(name);
  validateModelName(newName);
  validateChangeContext(context);
  const now = Date.now();
  try {
    return await db.transaction(async (tx) => {
      await lockModel(tx, name);
      if (newName !== name && (await tx.get('SELECT name FROM registered_models WHERE name = ?', [newName])))
        throw alreadyExists(newName);
      // ON UPDATE CASCADE carries versions, their tags, model tags and aliases to the new name.
      await tx.run('UPDATE registered_models SET name = ?, last_updated_time = ? WHERE name = ?', [newName, now, name]);
      await tx.run('UPDATE model_versions SET last_updated_time = ? WHERE name = ?', [now, newName]);
      if (newName !== name) {
        // The history follows the model (audit rows have no foreign key to cascade through).
        await tx.run('UPDATE registry_audit SET name = ? WHERE name = ?', [newName, name]);
        await recordAudit(tx, context, { name: newName, action: 'rename_model', from: name, to: newName });
      }
      return loadModel(tx, newName);
    });
  } catch (error) {
    if (db.dialect.isUniqueViolation(error)) throw alreadyExists(newName);
    throw error;
  }
}

export async function updateRegisteredModel(
  db: SqlDatabase,
  name: string,
  description: string | null,
  context?: ChangeContext,
): Promise<RegisteredModel> {
  validateModelName(name);
  validateDescription(description);
  validateChangeContext(context);
  return db.transaction(async (tx) => {
    await lockModel(tx, name, Date.now());
    const before = await requireModel(tx, name);
    await recordAudit(tx, context, {
      name,
      action: 'update_model_description',
      from: before.description,
      to: description,
    });
    await tx.run('UPDATE registered_models SET description = ? WHERE name = ?', [description, name]);
    return loadModel(tx, name);
  });
}

export async function deleteRegisteredModel(db: SqlDatabase, name: string, context?: ChangeContext): Promise<void> {
  validateModelName(name);
  validateChangeContext(context);
  await db.transaction(async (tx) => {
    await lockModel(tx, name);
    await recordAudit(tx, context, { name, action: 'delete_model', from: name, to: null });
    // Tag and alias rows go with their parents through ON DELETE CASCADE.
    await tx.run('DELETE FROM registered_models WHERE name = ?', [name]);
  });
}

export async function getLatestVersions(db: SqlDatabase, name: string, stages: string[] = []): Promise<ModelVersion[]> {
  validateModelName(name);
  const wanted = stages.length === 0 ? ALL_STAGES : [...new Set(stages.map(canonicalStage))];
  await requireModel(db, name);
  return loadVersions(db, await latestVersionRows(db, [name], wanted));
}

export async function setRegisteredModelTag(db: SqlDatabase, name: string, key: string, value: string): Promise<void> {
  validateModelName(name);
  validateRegisteredModelTag({ key, value });
  await db.transaction(async (tx) => {
    await lockModel(tx, name);
    await upsertModelTag(tx, name, { key, value });
  });
}

export async function deleteRegisteredModelTag(db: SqlDatabase, name: string, key: string): Promise<void> {
  validateModelName(name);
  validateTagKey(key);
  // A missing tag is not an error, as MLflow.
  await db.transaction(async (tx) => {
    await lockModel(tx, name);
    await tx.run('DELETE FROM registered_model_tags WHERE name = ? AND key = ?', [name, key]);
  });
}

export async function setRegisteredModelAlias(
  db: SqlDatabase,
  name: string,
  alias: string,
  version: string,
  context?: ChangeContext,
): Promise<void> {
  validateModelName(name);
  validateAliasName(alias);
  validateChangeContext(context);
  const n = parseModelVersion(version);
  let from: number | null = null;
  try {
    await db.transaction(async (tx) => {
      // The model's row lock orders this move after any concurrent delete of the target version.
      await lockModel(tx, name);
      if (!isStoredVersion(n)) throw versionNotFound(name, version);
      await requireVersion(tx, name, n);
      const before = await tx.get<{ version: number }>(
        'SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?',
        [name, alias],
      );
      from = before ? Number(before.version) : null;
      const gate = await gatePromotion(tx, name, n, parsePolicyTarget(`@${alias}`), context);
      await tx.run(
        'INSERT INTO registered_model_aliases (name, alias, version) VALUES (?, ?, ?) ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version',
        [name, alias, n],
      );
      await recordAudit(tx, context, {
        name,
        version: n,
        alias,
        action: 'set_alias',
        from,
        to: n,
        forced: gate.forced,
        policyResult: gate.result,
      });
    });
  } catch (err) {
    // The alias stays where it was; the refusal itself is recorded.
    if (err instanceof PolicyRefusal)
      await recordRefusal(db, context, { name, version: n, alias, action: 'set_alias_refused', from, to: n }, err);
    throw err;
  }
}

export async function deleteRegisteredModelAlias(
  db: SqlDatabase,
  name: string,
  alias: string,
  context?: ChangeContext,
): Promise<void> {
  validateModelName(name);
  validateAliasName(alias);
  validateChangeContext(context);
  await db.transaction(async (tx) => {
    await lockModel(tx, name);
    const before = await tx.get<{ version: number }>(
      'SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?',
      [name, alias],
    );
    // Deleting an alias that does not exist is not an error (as MLflow) and changes nothing to record.
    if (!before) return;
    await tx.run('DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?', [name, alias]);
    await recordAudit(tx, context, {
      name,
      version: Number(before.version),
      alias,
      action: 'delete_alias',
      from: Number(before.version),
      to: null,
    });
  });
}

export async function getModelVersionByAlias(db: SqlDatabase, name: string, alias: string): Promise<ModelVersion> {
  validateModelName(name);
  validateAliasName(alias);
  const row = await db.get<{ version: number }>(
    'SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?',
    [name, alias],
  );
  if (!row) throw new InvalidParameter(`Registered model alias ${alias} not found.`);
  return loadVersion(db, name, Number(row.version));
}
