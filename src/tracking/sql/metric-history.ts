// Metric history reads: one run's full history with paging, and MLflow's bulk-interval read that
// samples the same steps across several runs so charts of long runs stay light.
import { InvalidParameter, NotFound } from '../../core/errors.js';
import type { Metric, PagedList } from '../entities.js';
import type { MetricHistoryBulkIntervalQuery, MetricHistoryQuery, MetricWithRunId } from '../store.js';
import { decodePageToken, encodePageToken } from '../search/page-token.js';
import {
  BULK_INTERVAL_MAX_RESULTS_DEFAULT,
  BULK_INTERVAL_MAX_RESULTS_THRESHOLD,
  BULK_INTERVAL_MAX_RUNS,
  METRIC_HISTORY_MAX_RESULTS_THRESHOLD,
  resolveMaxResults,
  validateRunId,
} from '../validation.js';
import { toMetric, type MetricRow } from './run-loader.js';
import { requireRun } from './run-operations.js';
import { allValues, placeholders, type SqlValue } from '../../db/sql-database.js';
import type { StoreContext } from './store-context.js';
import type { Dialect } from '../../db/dialect.js';
import { compareInt64, isInt64, readInt64, type Int64 } from '../../core/int64.js';

/** Metric columns with timestamp and step read exactly (int64 beyond 2^53 included). */
function historyColumns(d: Dialect, prefix = ''): string {
  return (
    `${prefix}value, ${d.exactInt64(`${prefix}timestamp`)} AS timestamp, ${d.exactInt64(`${prefix}step`)} AS step, ` +
    `${prefix}is_nan`
  );
}

// The whole history in one statement (the common call): the run's row left-joined to its points,
// so no row at all means no such run, and one row of NULLs a run without this metric.
const wholeHistory = (d: Dialect) => `SELECT ${historyColumns(d, 'm.')} FROM runs r
  LEFT JOIN metrics m ON m.run_uuid = r.run_uuid AND m.key = ?
  WHERE r.run_uuid = ? ORDER BY m.step, m.timestamp, m.is_nan, m.value`;

export async function getMetricHistory(
  ctx: StoreContext,
  runId: string,
  key: string,
  query: MetricHistoryQuery = {},
): Promise<PagedList<Metric>> {
  if (query.maxResults === undefined && !query.pageToken) {
    validateRunId(runId);
    const rows = await allValues<[number, unknown, unknown, number]>(ctx.db, wholeHistory(ctx.db.dialect), [
      key,
      runId,
    ]);
    if (rows.length === 0) throw new NotFound(`Run with id=${runId} not found`);
    // step is NOT NULL for every stored point, so a NULL step is the run's row without any
    if (rows[0][2] === null) return { items: [] };
    return {
      items: rows.map(([value, timestamp, step, isNan]) => ({
        key,
        value: isNan ? Number.NaN : Number(value),
        timestamp: readInt64(timestamp),
        step: readInt64(step),
      })),
    };
  }
  await requireRun(ctx.db, runId);
  // ordered by the columns, not the exact-read aliases (text sorts after numbers in SQLite)
  const sql = `SELECT m.run_uuid, m.key, ${historyColumns(ctx.db.dialect, 'm.')} FROM metrics m WHERE m.run_uuid = ? AND m.key = ?
    ORDER BY m.step, m.timestamp, m.is_nan, m.value`;
  const limit = resolveMaxResults(
    query.maxResults,
    METRIC_HISTORY_MAX_RESULTS_THRESHOLD,
    METRIC_HISTORY_MAX_RESULTS_THRESHOLD,
  );
  const offset = decodePageToken(query.pageToken);
  const rows = await ctx.db.all<MetricRow>(`${sql} LIMIT ? OFFSET ?`, [runId, key, limit + 1, offset]);
  const items = rows.slice(0, limit).map(toMetric);
  return rows.length > limit ? { items, nextPageToken: encodePageToken(offset + limit) } : { items };
}

/**
 * Picks at most maxResults steps spread evenly over the sorted distinct steps, keeping the last.
 * Steps are int64s as readInt64 gives them (a number while exact, else a bigint), so equal steps
 * are the same Set member.
 */
export function sampleSteps(sortedSteps: Int64[], maxResults: number): Int64[] {
  if (sortedSteps.length <= maxResults) return sortedSteps;
  const picked = new Set<Int64>();
  const stride = sortedSteps.length / maxResults;
  for (let i = 0; i < maxResults; i += 1) picked.add(sortedSteps[Math.floor(i * stride)]);
  picked.add(sortedSteps[sortedSteps.length - 1]);
  return [...picked].sort(compareInt64);
}

function optionalInteger(name: string, value: Int64 | undefined): void {
  if (value !== undefined && value !== null && !isInt64(value)) {
    throw new InvalidParameter(
      `Invalid value ${String(value)} for parameter '${name}' supplied. It must be an integer.`,
    );
  }
}

