// Registered model and model version searches compiled to one SQL query each (filter, order,
// LIMIT/OFFSET paging with MLflow's offset page tokens); nothing is filtered in memory.
import type { PagedList } from '../../tracking/entities.js';
import { decodePageToken, encodePageToken } from '../../tracking/search/page-token.js';
import type { Dialect } from '../../db/dialect.js';
import { stringComparison } from '../../tracking/sql/run-search-compiler.js';
import type { SqlDatabase, SqlValue } from '../../db/sql-database.js';
import { resolveMaxResults } from '../../tracking/validation.js';
import type { ModelVersion, RegisteredModel } from '../entities.js';
import {
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
  type RegistryFilterClause,
} from '../search/registry-filter.js';
import type { SearchRegistryQuery } from '../store.js';
import {
  SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
  SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD,
  STAGE_DELETED_INTERNAL,
} from '../validation.js';
import {
  MODEL_COLUMNS,
  VERSION_COLUMNS,
  loadModels,
  loadVersions,
  type ModelRow,
  type VersionRow,
} from './registry-loader.js';

interface Where {
  sql: string[];
  params: SqlValue[];
}

const INT32_MAX = 2_147_483_647;

const VERSION_ATTRIBUTE_COLUMNS = {
  name: 'mv.name',
  run_id: 'mv.run_id',
  source_path: 'mv.source',
  version_number: 'mv.version',
} as const;

function compileClauses(
  dialect: Dialect,
  clauses: RegistryFilterClause[],
  target: 'model' | 'version',
  where: Where,
): void {
  for (const c of clauses) {
    if (c.entity === 'tag') {
      const cmp = stringComparison(dialect, 't.value', c.comparator, c.value);
      where.sql.push(
        target === 'model'
          ? `EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.name = rm.name AND t.key = ? AND ${cmp.sql})`
          : `EXISTS (SELECT 1 FROM model_version_tags t WHERE t.name = mv.name AND t.version = mv.version AND t.key = ? AND ${cmp.sql})`,
      );
      where.params.push(c.key, ...cmp.params);
    } else if (c.key === 'version_number') {
      // PostgreSQL types the placeholder like the INTEGER column, so 1.5 or 1e12 would fail to bind.
      const fitsColumn = Number.isInteger(c.value) && Math.abs(c.value) <= INT32_MAX;
      where.sql.push(`${fitsColumn ? 'mv.version' : 'CAST(mv.version AS DOUBLE PRECISION)'} ${c.comparator} ?`);
      where.params.push(c.value);
    } else {
      const column = target === 'model' ? 'rm.name' : VERSION_ATTRIBUTE_COLUMNS[c.key];
      const cmp = stringComparison(dialect, column, c.comparator, c.value);
      where.sql.push(cmp.sql);
      where.params.push(...cmp.params);
    }
  }
}

function page<T>(rows: T[], limit: number, offset: number): { rows: T[]; nextPageToken?: string } {
  return rows.length > limit
    ? { rows: rows.slice(0, limit), nextPageToken: encodePageToken(offset + limit) }
    : { rows };
}

export async function searchRegisteredModels(
  db: SqlDatabase,
  query: SearchRegistryQuery,
): Promise<PagedList<RegisteredModel>> {
  const limit = resolveMaxResults(
    query.maxResults,
    SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
    SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD,
  );
  const offset = decodePageToken(query.pageToken);
  const where: Where = { sql: [], params: [] };
  compileClauses(db.dialect, parseRegisteredModelFilter(query.filter), 'model', where);
  const orderBy = parseRegisteredModelOrderBy(query.orderBy);
  const order = orderBy.map(
    (o) => `rm.${o.key === 'name' ? 'name' : 'last_updated_time'} ${o.ascending ? 'ASC' : 'DESC'}`,
  );
  if (!orderBy.some((o) => o.key === 'name')) order.push('rm.name ASC');
  const rows = await db.all<ModelRow>(
    `SELECT ${MODEL_COLUMNS} FROM registered_models rm ${where.sql.length ? `WHERE ${where.sql.join(' AND ')}` : ''}
     ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`,
    [...where.params, limit + 1, offset],
  );
  const result = page(rows, limit, offset);
  const items = await loadModels(db, result.rows);
  return result.nextPageToken ? { items, nextPageToken: result.nextPageToken } : { items };
}

const VERSION_ORDER_COLUMNS = {
  name: 'mv.name',
  version_number: 'mv.version',
  creation_timestamp: 'mv.creation_time',
  last_updated_timestamp: 'mv.last_updated_time',
} as const;

export async function searchModelVersions(
  db: SqlDatabase,
  query: SearchRegistryQuery,
): Promise<PagedList<ModelVersion>> {
  const limit = resolveMaxResults(
    query.maxResults,
    SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
    SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
  );
  const offset = decodePageToken(query.pageToken);
  const where: Where = { sql: ['mv.current_stage != ?'], params: [STAGE_DELETED_INTERNAL] };
  compileClauses(db.dialect, parseModelVersionFilter(query.filter), 'version', where);
  // MLflow's default order, then name ASC and version DESC as tie-breakers when not given.
  const orderBy = parseModelVersionOrderBy(
    query.orderBy?.length ? query.orderBy : ['last_updated_timestamp DESC', 'name ASC', 'version_number DESC'],
  );
  const order = orderBy.map((o) => `${VERSION_ORDER_COLUMNS[o.key]} ${o.ascending ? 'ASC' : 'DESC'}`);
  if (!orderBy.some((o) => o.key === 'name')) order.push('mv.name ASC');
  if (!orderBy.some((o) => o.key === 'version_number')) order.push('mv.version DESC');
  const rows = await db.all<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM model_versions mv WHERE ${where.sql.join(' AND ')} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`,
    [...where.params, limit + 1, offset],
  );
  const result = page(rows, limit, offset);
  const items = await loadVersions(db, result.rows);
  return result.nextPageToken ? { items, nextPageToken: result.nextPageToken } : { items };
}
