// Compiles validated run filters and order_by keys into SQL. When the first order key's index
// drives the query, the result is a list of "segments": runs that have a value for the key
// (ordered by it), runs whose metric is NaN, and runs missing it. Each segment's ORDER BY starts
// with a plain indexed column, so the database can walk an index and stop at LIMIT instead of
// sorting every match; and MLflow's rule "runs missing the key sort last, whatever the direction"
// falls out. When a filter drives it instead, the few matches are sorted in one query.
import type { ViewType } from '../entities.js';
import type { RunFilterClause, RunOrderBy } from '../search/run-filter.js';
import type { Comparator } from '../search/filter-parser.js';
import type { Dialect } from '../../db/dialect.js';
import { placeholders, type SqlValue } from '../../db/sql-database.js';
import { VALUE_PREFIX_LENGTH } from './migrations.js';
import { MAX_JOINED_FILTERS } from '../validation.js';

export interface SqlFragment {
  sql: string;
  params: SqlValue[];
}

export interface RunSearchSegment {
  /** SELECT r.run_uuid ... ORDER BY ... (without LIMIT/OFFSET). */
  select: SqlFragment;
  /** SELECT COUNT(*) AS n ... over the same rows, for paging past the segment. */
  count: SqlFragment;
}

const ATTRIBUTE_COLUMNS: Record<string, string> = {
  run_id: 'r.run_uuid',
  run_name: 'r.name',
  status: 'r.status',
  artifact_uri: 'r.artifact_uri',
  user_id: 'r.user_id',
  start_time: 'r.start_time',
  end_time: 'r.end_time',
};

export function lifecycleStages(viewType: ViewType | undefined): string[] {
  if (viewType === 'DELETED_ONLY') return ['deleted'];
  if (viewType === 'ALL') return ['active', 'deleted'];
  return ['active'];
}

/** `column <comparator> ?` for string comparators, with the bound values. */
export function stringComparison(
  dialect: Dialect,
  column: string,
  comparator: Comparator,
  value: string | string[],
): SqlFragment {
  const values = Array.isArray(value) ? value : [value];
  switch (comparator) {
    case '=':
      return { sql: `${column} = ?`, params: values };
    case '!=':
      return { sql: `${column} != ?`, params: values };
    case 'LIKE':
      return { sql: dialect.like(column), params: [dialect.likePattern(values[0])] };
    case 'ILIKE':
      return { sql: dialect.ilike(column), params: values };
    case 'IN':
      return { sql: `${column} IN (${placeholders(values.length)})`, params: values };
    case 'NOT IN':
      return { sql: `${column} NOT IN (${placeholders(values.length)})`, params: values };
    default:
      throw new Error(`unexpected string comparator ${comparator}`);
  }
}

function metricComparison(alias: string, comparator: Comparator, value: number): SqlFragment {
  // NaN equals nothing and differs from everything, as in IEEE arithmetic.
  if (comparator === '!=') return { sql: `(${alias}.is_nan = 1 OR ${alias}.value != ?)`, params: [value] };
  return { sql: `${alias}.is_nan = 0 AND ${alias}.value ${comparator} ?`, params: [value] };
}

/** The indexed prefix of a param or tag value (see migration 2); long values cannot be indexed whole. */
export function valuePrefix(alias: string): string {
  return `substr(${alias}.value, 1, ${VALUE_PREFIX_LENGTH})`;
}

/** The same prefix computed in JS: SQL substr counts characters (code points), not UTF-16 units. */
function prefixOf(value: string): string {
  return Array.from(value).slice(0, VALUE_PREFIX_LENGTH).join('');
}

/** Filters that pick few runs through an index; with one present the planner chooses the join order. */
function isSelective(clause: RunFilterClause): boolean {
  const equality = clause.comparator === '=' || clause.comparator === 'IN';
  if (clause.entity === 'param' || clause.entity === 'tag') return equality;
  return clause.entity === 'attribute' && clause.key === 'run_id' && equality;
}

/** An inner join on a per-(run, key) table that a filter clause needs; may also drive the query. */
interface FilterJoin {
  clauseIndex: number;
  table: string;
  alias: string;
  cond: SqlFragment;
}

interface Builder {
  filterJoins: FilterJoin[];
  /** LEFT JOINs for secondary order keys. */
  joins: string[];
  joinParams: SqlValue[];
  where: string[];
  whereParams: SqlValue[];
}

