// SearchBodyCache: which pages reuse a body (the very same frozen runs, in order, same token) and which
// never do; and over real HTTP, that a repeated search is served the same bytes until a write changes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../../test/integration/server-harness.js';
import type { Run } from '../tracking/entities.js';
import { SearchBodyCache } from './search-body-cache.js';

function run(id: string): Run {
  return {
    info: {
      runId: id,
      runName: id,
      experimentId: '1',
      userId: 'u',
      status: 'FINISHED',
      startTime: 1,
      endTime: 2,
      artifactUri: 'x',
      lifecycleStage: 'active',
    },
    data: { metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }], params: [], tags: [] },
    inputs: { datasetInputs: [] },
  };
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** A cache whose encoder counts its calls and writes the run ids and token. */
function counting(capacity?: number, maxBytes?: number) {
  const cache = new SearchBodyCache(capacity, maxBytes);
  let encoded = 0;
  const body = (runs: readonly Run[], token?: string) =>
    cache.body(runs, token, () => {
      encoded++;
      return JSON.stringify({ ids: runs.map((r) => r.info.runId), token });
    });
  return { body, encoded: () => encoded };
}

describe('SearchBodyCache', () => {
  const frozen = ['a', 'b', 'c'].map((id) => deepFreeze(run(id)));

  it('reuses a body only for the very same frozen runs, in the same order, with the same token', () => {
    const c = counting();
    const first = c.body(frozen, 't');
    expect(c.body(frozen, 't')).toBe(first);
    expect(c.body([...frozen], 't')).toBe(first); // another array of the same run objects
    expect(c.encoded()).toBe(1);
    expect(c.body(frozen, 'u')).not.toBe(first);
    expect(c.body(frozen).toString()).toBe(JSON.stringify({ ids: ['a', 'b', 'c'] }));
    expect(c.body([...frozen].reverse(), 't')).not.toBe(first);
    expect(c.body(frozen.slice(1), 't')).not.toBe(first);
    // the same run id, but another (newer) run object, as the store hands out after a write
    const renamed = deepFreeze({ ...run('a'), info: { ...run('a').info, runName: 'renamed' } });
    expect(c.body([renamed, ...frozen.slice(1)], 't')).not.toBe(first);
    expect(c.encoded()).toBe(6);
  });

  it('never keeps pages holding an unfrozen run, nor empty pages', () => {
    const c = counting();
    const mixed = [frozen[0], run('b')];
    c.body(mixed);
    c.body(mixed);
    c.body([], 't');
    c.body([], 't');
    expect(c.encoded()).toBe(4);
  });

  it('keeps the most recently used bodies up to its capacity, and none over its size limit', () => {
    const c = counting(2);
    const pages = [frozen.slice(0, 1), frozen.slice(1, 2), frozen.slice(2, 3)];
    c.body(pages[0]);
    c.body(pages[1]);
    c.body(pages[0]); // page 1 is now the least recently used
    c.body(pages[2]);
    expect(c.encoded()).toBe(3);
    c.body(pages[0]);
    expect(c.encoded()).toBe(3);
    c.body(pages[1]);
    expect(c.encoded()).toBe(4);

    const small = counting(8, 10);
    small.body(frozen);
    small.body(frozen);
    expect(small.encoded()).toBe(2);
  });
});

describe('runs/search over HTTP', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer();
  });
  afterAll(async () => {
    await srv?.close();
  });

  /** The response text, byte for byte. */
  const post = async (endpoint: string, body: unknown) => {
    const res = await call(`${srv.url}/api/2.0/mlflow${endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return res.text;
  };

  it('answers a repeated search with the same bytes until a write changes a run', async () => {
    const experimentId = JSON.parse(await post('/experiments/create', { name: 'search-body' })).experiment_id;
    const runIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      runIds.push(JSON.parse(await post('/runs/create', { experiment_id: experimentId })).run.info.run_id);
      const value = i === 2 ? 'NaN' : i;
      await post('/runs/log-metric', { run_id: runIds[i], key: 'm', value, timestamp: 1, step: 0 });
    }
    const search = { experiment_ids: [experimentId], order_by: ['metrics.m ASC'], max_results: 2 };
    const first = await post('/runs/search', search);
    expect(await post('/runs/search', search)).toBe(first);
    const page = JSON.parse(first);
    expect(page.runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual(runIds.slice(0, 2));
    expect(typeof page.next_page_token).toBe('string');

    await post('/runs/log-metric', { run_id: runIds[1], key: 'm', value: -1, timestamp: 2, step: 1 });
    const after = JSON.parse(await post('/runs/search', search));
    expect(after.runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual([runIds[1], runIds[0]]);
    expect(after.runs[0].data.metrics).toEqual([{ key: 'm', value: -1, timestamp: 2, step: 1 }]);

    const last = JSON.parse(await post('/runs/search', { ...search, page_token: page.next_page_token }));
    expect(last.runs[0].data.metrics[0].value).toBe('NaN');
    expect(last.next_page_token).toBeUndefined();
    expect(await post('/runs/search', { experiment_ids: [experimentId], filter: 'metrics.m > 100' })).toBe('{}');
  });
});
