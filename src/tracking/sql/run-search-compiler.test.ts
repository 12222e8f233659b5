// Every choice of driving table must return the same runs in the same order: the driver only
// changes speed. Checked on both engines against a small randomised experiment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunFilter, parseRunOrderBy } from '../search/run-filter.js';
import { trackingStoreBackends } from '../../../test/support/tracking-stores.js';
import { compileRunSearch, type RunSearchDriver } from './run-search-compiler.js';
import type { SqlTrackingStore } from './sql-tracking-store.js';

const CASES: [string, string[]][] = [
  ['metrics.a > 0.3', ['metrics.b DESC']],
  ["metrics.a > 0.3 AND params.p = 'y'", ['metrics.b ASC', 'tags.t DESC']],
  ["tags.t = 'u' AND metrics.b <= 0.8", ['params.p DESC']],
  ["params.p IN ('x', 'y')", ['attributes.end_time ASC']],
  ['metrics.a >= 0', []],
  ["metrics.b < 0.9 AND tags.t != 'v'", ['metrics.a ASC', 'params.p']],
];

describe.each(trackingStoreBackends())('run search drivers on $name', (backend) => {
  let store: SqlTrackingStore;
  let exp: string;
  beforeAll(async () => {
    store = (await backend.open()) as SqlTrackingStore;
    exp = await store.createExperiment('drivers');
    let seed = 7;
    const rand = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 40; i += 1) {
      const run = await store.createRun({ experimentId: exp, startTime: 1000 + (i % 13) * 10 });
      await store.logBatch(run.info.runId, {
        metrics: [
          ...(i % 5 === 0 ? [] : [{ key: 'a', value: Math.round(rand() * 10) / 10, timestamp: 1, step: 0 }]),
          ...(i % 7 === 0
            ? [{ key: 'b', value: NaN, timestamp: 1, step: 0 }]
            : i % 4 === 0
              ? []
              : [{ key: 'b', value: Math.round(rand() * 10) / 10, timestamp: 1, step: 0 }]),
        ],
        params: i % 3 === 0 ? [] : [{ key: 'p', value: ['x', 'y', 'z'][i % 3] }],
        tags: i % 6 === 0 ? [] : [{ key: 't', value: ['u', 'v'][i % 2] }],
      });
      if (i % 9 === 0) await store.updateRun(run.info.runId, { endTime: 5000 - i });
    }
  });
  afterAll(async () => {
    await backend.cleanup();
  });

  it.each(CASES)('filter %j ordered by %j gives one answer whatever drives it', async (filter, orderBy) => {
    const filters = parseRunFilter(filter);
    const drivers: RunSearchDriver[] = [
      { kind: 'order-key' },
      { kind: 'planner' },
      ...filters.map((_, clauseIndex) => ({ kind: 'filter', clauseIndex }) as RunSearchDriver),
    ];
    const answers: string[][] = [];
    for (const driver of drivers) {
      const segments = compileRunSearch(store.db.dialect, {
        experimentIds: [exp],
        filters,
        orderBy: parseRunOrderBy(orderBy),
        driver,
      });
      const ids: string[] = [];
      for (const s of segments)
        ids.push(...(await store.db.all<{ run_uuid: string }>(s.select.sql, s.select.params)).map((r) => r.run_uuid));
      answers.push(ids);
    }
    const viaStore = (await store.searchRuns({ experimentIds: [exp], filter, orderBy })).items.map((r) => r.info.runId);
    expect(viaStore.length).toBeGreaterThan(0);
    for (const a of answers) expect(a).toEqual(viaStore);
  });
});
