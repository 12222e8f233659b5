// The server's run cache: searches served from it must never show a run older than the last write
// committed before the search started, whether the write came from this store, another store on
// the same SQLite file (another `cairn server` worker), or raced the search.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../entities.js';
import { openTrackingStore } from '../open-store.js';
import type { TrackingStore } from '../store.js';
import { RunCache } from './run-cache.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-run-cache-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function fakeRun(id: string, value: number): Run {
  return {
    info: {
      runId: id,
      runName: id,
      experimentId: '0',
      userId: '',
      status: 'RUNNING',
      startTime: 0,
      endTime: null,
      artifactUri: '',
      lifecycleStage: 'active',
    },
    data: { metrics: [{ key: 'm', value, timestamp: 0, step: 0 }], params: [], tags: [] },
    inputs: { datasetInputs: [] },
  };
}

describe('RunCache', () => {
  it('keeps runs while the token holds, empties on a new token, ignores puts made under an old token', () => {
    const cache = new RunCache(10);
    cache.sync('1.0');
    cache.put('1.0', [fakeRun('a', 1)]);
    expect(cache.get('a')?.data.metrics[0].value).toBe(1);
    cache.sync('2.0');
    expect(cache.get('a')).toBeUndefined();
    cache.put('1.0', [fakeRun('a', 1)]); // read before the change another reader has seen
    expect(cache.get('a')).toBeUndefined();
  });

  it('evicts the least recently used run beyond its capacity and freezes what it holds', () => {
    const cache = new RunCache(2);
    cache.sync('t');
    cache.put('t', [fakeRun('a', 1), fakeRun('b', 2)]);
    cache.get('a');
    cache.put('t', [fakeRun('c', 3)]);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    const c = cache.get('c')!;
    expect(Object.isFrozen(c.data.metrics[0])).toBe(true);
    expect(() => {
      (c.data.metrics as unknown[]).push(1);
    }).toThrow(TypeError);
    expect(() => new RunCache(0)).toThrow(/capacity/);
  });

  it('keeps search pages while the token holds and bounds them by count and by run ids', () => {
    const cache = new RunCache(10);
    cache.sync('1');
    cache.putPage('1', 'q', { runIds: ['a', 'b'], nextPageToken: 'n' });
    expect(cache.getPage('q')).toEqual({ runIds: ['a', 'b'], nextPageToken: 'n' });
    expect(Object.isFrozen(cache.getPage('q')!.runIds)).toBe(true);
    cache.sync('2');
    expect(cache.getPage('q')).toBeUndefined();
    cache.putPage('1', 'q', { runIds: ['a'] }); // computed before a change another reader has seen
    expect(cache.getPage('q')).toBeUndefined();

    for (let i = 0; i < 300; i++) cache.putPage('2', `q${i}`, { runIds: [`r${i}`] });
    expect(cache.getPage('q0')).toBeUndefined(); // 256 pages at most, least recently used out first
    expect(cache.getPage('q299')).toBeDefined();
    const huge = Array.from({ length: 60_000 }, (_, i) => `h${i}`);
    cache.putPage('2', 'big1', { runIds: huge });
    cache.putPage('2', 'big2', { runIds: huge });
    expect(cache.getPage('big1')).toBeUndefined(); // 100,000 run ids in all
    expect(cache.getPage('big2')).toBeDefined();
    cache.putPage('2', 'too-big', { runIds: [...huge, ...huge] });
    expect(cache.getPage('too-big')).toBeUndefined();
  });
});

async function cachedStore(file: string): Promise<TrackingStore> {
  return openTrackingStore(`sqlite:///${join(dir, file)}`, { defaultArtifactRoot: '/a', runCacheCapacity: 100 });
}

const latest = (run: Run, key: string) => run.data.metrics.find((m) => m.key === key)?.value;

