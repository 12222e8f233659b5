// The monitoring page's reads: the `Model_Monitoring` experiment (absent until `cairn monitor` first
// runs) and its runs for one model, newest passes first, a bounded number of pages.
import { MONITORING_EXPERIMENT, monitorFilter } from '../lib/monitoring.js';
import { searchExperiments, searchRuns } from './client.js';
import type { Experiment, Run } from './types.js';

/**
 * The monitoring experiment, or null when no monitor has run against this server yet. A search, not
 * get-by-name, so its absence is an empty answer rather than a 404 in the browser's console.
 */
export async function getMonitoringExperiment(): Promise<Experiment | null> {
  const found = await searchExperiments('ACTIVE_ONLY', `name = '${MONITORING_EXPERIMENT}'`);
  return found.find((e) => e.name === MONITORING_EXPERIMENT) ?? null;
}

export interface MonitorRuns {
  runs: Run[];
  /** True when more passes exist than were read (the page shows the newest `limit`). */
  truncated: boolean;
}

/** The newest `limit` monitoring runs, of one model when `modelName` is given. */
export async function searchMonitorRuns(
  experimentId: string,
  modelName: string | undefined,
  limit: number,
  signal?: AbortSignal,
): Promise<MonitorRuns> {
  const runs: Run[] = [];
  let pageToken: string | undefined;
  do {
    const page = await searchRuns(
      {
        experimentIds: [experimentId],
        filter: modelName ? monitorFilter(modelName) : undefined,
        orderBy: ['attributes.start_time DESC'],
        maxResults: Math.min(1000, limit - runs.length),
        pageToken,
      },
      signal,
    );
    runs.push(...(page.runs ?? []));
    pageToken = page.next_page_token;
  } while (pageToken && runs.length < limit);
  return { runs, truncated: Boolean(pageToken) };
}
