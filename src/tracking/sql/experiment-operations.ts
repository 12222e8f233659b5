// Experiment reads and writes for the SQL tracking store, with MLflow's rules: unique names,
// artifact location `<root>/<id>`, deleting an experiment deletes its runs, restoring restores them.
import { AlreadyExists, InvalidParameter, InvalidState, NotFound } from '../../core/errors.js';
import type { Experiment, PagedList, Tag } from '../entities.js';
import type { SearchExperimentsQuery } from '../store.js';
import { parseExperimentFilter, parseExperimentOrderBy } from '../search/experiment-filter.js';
import { decodePageToken, encodePageToken } from '../search/page-token.js';
import {
  MAX_EXPERIMENTS_LISTED_PER_PAGE,
  SEARCH_EXPERIMENTS_MAX_RESULTS_DEFAULT,
  resolveMaxResults,
  validateExperimentName,
  validateExperimentTag,
  validateTagKey,
} from '../validation.js';
import { lifecycleStages, stringComparison } from './run-search-compiler.js';
import { placeholders, type SqlExecutor, type SqlValue } from '../../db/sql-database.js';
import { joinArtifactPath } from '../../artifacts/artifact-path.js';
import type { StoreContext } from './store-context.js';

export const DEFAULT_EXPERIMENT_ID = '0';
export const DEFAULT_EXPERIMENT_NAME = 'Default';
const MAX_EXPERIMENT_ID = 2_147_483_647;

interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string | null;
  lifecycle_stage: string;
  creation_time: number | null;
  last_update_time: number | null;
}
const COLUMNS = 'e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, e.creation_time, e.last_update_time';

/** Experiment ids are integers; anything else cannot name an experiment. */
export function experimentIdNumber(experimentId: string): number {
  const n = /^\d+$/.test(String(experimentId)) ? Number(experimentId) : NaN;
  if (!Number.isSafeInteger(n) || n > MAX_EXPERIMENT_ID)
    throw new NotFound(`No Experiment with id=${experimentId} exists`);
  return n;
}

async function attachTags(db: SqlExecutor, rows: ExperimentRow[]): Promise<Experiment[]> {
  const tags = new Map<number, Tag[]>();
  if (rows.length > 0) {
    const ids = rows.map((r) => r.experiment_id);
    const tagRows = await db.all<{ experiment_id: number; key: string; value: string }>(
      `SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN (${placeholders(ids.length)}) ORDER BY key`,
      ids,
    );
    for (const t of tagRows) {
      const list = tags.get(t.experiment_id) ?? [];
      list.push({ key: t.key, value: t.value ?? '' });
      tags.set(t.experiment_id, list);
    }
  }
  return rows.map((r) => ({
    experimentId: String(r.experiment_id),
    name: r.name,
    artifactLocation: r.artifact_location ?? '',
    lifecycleStage: r.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    creationTime: r.creation_time ?? 0,
    lastUpdateTime: r.last_update_time ?? 0,
    tags: tags.get(r.experiment_id) ?? [],
  }));
}

export async function getExperiment(db: SqlExecutor, experimentId: string): Promise<Experiment> {
  const id = experimentIdNumber(experimentId);
  const row = await db.get<ExperimentRow>(`SELECT ${COLUMNS} FROM experiments e WHERE e.experiment_id = ?`, [id]);
  if (!row) throw new NotFound(`No Experiment with id=${experimentId} exists`);
  return (await attachTags(db, [row]))[0];
}

export async function getExperimentByName(db: SqlExecutor, name: string): Promise<Experiment> {
  const row = await db.get<ExperimentRow>(`SELECT ${COLUMNS} FROM experiments e WHERE e.name = ?`, [name]);
  if (!row) throw new NotFound(`Could not find experiment with name '${name}'`);
  return (await attachTags(db, [row]))[0];
}

async function upsertExperimentTag(tx: SqlExecutor, id: number, tag: Tag): Promise<void> {
  await tx.run(
    'INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value',
    [id, tag.key, tag.value],
  );
}