export async function getMetricHistoryBulkInterval(
  ctx: StoreContext,
  query: MetricHistoryBulkIntervalQuery,
): Promise<MetricWithRunId[]> {
  const runIds = [...new Set(query.runIds ?? [])];
  if (runIds.length === 0)
    throw new InvalidParameter('GetMetricHistoryBulkInterval request must specify at least one run_id.');
  if (runIds.length > BULK_INTERVAL_MAX_RUNS) {
    throw new InvalidParameter(
      `GetMetricHistoryBulkInterval request must specify at most ${BULK_INTERVAL_MAX_RUNS} run_ids. Received ${runIds.length} run_ids.`,
    );
  }
  runIds.forEach(validateRunId);
  if (typeof query.metricKey !== 'string' || query.metricKey === '') {
    throw new InvalidParameter("Missing value for required parameter 'metric_key'.");
  }
  optionalInteger('start_step', query.startStep);
  optionalInteger('end_step', query.endStep);
  const hasStart = query.startStep !== undefined && query.startStep !== null;
  const hasEnd = query.endStep !== undefined && query.endStep !== null;
  if (hasStart !== hasEnd)
    throw new InvalidParameter('If either start step or end step are specified, both must be specified.');
  if (hasStart && query.startStep! > query.endStep!) {
    throw new InvalidParameter(
      `end_step must be greater than start_step. Found start_step=${query.startStep} and end_step=${query.endStep}.`,
    );
  }
  if (
    query.maxResults !== undefined &&
    (!Number.isInteger(query.maxResults) ||
      query.maxResults < 1 ||
      query.maxResults > BULK_INTERVAL_MAX_RESULTS_THRESHOLD)
  ) {
    throw new InvalidParameter(`max_results must be between 1 and ${BULK_INTERVAL_MAX_RESULTS_THRESHOLD}.`);
  }
  const maxResults = query.maxResults ?? BULK_INTERVAL_MAX_RESULTS_DEFAULT;
  // steps beyond 2^53 read exactly (dialect.exactInt64) and bind as bigints
  const exact = (column: string) => ctx.db.dialect.exactInt64(column);
  const runWhere = `run_uuid IN (${placeholders(runIds.length)}) AND key = ?`;
  const runParams: SqlValue[] = [...runIds, query.metricKey];
  // As MLflow's handler: without bounds the range is [0, the largest step logged].
  const start = hasStart ? query.startStep! : 0;
  let end = query.endStep;
  if (end === undefined || end === null) {
    const top = await ctx.db.get<{ hi: unknown }>(
      `SELECT ${exact('MAX(step)')} AS hi FROM metrics WHERE ${runWhere}`,
      runParams,
    );
    end = top?.hi === null || top?.hi === undefined ? 0 : readInt64(top.hi);
  }
  const where = `${runWhere} AND step >= ? AND step <= ?`;
  const params: SqlValue[] = [...runParams, start, end];
  // ordered by the column, not the exact-read alias (text sorts after numbers in SQLite)
  const stepRows = await ctx.db.all<{ s: unknown }>(
    `SELECT ${exact('step')} AS s FROM (SELECT DISTINCT step FROM metrics WHERE ${where}) d ORDER BY step`,
    params,
  );
  const steps = new Set(
    sampleSteps(
      stepRows.map((r) => readInt64(r.s)),
      maxResults,
    ),
  );
  // Each run's own first and last step (within the range) are always kept, so every curve reaches its ends.
  const bounds = await ctx.db.all<{ lo: unknown; hi: unknown }>(
    `SELECT ${exact('MIN(step)')} AS lo, ${exact('MAX(step)')} AS hi FROM metrics WHERE ${runWhere} GROUP BY run_uuid`,
    runParams,
  );
  for (const b of bounds) {
    // a number and a bigint compare exactly in JS, whichever form each side has
    for (const step of [readInt64(b.lo), readInt64(b.hi)]) if (step >= start && step <= end) steps.add(step);
  }
  if (steps.size === 0) return [];
  const stepList = [...steps];
  const rows = await ctx.db.all<MetricRow>(
    `SELECT m.run_uuid, m.key, ${historyColumns(ctx.db.dialect, 'm.')} FROM metrics m
     WHERE ${runWhere} AND m.step IN (${placeholders(stepList.length)})
     ORDER BY m.run_uuid, m.step, m.timestamp, m.is_nan, m.value`,
    [...runParams, ...stepList],
  );
  const order = new Map(runIds.map((id, i) => [id, i]));
  return rows
    .map((r) => ({ ...toMetric(r), runId: r.run_uuid as string }))
    .sort((a, b) => order.get(a.runId)! - order.get(b.runId)!);
}