function joinCondition(fj: FilterJoin): SqlFragment {
  // cond.params starts with the key, matching the `key = ?` placeholder.
  return {
    sql: `${fj.alias}.run_uuid = r.run_uuid AND ${fj.alias}.key = ? AND ${fj.cond.sql}`,
    params: fj.cond.params,
  };
}

function keyTable(entity: 'metric' | 'param' | 'tag'): string {
  return entity === 'metric' ? 'latest_metrics' : entity === 'param' ? 'params' : 'tags';
}

function addFilter(dialect: Dialect, b: Builder, clause: RunFilterClause, index: number): void {
  const alias = `f${index}`;
  if (clause.entity === 'attribute') {
    const column = ATTRIBUTE_COLUMNS[clause.key];
    const frag =
      typeof clause.value === 'number'
        ? { sql: `${column} ${clause.comparator} ?`, params: [clause.value] }
        : stringComparison(dialect, column, clause.comparator, clause.value as string | string[]);
    b.where.push(frag.sql);
    b.whereParams.push(...frag.params);
    return;
  }
  if (clause.entity === 'dataset') {
    const field = clause.key === 'context' ? 'it.value' : clause.key === 'name' ? 'd.name' : 'd.digest';
    const contextJoin =
      clause.key === 'context'
        ? "JOIN input_tags it ON it.input_uuid = i.input_uuid AND it.name = 'mlflow.data.context'"
        : '';
    const frag = stringComparison(dialect, field, clause.comparator, clause.value as string | string[]);
    b.where.push(`EXISTS (SELECT 1 FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id ${contextJoin}
      WHERE i.source_type = 'DATASET' AND i.destination_type = 'RUN' AND i.destination_id = r.run_uuid AND ${frag.sql})`);
    b.whereParams.push(...frag.params);
    return;
  }
  const table = keyTable(clause.entity);
  if (clause.comparator === 'IS NULL' || clause.comparator === 'IS NOT NULL') {
    const not = clause.comparator === 'IS NULL' ? 'NOT ' : '';
    b.where.push(
      `${not}EXISTS (SELECT 1 FROM ${table} ${alias} WHERE ${alias}.run_uuid = r.run_uuid AND ${alias}.key = ?)`,
    );
    b.whereParams.push(clause.key);
    return;
  }
  // One row per (run, key) in each of these tables, so an inner join never duplicates runs.
  const cond: SqlFragment =
    clause.entity === 'metric'
      ? metricComparison(alias, clause.comparator, clause.value as number)
      : stringComparison(dialect, `${alias}.value`, clause.comparator, clause.value as string | string[]);
  if (clause.entity !== 'metric' && (clause.comparator === '=' || clause.comparator === 'IN')) {
    // Also compare the indexed prefix, so the (key, value prefix) index can find the rows.
    const values = Array.isArray(clause.value) ? clause.value : [clause.value as string];
    const prefix = stringComparison(dialect, valuePrefix(alias), clause.comparator, values.map(prefixOf));
    cond.sql += ` AND ${prefix.sql}`;
    cond.params.push(...prefix.params);
  }
  const join = { clauseIndex: index, table, alias, cond: { sql: cond.sql, params: [clause.key, ...cond.params] } };
  if (b.filterJoins.length < joinBudget(dialect)) {
    b.filterJoins.push(join);
    return;
  }
  // The same test as a lookup on the (run, key) primary key per candidate run. A scalar subquery,
  // not EXISTS: PostgreSQL turns EXISTS into a semi-join and plans it with all the others.
  const on = joinCondition(join);
  b.where.push(`(SELECT 1 FROM ${table} ${alias} WHERE ${on.sql} LIMIT 1) IS NOT NULL`);
  b.whereParams.push(...on.params);
}

/**
 * Key comparisons compiled as joins. SQLite follows the written order and allows 64 tables; a
 * cost-based planner (PostgreSQL) searches join orders, and past a handful of joins planning time
 * grows steeply (30 joins: a second), so beyond these it gets per-run lookups.
 */
function joinBudget(dialect: Dialect): number {
  return dialect.followsJoinOrder ? MAX_JOINED_FILTERS : PLANNED_JOINED_FILTERS;
}
const PLANNED_JOINED_FILTERS = 6;