export async function ensureDefaultExperiment(ctx: StoreContext): Promise<void> {
  const now = Date.now();
  await ctx.db.transaction((tx) =>
    tx.run(
      `INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
     VALUES (?, ?, ?, 'active', ?, ?) ON CONFLICT DO NOTHING`,
      [
        Number(DEFAULT_EXPERIMENT_ID),
        DEFAULT_EXPERIMENT_NAME,
        joinArtifactPath(ctx.defaultArtifactRoot, DEFAULT_EXPERIMENT_ID),
        now,
        now,
      ],
    ),
  );
}

export async function createExperiment(
  ctx: StoreContext,
  name: string,
  artifactLocation?: string,
  tags: Tag[] = [],
): Promise<string> {
  validateExperimentName(name);
  tags.forEach(validateExperimentTag);
  if (artifactLocation !== undefined && artifactLocation !== null && typeof artifactLocation !== 'string') {
    throw new InvalidParameter("Invalid value for parameter 'artifact_location': it must be a string");
  }
  const now = Date.now();
  try {
    return await ctx.db.transaction(async (tx) => {
      const existing = await tx.get('SELECT experiment_id FROM experiments WHERE name = ?', [name]);
      if (existing) throw new AlreadyExists(`Experiment(name=${name}) already exists.`);
      const row = await tx.get<{ experiment_id: number }>(
        `INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)
         VALUES (?, ?, 'active', ?, ?) RETURNING experiment_id`,
        [name, artifactLocation || null, now, now],
      );
      const id = row!.experiment_id;
      if (!artifactLocation) {
        await tx.run('UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?', [
          joinArtifactPath(ctx.defaultArtifactRoot, String(id)),
          id,
        ]);
      }
      for (const tag of tags) await upsertExperimentTag(tx, id, tag);
      return String(id);
    });
  } catch (error) {
    // Two concurrent creators of one name: the loser hits the unique index.
    if (ctx.db.dialect.isUniqueViolation(error)) throw new AlreadyExists(`Experiment(name=${name}) already exists.`);
    throw error;
  }
}

async function requireExperiment(tx: SqlExecutor, experimentId: string): Promise<ExperimentRow> {
  const id = experimentIdNumber(experimentId);
  const row = await tx.get<ExperimentRow>(`SELECT ${COLUMNS} FROM experiments e WHERE e.experiment_id = ?`, [id]);
  if (!row) throw new NotFound(`No Experiment with id=${experimentId} exists`);
  return row;
}

export async function renameExperiment(ctx: StoreContext, experimentId: string, newName: string): Promise<void> {
  validateExperimentName(newName);
  try {
    await ctx.db.transaction(async (tx) => {
      const row = await requireExperiment(tx, experimentId);
      if (row.lifecycle_stage !== 'active') throw new InvalidState('Cannot rename a non-active experiment.');
      const clash = await tx.get<{ experiment_id: number }>('SELECT experiment_id FROM experiments WHERE name = ?', [
        newName,
      ]);
      if (clash && clash.experiment_id !== row.experiment_id)
        throw new AlreadyExists(`Experiment(name=${newName}) already exists.`);
      await tx.run('UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?', [
        newName,
        Date.now(),
        row.experiment_id,
      ]);
    });
  } catch (error) {
    if (ctx.db.dialect.isUniqueViolation(error)) throw new AlreadyExists(`Experiment(name=${newName}) already exists.`);
    throw error;
  }
}

