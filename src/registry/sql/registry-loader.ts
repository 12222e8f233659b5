// Reads registry rows into entities: versions with their tags and aliases, registered models with
// their tags, aliases and latest version per stage. Lookups are batched (one query per kind per chunk).
import { NotFound } from '../../core/errors.js';
import type { Tag } from '../../tracking/entities.js';
import { placeholders, type SqlExecutor } from '../../db/sql-database.js';
import type {
  ModelVersion,
  ModelVersionStage,
  ModelVersionStatus,
  RegisteredModel,
  RegisteredModelAlias,
} from '../entities.js';
import { STAGE_DELETED_INTERNAL } from '../validation.js';

export interface VersionRow {
  name: string;
  version: number;
  creation_time: number | null;
  last_updated_time: number | null;
  description: string | null;
  user_id: string | null;
  current_stage: string;
  source: string | null;
  storage_location: string | null;
  run_id: string | null;
  run_link: string | null;
  status: string;
  status_message: string | null;
}
export interface ModelRow {
  name: string;
  creation_time: number | null;
  last_updated_time: number | null;
  description: string | null;
}

export const VERSION_COLUMNS =
  'mv.name, mv.version, mv.creation_time, mv.last_updated_time, mv.description, mv.user_id, ' +
  'mv.current_stage, mv.source, mv.storage_location, mv.run_id, mv.run_link, mv.status, mv.status_message';
export const MODEL_COLUMNS = 'rm.name, rm.creation_time, rm.last_updated_time, rm.description';
/** Keeps every batched statement far below SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 400;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

const versionKey = (name: string, version: number | string): string => `${version}\u0000${name}`;

export async function requireModel(db: SqlExecutor, name: string): Promise<ModelRow> {
  const row = await db.get<ModelRow>(`SELECT ${MODEL_COLUMNS} FROM registered_models rm WHERE rm.name = ?`, [name]);
  if (!row) throw new NotFound(`Registered Model with name=${name} not found`);
  return row;
}

/**
 * Takes the registered model's row lock (PostgreSQL; SQLite transactions are serialised already) so
 * writes to one model — version numbering, alias moves, deletes — run one after another. Sets
 * last_updated_time when `touch` is given. Throws NotFound when the model does not exist.
 */
export async function lockModel(tx: SqlExecutor, name: string, touch?: number): Promise<void> {
  const res =
    touch === undefined
      ? await tx.run('UPDATE registered_models SET last_updated_time = last_updated_time WHERE name = ?', [name])
      : await tx.run('UPDATE registered_models SET last_updated_time = ? WHERE name = ?', [touch, name]);
  if (res.changes === 0) throw new NotFound(`Registered Model with name=${name} not found`);
}

export function versionNotFound(name: string, version: string | number): NotFound {
  return new NotFound(`Model Version (name=${name}, version=${version}) not found`);
}