/** ORDER BY terms for a key that is LEFT JOINed and sorted with missing (then NaN) values last. */
function addSecondaryOrder(b: Builder, key: RunOrderBy, index: number, terms: string[]): void {
  const dir = key.ascending ? 'ASC' : 'DESC';
  if (key.entity === 'attribute') {
    const column = ATTRIBUTE_COLUMNS[key.key];
    terms.push(`CASE WHEN ${column} IS NULL THEN 1 ELSE 0 END`, `${column} ${dir}`);
    return;
  }
  const alias = `o${index}`;
  b.joins.push(`LEFT JOIN ${keyTable(key.entity)} ${alias} ON ${alias}.run_uuid = r.run_uuid AND ${alias}.key = ?`);
  b.joinParams.push(key.key);
  const missing = `CASE WHEN ${alias}.run_uuid IS NULL THEN 2 ${key.entity === 'metric' ? `WHEN ${alias}.is_nan = 1 THEN 1 ` : ''}ELSE 0 END`;
  terms.push(missing, `${alias}.value ${dir}`);
}

/**
 * A segment either filters runs (where) or is driven by the order key's table (driver): then the
 * query reads `FROM <table> o0 CROSS JOIN runs r`. SQLite never reorders the two sides of a CROSS
 * JOIN, so it walks the (key, is_nan, value) index in order and stops at LIMIT instead of sorting
 * every match; PostgreSQL treats CROSS JOIN plus WHERE as a plain join and plans it freely.
 */
interface SegmentSpec {
  driver?: { table: string; on: string };
  joinParams: SqlValue[];
  where?: string;
  whereParams: SqlValue[];
  order: string[];
}

/** The segments of the first order key, in the order they appear in results. */
function firstKeySegments(key: RunOrderBy): SegmentSpec[] {
  const dir = key.ascending ? 'ASC' : 'DESC';
  if (key.entity === 'attribute') {
    const column = ATTRIBUTE_COLUMNS[key.key];
    return [
      { where: `${column} IS NOT NULL`, joinParams: [], whereParams: [], order: [`${column} ${dir}`] },
      { where: `${column} IS NULL`, joinParams: [], whereParams: [], order: [] },
    ];
  }
  const table = keyTable(key.entity);
  const on = `o0.run_uuid = r.run_uuid AND o0.key = ?`;
  const missing: SegmentSpec = {
    where: `NOT EXISTS (SELECT 1 FROM ${table} o0 WHERE ${on})`,
    joinParams: [],
    whereParams: [key.key],
    order: [],
  };
  if (key.entity !== 'metric') {
    // Ordering by the indexed prefix first lets the index deliver rows in order; ties on the prefix
    // fall back to the whole value, so the result order is that of the full value.
    return [
      {
        driver: { table, on },
        joinParams: [key.key],
        whereParams: [],
        order: [`${valuePrefix('o0')} ${dir}`, `o0.value ${dir}`],
      },
      missing,
    ];
  }
  return [
    {
      driver: { table, on: `${on} AND o0.is_nan = 0` },
      joinParams: [key.key],
      whereParams: [],
      order: [`o0.value ${dir}`],
    },
    { driver: { table, on: `${on} AND o0.is_nan = 1` }, joinParams: [key.key], whereParams: [], order: [] },
    missing,
  ];
}

/**
 * Which table drives the query. SQLite runs a CROSS JOIN in the written order, so the store picks:
 * the first order key's index when filters match many runs (walk in order, stop at LIMIT), a
 * selective filter's index when it matches few (read them, sort a handful). PostgreSQL plans
 * CROSS JOIN plus WHERE like any join and ignores the hint.
 */
export type RunSearchDriver = { kind: 'order-key' } | { kind: 'filter'; clauseIndex: number } | { kind: 'planner' };

export interface RunSearchSpec {
  experimentIds: string[];
  viewType?: ViewType;
  filters: RunFilterClause[];
  orderBy: RunOrderBy[];
  /** Default: the planner when a param/tag/run_id equality filter exists, else the order key. */
  driver?: RunSearchDriver;
}

/** Filters whose matches an index can count cheaply; see compileSelectivityProbe. */
export function isProbeable(clause: RunFilterClause): boolean {
  if (clause.entity === 'metric') return ['=', '<', '<=', '>', '>='].includes(clause.comparator);
  return (
    (clause.entity === 'param' || clause.entity === 'tag') && (clause.comparator === '=' || clause.comparator === 'IN')
  );
}

