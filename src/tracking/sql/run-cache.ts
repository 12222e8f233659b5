// A bounded cache of complete runs for a long-lived server process, so repeated searches (a runs
// table polled by the UI, a dashboard, a tuning loop comparing trials) read a run's params, tags
// and latest metrics once instead of on every call. It also keeps the run ids of recent search
// pages, so the same search repeated while nothing was written skips its SQL as well.
//
// Correctness rests on the database's change token (SqlDatabase.changeToken): it changes after any
// write committed by this process or, for SQLite, by any other connection to the file. Every
// cached read first syncs the cache with the current token (a different token empties it), and a
// run (or search page) read after reading token T is stored only while the cache is still at T. A run read from
// the database after T reflects every write up to T, so nothing older than the caller's own start
// is ever served. Engines without a cheap token (PostgreSQL) are never cached.
//
// Cached runs are deep-frozen and shared between callers: they are read-only.
import type { Run } from '../entities.js';

/** About 5 KB per run of 10 params, 10 metrics and a few tags, with its JSON text. */
export const DEFAULT_RUN_CACHE_CAPACITY = 10_000;

/** The run ids of one search page, in order, and the token of the next page. */
export interface CachedSearchPage {
  readonly runIds: readonly string[];
  readonly nextPageToken?: string;
}

/** Search pages kept, and the run ids they may hold in all (a page holds up to 50,000). */
const MAX_PAGES = 256;
const MAX_PAGE_IDS = 100_000;

export class RunCache {
  private token: string | undefined;
  private readonly runs = new Map<string, Run>();
  private readonly pages = new Map<string, CachedSearchPage>();
  private pageIds = 0;

  constructor(readonly capacity = DEFAULT_RUN_CACHE_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`run cache capacity must be an integer >= 1, got ${capacity}`);
  }

  get size(): number {
    return this.runs.size;
  }

  /** Empties the cache when the database changed since the runs in it were read. */
  sync(token: string): void {
    if (token === this.token) return;
    this.runs.clear();
    this.pages.clear();
    this.pageIds = 0;
    this.token = token;
  }

  /** The cached run (most recently used from now on), or undefined. */
  get(runId: string): Run | undefined {
    return touch(this.runs, runId);
  }

  /**
   * Stores runs read from the database after `token` was current; ignored when the cache has moved
   * on to another token meanwhile (the runs may then predate a write another reader has seen).
   * Freezes the runs: callers share them.
   */
  put(token: string, runs: Run[]): void {
    if (token !== this.token) return;
    for (const run of runs) {
      this.runs.delete(run.info.runId);
      this.runs.set(run.info.runId, deepFreeze(run));
      if (this.runs.size > this.capacity) this.runs.delete(this.runs.keys().next().value as string);
    }
  }

  /** A search page cached under this key (most recently used from now on), or undefined. */
  getPage(key: string): CachedSearchPage | undefined {
    return touch(this.pages, key);
  }

  /** Stores (and freezes) a search page computed after `token` was current; ignored, as put() is, once the token moved. */
  putPage(token: string, key: string, page: CachedSearchPage): void {
    if (token !== this.token || page.runIds.length > MAX_PAGE_IDS) return;
    const old = this.pages.get(key);
    if (old) {
      this.pages.delete(key);
      this.pageIds -= old.runIds.length;
    }
    this.pages.set(key, Object.freeze({ ...page, runIds: Object.freeze(page.runIds) }));
    this.pageIds += page.runIds.length;
    while (this.pages.size > MAX_PAGES || this.pageIds > MAX_PAGE_IDS) {
      const [oldestKey, oldest] = this.pages.entries().next().value as [string, CachedSearchPage];
      this.pages.delete(oldestKey);
      this.pageIds -= oldest.runIds.length;
    }
  }
}

/** The entry under key, moved to the most recently used end of the map (its insertion order). */
function touch<V>(map: Map<string, V>, key: string): V | undefined {
  const value = map.get(key);
  if (value !== undefined) {
    map.delete(key);
    map.set(key, value);
  }
  return value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