export async function requireVersion(db: SqlExecutor, name: string, version: number): Promise<VersionRow> {
  const row = await db.get<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM model_versions mv WHERE mv.name = ? AND mv.version = ? AND mv.current_stage != ?`,
    [name, version, STAGE_DELETED_INTERNAL],
  );
  if (!row) throw versionNotFound(name, version);
  return row;
}

async function versionTags(db: SqlExecutor, rows: VersionRow[]): Promise<Map<string, Tag[]>> {
  const tags = new Map<string, Tag[]>();
  // One indexed `name = ? AND version IN (…)` query per model: OR-ing (name, version) pairs
  // makes the planner probe the primary key once per pair.
  const versionsByName = new Map<string, number[]>();
  for (const r of rows) {
    const list = versionsByName.get(r.name) ?? [];
    list.push(r.version);
    versionsByName.set(r.name, list);
  }
  for (const [name, versions] of versionsByName) {
    for (const part of chunks(versions)) {
      const tagRows = await db.all<{ name: string; version: number; key: string; value: string | null }>(
        `SELECT name, version, key, value FROM model_version_tags WHERE name = ? AND version IN (${placeholders(part.length)}) ORDER BY key`,
        [name, ...part],
      );
      for (const t of tagRows) {
        const k = versionKey(t.name, t.version);
        const list = tags.get(k) ?? [];
        list.push({ key: t.key, value: t.value ?? '' });
        tags.set(k, list);
      }
    }
  }
  return tags;
}

async function aliasesByModel(db: SqlExecutor, names: string[]): Promise<Map<string, RegisteredModelAlias[]>> {
  const out = new Map<string, RegisteredModelAlias[]>();
  for (const part of chunks([...new Set(names)])) {
    const rows = await db.all<{ name: string; alias: string; version: number }>(
      `SELECT name, alias, version FROM registered_model_aliases WHERE name IN (${placeholders(part.length)}) ORDER BY alias`,
      part,
    );
    for (const r of rows) {
      const list = out.get(r.name) ?? [];
      list.push({ alias: r.alias, version: String(r.version) });
      out.set(r.name, list);
    }
  }
  return out;
}

function toModelVersion(row: VersionRow, tags: Tag[], aliases: string[]): ModelVersion {
  return {
    name: row.name,
    version: String(row.version),
    creationTimestamp: Number(row.creation_time ?? 0),
    lastUpdatedTimestamp: Number(row.last_updated_time ?? 0),
    userId: row.user_id,
    currentStage: row.current_stage as ModelVersionStage,
    description: row.description,
    source: row.source ?? '',
    runId: row.run_id,
    runLink: row.run_link,
    status: row.status as ModelVersionStatus,
    statusMessage: row.status_message,
    tags,
    aliases,
  };
}

/** Version rows → entities (order kept), with tags and the aliases pointing at each. */
export async function loadVersions(db: SqlExecutor, rows: VersionRow[]): Promise<ModelVersion[]> {
  if (rows.length === 0) return [];
  const tags = await versionTags(db, rows);
  const aliases = await aliasesByModel(
    db,
    rows.map((r) => r.name),
  );
  return rows.map((r) =>
    toModelVersion(
      r,
      tags.get(versionKey(r.name, r.version)) ?? [],
      (aliases.get(r.name) ?? []).filter((a) => a.version === String(r.version)).map((a) => a.alias),
    ),
  );
}

/** The highest live version in each stage, for each model, ordered by version. */
export async function latestVersionRows(db: SqlExecutor, names: string[], stages?: string[]): Promise<VersionRow[]> {
  const out: VersionRow[] = [];
  for (const part of chunks([...new Set(names)])) {
    const stageFilter = stages ? ` AND current_stage IN (${placeholders(stages.length)})` : '';
    const rows = await db.all<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM model_versions mv
       JOIN (SELECT name, MAX(version) AS version FROM model_versions
             WHERE name IN (${placeholders(part.length)}) AND current_stage != ?${stageFilter}
             GROUP BY name, current_stage) latest ON latest.name = mv.name AND latest.version = mv.version
       ORDER BY mv.name, mv.version`,
      [...part, STAGE_DELETED_INTERNAL, ...(stages ?? [])],
    );
    out.push(...rows);
  }
  return out;
}

export async function loadModels(db: SqlExecutor, rows: ModelRow[]): Promise<RegisteredModel[]> {
  if (rows.length === 0) return [];
  const names = rows.map((r) => r.name);
  const tags = new Map<string, Tag[]>();
  for (const part of chunks(names)) {
    const tagRows = await db.all<{ name: string; key: string; value: string | null }>(
      `SELECT name, key, value FROM registered_model_tags WHERE name IN (${placeholders(part.length)}) ORDER BY key`,
      part,
    );
    for (const t of tagRows) {
      const list = tags.get(t.name) ?? [];
      list.push({ key: t.key, value: t.value ?? '' });
      tags.set(t.name, list);
    }
  }
  const aliases = await aliasesByModel(db, names);
  const latest = new Map<string, ModelVersion[]>();
  for (const v of await loadVersions(db, await latestVersionRows(db, names))) {
    const list = latest.get(v.name) ?? [];
    list.push(v);
    latest.set(v.name, list);
  }
  return rows.map((r) => ({
    name: r.name,
    creationTimestamp: Number(r.creation_time ?? 0),
    lastUpdatedTimestamp: Number(r.last_updated_time ?? 0),
    description: r.description,
    latestVersions: latest.get(r.name) ?? [],
    tags: tags.get(r.name) ?? [],
    aliases: aliases.get(r.name) ?? [],
  }));
}

export async function loadModel(db: SqlExecutor, name: string): Promise<RegisteredModel> {
  return (await loadModels(db, [await requireModel(db, name)]))[0];
}

export async function loadVersion(db: SqlExecutor, name: string, version: number): Promise<ModelVersion> {
  return (await loadVersions(db, [await requireVersion(db, name, version)]))[0];
}