/** `SELECT COUNT(*) AS n` of at most `cap` rows matching one filter clause, for choosing the driver. */
export function compileSelectivityProbe(dialect: Dialect, clause: RunFilterClause, cap: number): SqlFragment {
  const b: Builder = { filterJoins: [], joins: [], joinParams: [], where: [], whereParams: [] };
  addFilter(dialect, b, clause, 0);
  const fj = b.filterJoins[0];
  return {
    sql: `SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${fj.table} ${fj.alias} WHERE ${fj.alias}.key = ? AND ${fj.cond.sql} LIMIT ?) probe`,
    params: [...fj.cond.params, cap],
  };
}

function render(pieces: SqlFragment[], sep: string): SqlFragment {
  return { sql: pieces.map((p) => p.sql).join(sep), params: pieces.flatMap((p) => p.params) };
}

export function compileRunSearch(dialect: Dialect, spec: RunSearchSpec): RunSearchSegment[] {
  // MLflow's default order, and its tie-break: start_time DESC (unless already ordered by it), then run id.
  const orderBy =
    spec.orderBy.length > 0
      ? spec.orderBy
      : [{ entity: 'attribute', key: 'start_time', ascending: false } as RunOrderBy];
  const b: Builder = { filterJoins: [], joins: [], joinParams: [], where: [], whereParams: [] };
  const stages = lifecycleStages(spec.viewType);
  const expIds = spec.experimentIds.map((id) => Number(id));
  b.where.push(
    `r.experiment_id IN (${placeholders(expIds.length)})`,
    `r.lifecycle_stage IN (${placeholders(stages.length)})`,
  );
  b.whereParams.push(...expIds, ...stages);
  spec.filters.forEach((clause, i) => addFilter(dialect, b, clause, i));
  const driver: RunSearchDriver =
    spec.driver ?? (spec.filters.some(isSelective) ? { kind: 'planner' } : { kind: 'order-key' });
  // Unless the first key's index drives the query, the matches get sorted anyway: then one query
  // orders by every key the way later keys are ordered (missing and NaN last), instead of
  // reading the filter's matches once per segment.
  const oneQuery = driver.kind !== 'order-key';
  const secondary: string[] = [];
  orderBy.forEach((key, i) => {
    if (i > 0 || oneQuery) addSecondaryOrder(b, key, i, secondary);
  });
  const tieBreak = orderBy.some((k) => k.entity === 'attribute' && k.key === 'start_time') ? [] : ['r.start_time DESC'];
  tieBreak.push('r.run_uuid ASC');
  const drivingFilter =
    driver.kind === 'filter' ? b.filterJoins.find((f) => f.clauseIndex === driver.clauseIndex) : undefined;
  const segments: SegmentSpec[] = oneQuery
    ? [{ joinParams: [], whereParams: [], order: [] }]
    : firstKeySegments(orderBy[0]);

  return segments.map((seg) => {
    // Textual order matters: parameters are bound in the order their placeholders appear.
    const from: SqlFragment[] = [];
    const where: SqlFragment[] = [];
    const segOn = seg.driver ? { sql: seg.driver.on, params: seg.joinParams } : undefined;
    if (seg.driver && segOn && driver.kind === 'order-key') {
      from.push({ sql: `${seg.driver.table} o0 CROSS JOIN runs r`, params: [] });
      where.push(segOn);
    } else if (drivingFilter) {
      from.push({ sql: `${drivingFilter.table} ${drivingFilter.alias} CROSS JOIN runs r`, params: [] });
      where.push(joinCondition(drivingFilter));
    } else {
      from.push({ sql: 'runs r', params: [] });
    }
    if (seg.driver && segOn && driver.kind !== 'order-key')
      from.push({ sql: `JOIN ${seg.driver.table} o0 ON ${segOn.sql}`, params: segOn.params });
    for (const fj of b.filterJoins) {
      if (fj === drivingFilter) continue;
      const on = joinCondition(fj);
      from.push({ sql: `JOIN ${fj.table} ${fj.alias} ON ${on.sql}`, params: on.params });
    }
    from.push({ sql: b.joins.join(' '), params: b.joinParams });
    where.push({ sql: b.where.join(' AND '), params: b.whereParams });
    if (seg.where) where.push({ sql: seg.where, params: seg.whereParams });
    const f = render(from, ' ');
    const w = render(where, ' AND ');
    const body = `FROM ${f.sql} WHERE ${w.sql}`;
    const order = [...seg.order, ...secondary, ...tieBreak].join(', ');
    const params = [...f.params, ...w.params];
    return {
      select: { sql: `SELECT r.run_uuid ${body} ORDER BY ${order}`, params },
      count: { sql: `SELECT COUNT(*) AS n ${body}`, params },
    };
  });
}