export async function setExperimentLifecycle(
  ctx: StoreContext,
  experimentId: string,
  stage: 'active' | 'deleted',
): Promise<void> {
  if (stage === 'deleted' && String(experimentId) === DEFAULT_EXPERIMENT_ID) {
    throw new InvalidParameter(
      `Cannot delete the default experiment '${DEFAULT_EXPERIMENT_ID}'. This is an internally reserved experiment.`,
    );
  }
  await ctx.db.transaction(async (tx) => {
    const row = await requireExperiment(tx, experimentId);
    if (stage === 'active' && row.lifecycle_stage === 'active') {
      throw new InvalidParameter(`Cannot restore an active experiment. Experiment id=${experimentId} is active.`);
    }
    const now = Date.now();
    await tx.run('UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?', [
      stage,
      now,
      row.experiment_id,
    ]);
    // MLflow semantics: the experiment's runs follow it into (and out of) the deleted stage.
    await tx.run('UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE experiment_id = ?', [
      stage,
      stage === 'deleted' ? now : null,
      row.experiment_id,
    ]);
  });
}

export async function setExperimentTag(
  ctx: StoreContext,
  experimentId: string,
  key: string,
  value: string,
): Promise<void> {
  validateExperimentTag({ key, value });
  await ctx.db.transaction(async (tx) => {
    const row = await requireExperiment(tx, experimentId);
    if (row.lifecycle_stage !== 'active') {
      throw new InvalidParameter(
        `The experiment ${experimentId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      );
    }
    await upsertExperimentTag(tx, row.experiment_id, { key, value });
  });
}

export async function deleteExperimentTag(ctx: StoreContext, experimentId: string, key: string): Promise<void> {
  validateTagKey(key);
  await ctx.db.transaction(async (tx) => {
    const row = await requireExperiment(tx, experimentId);
    const res = await tx.run('DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?', [
      row.experiment_id,
      key,
    ]);
    if (res.changes === 0) throw new NotFound(`No tag with name: ${key} in experiment with id ${experimentId}`);
  });
}

export async function searchExperiments(
  ctx: StoreContext,
  query: SearchExperimentsQuery,
): Promise<PagedList<Experiment>> {
  const limit = resolveMaxResults(
    query.maxResults,
    SEARCH_EXPERIMENTS_MAX_RESULTS_DEFAULT,
    MAX_EXPERIMENTS_LISTED_PER_PAGE,
  );
  const offset = decodePageToken(query.pageToken);
  const filters = parseExperimentFilter(query.filter);
  const orderBy = parseExperimentOrderBy(query.orderBy);
  const stages = lifecycleStages(query.viewType);
  const where = [`e.lifecycle_stage IN (${placeholders(stages.length)})`];
  const params: SqlValue[] = [...stages];
  for (const f of filters) {
    if (f.entity === 'tag') {
      const cmp = stringComparison(ctx.db.dialect, 't.value', f.comparator, f.value as string);
      where.push(
        `EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = ? AND ${cmp.sql})`,
      );
      params.push(f.key, ...cmp.params);
    } else if (typeof f.value === 'number') {
      where.push(`e.${f.key} ${f.comparator} ?`);
      params.push(f.value);
    } else {
      const cmp = stringComparison(ctx.db.dialect, 'e.name', f.comparator, f.value);
      where.push(cmp.sql);
      params.push(...cmp.params);
    }
  }
  // MLflow's default is creation_time DESC, experiment_id ASC; an explicit order gets
  // experiment_id DESC as its tie-breaker (sqlalchemy_store's search_experiments).
  const order =
    orderBy.length === 0
      ? ['e.creation_time DESC', 'e.experiment_id ASC']
      : orderBy.map((o) => `e.${o.key} ${o.ascending ? 'ASC' : 'DESC'}`);
  if (!orderBy.some((o) => o.key === 'experiment_id') && orderBy.length > 0) order.push('e.experiment_id DESC');
  const rows = await ctx.db.all<ExperimentRow>(
    `SELECT ${COLUMNS} FROM experiments e WHERE ${where.join(' AND ')} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`,
    [...params, limit + 1, offset],
  );
  const items = await attachTags(ctx.db, rows.slice(0, limit));
  return rows.length > limit ? { items, nextPageToken: encodePageToken(offset + limit) } : { items };
}
