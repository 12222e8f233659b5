// Writes params, metrics and tags of one run inside a transaction, with MLflow's rules: params
// are immutable, metrics append to history and move latest_metrics forward by (step, timestamp,
// value), tags overwrite, and the `mlflow.runName` tag stays in sync with the run's name.
import { InvalidParameter } from '../../core/errors.js';
import type { Metric, Param, Tag } from '../entities.js';
import type { Dialect } from '../../db/dialect.js';
import { placeholders, type SqlExecutor, type SqlValue } from '../../db/sql-database.js';

export const RUN_NAME_TAG = 'mlflow.runName';
// Rows per multi-row INSERT: 6 columns x 150 rows stays far below every bound-parameter limit.
const ROWS_PER_INSERT = 150;

async function insertRows(
  tx: SqlExecutor,
  head: string,
  tail: string,
  width: number,
  rows: SqlValue[][],
): Promise<number> {
  const tuple = `(${placeholders(width)})`;
  let changes = 0;
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    const res = await tx.run(`${head} VALUES ${new Array(chunk.length).fill(tuple).join(', ')} ${tail}`, chunk.flat());
    changes += res.changes;
  }
  return changes;
}

/** Rejects a batch that gives one param key two different values. */
export function dedupeParams(params: Param[]): Param[] {
  const byKey = new Map<string, Param>();
  for (const p of params) {
    const seen = byKey.get(p.key);
    if (seen && seen.value !== p.value) {
      throw new InvalidParameter(
        `Duplicate parameter keys have been submitted with different values: key='${p.key}', values '${seen.value}' and '${p.value}'.`,
      );
    }
    byKey.set(p.key, p);
  }
  return [...byKey.values()];
}

async function refuseChangedParams(tx: SqlExecutor, runId: string, params: Param[]): Promise<Map<string, string>> {
  const existing = await tx.all<{ key: string; value: string }>(
    `SELECT key, value FROM params WHERE run_uuid = ? AND key IN (${placeholders(params.length)})`,
    [runId, ...params.map((p) => p.key)],
  );
  const old = new Map(existing.map((r) => [r.key, r.value]));
  const changed = params.filter((p) => old.has(p.key) && old.get(p.key) !== p.value);
  if (changed.length > 0) {
    const detail = changed
      .map((p) => `key='${p.key}', old value='${old.get(p.key)}', new value='${p.value}'`)
      .join('; ');
    throw new InvalidParameter(
      `Changing param values is not allowed. Params were already logged for run ID='${runId}': ${detail}.`,
    );
  }
  return old;
}

export async function writeParams(tx: SqlExecutor, runId: string, params: Param[]): Promise<void> {
  if (params.length === 0) return;
  const unique = dedupeParams(params);
  const old = await refuseChangedParams(tx, runId, unique);
  const fresh = unique.filter((p) => !old.has(p.key));
  if (fresh.length === 0) return;
  // Another writer may insert the same key between the check and the insert (two processes
  // logging one run's params, PostgreSQL's read committed). The insert then skips that key, and
  // the check runs again against the committed row: the same value is kept, a different one refused.
  const inserted = await insertRows(
    tx,
    'INSERT INTO params (run_uuid, key, value)',
    'ON CONFLICT (run_uuid, key) DO NOTHING',
    3,
    fresh.map((p) => [runId, p.key, p.value]),
  );
  if (inserted < fresh.length) await refuseChangedParams(tx, runId, fresh);
}

/** MLflow's "is newer" rule for latest_metrics: compare (step, timestamp, value) in that order. */
export function isNewerMetric(candidate: Metric, current: Metric): boolean {
  if (candidate.step !== current.step) return candidate.step > current.step;
  if (candidate.timestamp !== current.timestamp) return candidate.timestamp > current.timestamp;
  return candidate.value > current.value; // false whenever either value is NaN, as in Python
}

export async function writeMetrics(tx: SqlExecutor, dialect: Dialect, runId: string, metrics: Metric[]): Promise<void> {
  if (metrics.length === 0) return;
  const rows = metrics.map((m) => [
    runId,
    m.key,
    dialect.encodeMetricValue(m.value),
    m.timestamp,
    m.step,
    Number.isNaN(m.value) ? 1 : 0,
  ]);
  // Logging the exact same point twice is a no-op (it is the whole primary key).
  await insertRows(
    tx,
    'INSERT INTO metrics (run_uuid, key, value, timestamp, step, is_nan)',
    'ON CONFLICT DO NOTHING',
    6,
    rows,
  );
  const newest = new Map<string, Metric>();
  for (const m of metrics) {
    const seen = newest.get(m.key);
    if (!seen || isNewerMetric(m, seen)) newest.set(m.key, m);
  }
  // Rows in key order: concurrent transactions then lock rows in one order and cannot deadlock.
  const latestRows = [...newest.values()]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((m) => [runId, m.key, dialect.encodeMetricValue(m.value), m.timestamp, m.step, Number.isNaN(m.value) ? 1 : 0]);
  // The condition is evaluated by the database against the committed row, so concurrent
  // writers of the same metric can never move latest_metrics backwards.
  await insertRows(
    tx,
    'INSERT INTO latest_metrics (run_uuid, key, value, timestamp, step, is_nan)',
    `
    ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp,
      step = excluded.step, is_nan = excluded.is_nan
    WHERE excluded.step > latest_metrics.step
       OR (excluded.step = latest_metrics.step AND excluded.timestamp > latest_metrics.timestamp)
       OR (excluded.step = latest_metrics.step AND excluded.timestamp = latest_metrics.timestamp
           AND excluded.is_nan = 0 AND latest_metrics.is_nan = 0 AND excluded.value > latest_metrics.value)`,
    6,
    latestRows,
  );
}

export async function writeTags(tx: SqlExecutor, runId: string, tags: Tag[]): Promise<void> {
  if (tags.length === 0) return;
  // Last value wins within a batch, as when the tags are set one after another.
  const byKey = new Map(tags.map((t) => [t.key, t]));
  await insertRows(
    tx,
    'INSERT INTO tags (run_uuid, key, value)',
    'ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value',
    3,
    [...byKey.values()]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((t) => [runId, t.key, t.value]),
  );
  const runName = byKey.get(RUN_NAME_TAG);
  if (runName) await tx.run('UPDATE runs SET name = ? WHERE run_uuid = ?', [runName.value, runId]);
}
