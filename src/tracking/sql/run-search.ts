// Executes a run search: validates the query, walks the compiled segments with LIMIT/OFFSET
// (counting a segment only when a page starts beyond it), then loads the page's runs. A server's
// store (with a run cache) reuses the page's run ids while nothing has been written since.
import type { PagedList, Run } from '../entities.js';
import type { SearchRunsQuery } from '../store.js';
import { decodePageToken, encodePageToken } from '../search/page-token.js';
import { parseRunFilter, parseRunOrderBy, type RunFilterClause } from '../search/run-filter.js';
import { InvalidParameter } from '../../core/errors.js';
import {
  MAX_JOINED_FILTERS,
  SEARCH_RUNS_MAX_RESULTS_DEFAULT,
  SEARCH_RUNS_MAX_RESULTS_THRESHOLD,
  resolveMaxResults,
} from '../validation.js';
import {
  compileRunSearch,
  compileSelectivityProbe,
  isProbeable,
  lifecycleStages,
  type RunSearchDriver,
  type RunSearchSpec,
} from './run-search-compiler.js';
import type { CachedSearchPage } from './run-cache.js';
import { experimentIdNumber } from './experiment-operations.js';
import { loadRunsCached, type SyncedRunCache } from './run-loader.js';
import type { StoreContext } from './store-context.js';

// A filter matching fewer index entries than this drives the query; reading that many is ~1 ms.
const PROBE_CAP = 2000;

/**
 * For engines that follow the written join order, counts (up to PROBE_CAP) the matches of each
 * indexable filter and drives the query from the most selective one; with none selective, walks
 * the order key's index. Engines with a cost-based planner get no hint.
 */
async function chooseDriver(ctx: StoreContext, filters: RunFilterClause[]): Promise<RunSearchDriver | undefined> {
  const dialect = ctx.db.dialect;
  if (!dialect.followsJoinOrder) return undefined;
  if (
    filters.some(
      (c) => c.entity === 'attribute' && c.key === 'run_id' && (c.comparator === '=' || c.comparator === 'IN'),
    )
  ) {
    return { kind: 'planner' }; // run ids are the primary key: nothing beats looking them up
  }
  let best: { clauseIndex: number; n: number } | undefined;
  for (const [clauseIndex, clause] of filters.entries()) {
    // only a joined filter can drive (the compiler tests those past MAX_JOINED_FILTERS with EXISTS)
    if (!isProbeable(clause) || clauseIndex >= MAX_JOINED_FILTERS) continue;
    const probe = compileSelectivityProbe(dialect, clause, PROBE_CAP);
    const n = Number((await ctx.db.get<{ n: number }>(probe.sql, probe.params))?.n ?? 0);
    if (n < PROBE_CAP && (!best || n < best.n)) best = { clauseIndex, n };
  }
  return best ? { kind: 'filter', clauseIndex: best.clauseIndex } : { kind: 'order-key' };
}

export async function searchRuns(ctx: StoreContext, query: SearchRunsQuery): Promise<PagedList<Run>> {
  const limit = resolveMaxResults(query.maxResults, SEARCH_RUNS_MAX_RESULTS_DEFAULT, SEARCH_RUNS_MAX_RESULTS_THRESHOLD);
  const offset = decodePageToken(query.pageToken);
  const filters = parseRunFilter(query.filter);
  const orderBy = parseRunOrderBy(query.orderBy);
  if (!Array.isArray(query.experimentIds))
    throw new InvalidParameter("Invalid value for parameter 'experiment_ids': a list of experiment ids is required.");
  // Unknown or malformed experiment ids simply match nothing, as in MLflow.
  const experimentIds = query.experimentIds.filter((id) => {
    try {
      experimentIdNumber(id);
      return true;
    } catch {
      return false;
    }
  });
  if (experimentIds.length === 0) return { items: [] };

  const cached = await syncedRunCache(ctx);
  const key = cached
    ? JSON.stringify([
        experimentIds,
        lifecycleStages(query.viewType),
        query.filter ?? '',
        query.orderBy ?? [],
        limit,
        offset,
      ])
    : '';
  let page = cached?.cache.getPage(key);
  if (page === undefined) {
    page = await searchPageIds(ctx, { experimentIds, viewType: query.viewType, filters, orderBy }, limit, offset);
    cached?.cache.putPage(cached.token, key, page);
  }
  const items = await loadRunsCached(ctx.db, page.runIds, cached);
  return page.nextPageToken !== undefined ? { items, nextPageToken: page.nextPageToken } : { items };
}

/**
 * The store's run cache synced with the database's current change token, or undefined when the
 * store keeps none. The token is read before any SQL, so what gets cached under it is at least as
 * new as it.
 */
async function syncedRunCache(ctx: StoreContext): Promise<SyncedRunCache | undefined> {
  const cache = ctx.runCache;
  const token = cache ? await ctx.db.changeToken?.() : undefined;
  if (cache === undefined || token === undefined) return undefined;
  cache.sync(token);
  return { cache, token };
}

/** Runs the search in SQL: the ids of one page of matching runs, in order. */
async function searchPageIds(
  ctx: StoreContext,
  spec: Omit<RunSearchSpec, 'driver'>,
  limit: number,
  offset: number,
): Promise<CachedSearchPage> {
  const driver = await chooseDriver(ctx, spec.filters);
  const segments = compileRunSearch(ctx.db.dialect, { ...spec, driver });
  const want = limit + 1; // one extra row tells whether another page exists
  const ids: string[] = [];
  let skip = offset;
  for (const segment of segments) {
    if (ids.length >= want) break;
    const rows = await ctx.db.all<{ run_uuid: string }>(`${segment.select.sql} LIMIT ? OFFSET ?`, [
      ...segment.select.params,
      want - ids.length,
      skip,
    ]);
    if (rows.length > 0) {
      ids.push(...rows.map((r) => r.run_uuid));
      skip = 0;
    } else if (skip > 0) {
      const counted = await ctx.db.get<{ n: number }>(segment.count.sql, segment.count.params);
      skip = Math.max(0, skip - Number(counted?.n ?? 0));
    }
  }
  return ids.length > limit
    ? { runIds: ids.slice(0, limit), nextPageToken: encodePageToken(offset + limit) }
    : { runIds: ids };
}
