// Run counts for the experiments list. MLflow's API has no count endpoint, so each experiment's
// active runs are paged through runs/search (1,000 a page), two experiments at a time, in the
// background; the list shows each count as it arrives.
import { useEffect, useState } from 'react';
import { searchRuns } from '../api/client.js';

const PAGE = 1000;

async function countRuns(experimentId: string, signal: AbortSignal): Promise<number> {
  let n = 0;
  let pageToken: string | undefined;
  do {
    const page = await searchRuns({ experimentIds: [experimentId], maxResults: PAGE, pageToken }, signal);
    n += page.runs?.length ?? 0;
    pageToken = page.next_page_token;
  } while (pageToken);
  return n;
}

export function useRunCounts(experimentIds: string[], version: number): Map<string, number> {
  const [counts, setCounts] = useState<Map<string, number>>(new Map());
  const key = experimentIds.join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the id list
  useEffect(() => {
    const ctrl = new AbortController();
    const queue = [...experimentIds];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined && !ctrl.signal.aborted; id = queue.shift()) {
        try {
          const n = await countRuns(id, ctrl.signal);
          if (!ctrl.signal.aborted) setCounts((prev) => new Map(prev).set(id, n));
        } catch {
          // a failed count leaves the cell empty; the list itself still works
        }
      }
    };
    void Promise.all([worker(), worker()]);
    return () => ctrl.abort();
  }, [key, version]);
  return counts;
}
