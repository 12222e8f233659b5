// The runs table's data: pages of runs/search loaded as the user scrolls, never all at once. A new
// filter, order or view starts over; an answer to an older search is dropped.
import { useCallback, useEffect, useRef, useState } from 'react';
import { type RunSearch, searchRuns } from '../api/client.js';
import type { Run } from '../api/types.js';

/** Small first page so the first rows paint fast; bigger pages after. */
export const FIRST_PAGE = 100;
export const NEXT_PAGE = 500;

export interface RunPages {
  runs: Run[];
  hasMore: boolean;
  loading: boolean;
  error: unknown;
  loadMore: () => void;
  reload: () => void;
}

export function useRunPages(search: RunSearch): RunPages {
  const [runs, setRuns] = useState<Run[]>([]);
  const [token, setToken] = useState<string | undefined>();
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const inFlight = useRef(false);
  const key = JSON.stringify(search);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the search
  useEffect(() => {
    const gen = ++generation.current;
    const ctrl = new AbortController();
    inFlight.current = true;
    setLoading(true);
    setError(null);
    searchRuns({ ...search, maxResults: FIRST_PAGE }, ctrl.signal).then(
      (page) => {
        if (gen !== generation.current) return;
        inFlight.current = false;
        setRuns(page.runs ?? []);
        setToken(page.next_page_token);
        setHasMore(Boolean(page.next_page_token));
        setLoading(false);
      },
      (err: unknown) => {
        if (gen !== generation.current) return;
        inFlight.current = false;
        setRuns([]);
        setHasMore(false);
        setError(err);
        setLoading(false);
      },
    );
    return () => ctrl.abort();
  }, [key, tick]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the search
  const loadMore = useCallback(() => {
    if (inFlight.current || !token) return;
    const gen = generation.current;
    inFlight.current = true;
    setLoading(true);
    searchRuns({ ...search, maxResults: NEXT_PAGE, pageToken: token }).then(
      (page) => {
        if (gen !== generation.current) return;
        inFlight.current = false;
        setRuns((prev) => [...prev, ...(page.runs ?? [])]);
        setToken(page.next_page_token);
        setHasMore(Boolean(page.next_page_token));
        setLoading(false);
      },
      (err: unknown) => {
        if (gen !== generation.current) return;
        inFlight.current = false;
        setError(err);
        setLoading(false);
      },
    );
  }, [token, key]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { runs, hasMore, loading, error, loadMore, reload };
}