describe('searchRuns with the run cache (SQLite)', () => {
  it('sees every kind of write made through the same store', async () => {
    const store = await cachedStore('same.db');
    const exp = await store.createExperiment('cache');
    const run = await store.createRun({ experimentId: exp, runName: 'r' });
    const id = run.info.runId;
    const search = async () => (await store.searchRuns({ experimentIds: [exp] })).items;
    await store.logMetric(id, { key: 'loss', value: 1, timestamp: 1, step: 1 });
    expect(latest((await search())[0], 'loss')).toBe(1);
    const again = await search();
    expect(again[0]).toBe((await search())[0]); // served from the cache: the same shared object
    expect(Object.isFrozen(again[0])).toBe(true);

    await store.logMetric(id, { key: 'loss', value: 0.5, timestamp: 2, step: 2 });
    expect(latest((await search())[0], 'loss')).toBe(0.5);
    await store.setTag(id, { key: 'stage', value: 'x' });
    expect((await search())[0].data.tags).toContainEqual({ key: 'stage', value: 'x' });
    await store.deleteTag(id, 'stage');
    expect((await search())[0].data.tags.find((t) => t.key === 'stage')).toBeUndefined();
    await store.logParam(id, { key: 'lr', value: '0.1' });
    expect((await search())[0].data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    await store.updateRun(id, { status: 'FINISHED', endTime: 5, runName: 'renamed' });
    expect((await search())[0].info).toMatchObject({ status: 'FINISHED', endTime: 5, runName: 'renamed' });
    await store.deleteRun(id);
    expect(await search()).toEqual([]);
    expect(
      (await store.searchRuns({ experimentIds: [exp], viewType: 'DELETED_ONLY' })).items[0].info.lifecycleStage,
    ).toBe('deleted');
    await store.restoreRun(id);
    expect((await search())[0].info.lifecycleStage).toBe('active');
    await store.close();
  });

  it('sees writes committed by another store on the same file (another server worker)', async () => {
    const a = await cachedStore('shared.db');
    const b = await cachedStore('shared.db');
    const exp = await a.createExperiment('shared');
    const id = (await a.createRun({ experimentId: exp, runName: 'r' })).info.runId;
    await a.logMetric(id, { key: 'acc', value: 0.1, timestamp: 1, step: 1 });
    for (let i = 2; i <= 20; i++) {
      expect(latest((await a.searchRuns({ experimentIds: [exp] })).items[0], 'acc')).toBe((i - 1) / 10);
      await b.logMetric(id, { key: 'acc', value: i / 10, timestamp: i, step: i });
    }
    expect(latest((await a.searchRuns({ experimentIds: [exp] })).items[0], 'acc')).toBe(2);
    await Promise.all([a.close(), b.close()]);
  });

  it('repeated filtered, ordered searches follow every change of membership and order', async () => {
    const a = await cachedStore('pages.db');
    const b = await cachedStore('pages.db');
    const exp = await a.createExperiment('pages');
    const make = async (s: TrackingStore, name: string, acc: number) => {
      const id = (await s.createRun({ experimentId: exp, runName: name })).info.runId;
      await s.logMetric(id, { key: 'acc', value: acc, timestamp: 1, step: 0 });
      return id;
    };
    const q = { experimentIds: [exp], filter: 'metrics.acc > 0.5', orderBy: ['metrics.acc DESC'] };
    const names = async (s: TrackingStore, extra = {}) =>
      (await s.searchRuns({ ...q, ...extra })).items.map((r) => r.info.runName);
    const ra = await make(a, 'a', 0.9);
    const rb = await make(a, 'b', 0.2);
    expect(await names(a)).toEqual(['a']);
    expect(await names(a)).toEqual(['a']);
    await a.logMetric(rb, { key: 'acc', value: 0.95, timestamp: 2, step: 1 }); // same store
    expect(await names(a)).toEqual(['b', 'a']);
    await b.logMetric(ra, { key: 'acc', value: 0.1, timestamp: 2, step: 1 }); // another worker
    expect(await names(a)).toEqual(['b']);
    await make(b, 'c', 0.99);
    expect(await names(a)).toEqual(['c', 'b']);
    const first = await a.searchRuns({ ...q, maxResults: 1 });
    expect(first.items.map((r) => r.info.runName)).toEqual(['c']);
    expect(await names(a, { maxResults: 1, pageToken: first.nextPageToken })).toEqual(['b']);
    await b.deleteRun(rb);
    expect(await names(a)).toEqual(['c']);
    expect(await names(a, { maxResults: 1, pageToken: first.nextPageToken })).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });

  it('searches racing writes: each shows at least every write finished before it started', async () => {
    const store = await cachedStore('race.db');
    const other = await cachedStore('race.db');
    const exp = await store.createExperiment('race');
    const ids = await Promise.all(
      [0, 1, 2, 3].map(async (k) => (await store.createRun({ experimentId: exp, runName: `r${k}` })).info.runId),
    );
    let committed = 0; // steps 1..committed are on disk for every run
    const violations: string[] = [];
    // one reader lists the experiment; the other's filter matches a run only once it has a step
    const reader = async (filtered: boolean) => {
      for (let i = 0; i < 150; i++) {
        const floor = committed;
        const runs = (
          await store.searchRuns(
            filtered
              ? { experimentIds: [exp], filter: 'metrics.step > 0', orderBy: ['metrics.step DESC'] }
              : { experimentIds: [exp] },
          )
        ).items;
        if (floor > 0 && runs.length !== 4)
          violations.push(`saw ${runs.length} runs after step ${floor} was committed`);
        for (const run of runs) {
          const seen = latest(run, 'step') ?? 0;
          if (seen < floor) violations.push(`${run.info.runName}: saw step ${seen} after step ${floor} was committed`);
        }
      }
    };
    // the two stores take turns, step by step, so `committed` only grows
    const alternate = async () => {
      for (let step = 1; step <= 60; step++) {
        const s = step % 2 === 1 ? store : other;
        await Promise.all(ids.map((id) => s.logMetric(id, { key: 'step', value: step, timestamp: step, step })));
        committed = step;
        await new Promise((r) => setImmediate(r));
      }
    };
    await Promise.all([alternate(), reader(false), reader(true)]);
    expect(violations).toEqual([]);
    const final = (await store.searchRuns({ experimentIds: [exp] })).items;
    expect(final.map((r) => latest(r, 'step'))).toEqual([60, 60, 60, 60]);
    await Promise.all([store.close(), other.close()]);
  });
});
