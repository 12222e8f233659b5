// The TrackingStore contract, run against SQLite and a real PostgreSQL server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExists, CairnError, InvalidParameter, InvalidState, NotFound } from '../../core/errors.js';
import type { TrackingStore } from '../store.js';
import { ARTIFACT_ROOT, trackingStoreBackends } from '../../../test/support/tracking-stores.js';

let counter = 0;
const unique = (prefix: string): string => `${prefix}-${Date.now()}-${counter++}`;

async function rejection(p: Promise<unknown>): Promise<CairnError> {
  try {
    await p;
  } catch (e) {
    return e as CairnError;
  }
  throw new Error('expected the promise to reject');
}

describe.each(trackingStoreBackends())('TrackingStore on $name', (backend) => {
  let store: TrackingStore;
  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await backend.cleanup();
  });

  const newRun = async (tags: { key: string; value: string }[] = []) => {
    const exp = await store.createExperiment(unique('exp'));
    return store.createRun({ experimentId: exp, userId: 'alice', startTime: 1000, tags });
  };

  describe('experiments', () => {
    it('has the Default experiment "0" with artifact location <root>/0', async () => {
      const exp = await store.getExperiment('0');
      expect(exp).toMatchObject({
        experimentId: '0',
        name: 'Default',
        artifactLocation: `${ARTIFACT_ROOT}/0`,
        lifecycleStage: 'active',
      });
      await store.init(); // idempotent: a second init neither fails nor duplicates
      expect((await store.getExperimentByName('Default')).experimentId).toBe('0');
    });

    it('creates, reads, renames, tags and rejects duplicates', async () => {
      const name = unique('heart');
      const id = await store.createExperiment(name, undefined, [{ key: 'team', value: 'ml' }]);
      expect(id).toMatch(/^[1-9]\d*$/);
      const exp = await store.getExperiment(id);
      expect(exp).toMatchObject({
        name,
        artifactLocation: `${ARTIFACT_ROOT}/${id}`,
        tags: [{ key: 'team', value: 'ml' }],
      });
      expect(exp.creationTime).toBeGreaterThan(0);
      expect((await store.getExperimentByName(name)).experimentId).toBe(id);
      expect(await rejection(store.createExperiment(name))).toBeInstanceOf(AlreadyExists);

      const renamed = unique('renamed');
      await store.renameExperiment(id, renamed);
      expect((await store.getExperiment(id)).name).toBe(renamed);
      const other = await store.createExperiment(unique('other'));
      expect(await rejection(store.renameExperiment(other, renamed))).toBeInstanceOf(AlreadyExists);

      await store.setExperimentTag(id, 'team', 'platform');
      await store.setExperimentTag(id, 'note', 'x');
      expect((await store.getExperiment(id)).tags).toEqual([
        { key: 'note', value: 'x' },
        { key: 'team', value: 'platform' },
      ]);
      await store.deleteExperimentTag(id, 'note');
      expect((await store.getExperiment(id)).tags).toEqual([{ key: 'team', value: 'platform' }]);
      expect(await rejection(store.deleteExperimentTag(id, 'note'))).toBeInstanceOf(NotFound);
    });

    it('keeps an explicit artifact location', async () => {
      const id = await store.createExperiment(unique('loc'), 's3://bucket/path');
      expect((await store.getExperiment(id)).artifactLocation).toBe('s3://bucket/path');
      const run = await store.createRun({ experimentId: id });
      expect(run.info.artifactUri).toBe(`s3://bucket/path/${run.info.runId}/artifacts`);
    });

    it('reports missing experiments and bad names', async () => {
      expect(await rejection(store.getExperiment('987654'))).toBeInstanceOf(NotFound);
      expect(await rejection(store.getExperiment('abc'))).toBeInstanceOf(NotFound);
      expect(await rejection(store.getExperiment('99999999999999'))).toBeInstanceOf(NotFound);
      expect(await rejection(store.getExperimentByName('no such experiment'))).toBeInstanceOf(NotFound);
      expect(await rejection(store.createExperiment(''))).toBeInstanceOf(InvalidParameter);
      expect(await rejection(store.createExperiment('x'.repeat(501)))).toBeInstanceOf(InvalidParameter);
      expect(await rejection(store.deleteExperiment('0'))).toBeInstanceOf(InvalidParameter);
    });

    it('deletes an experiment with its runs and restores both', async () => {
      const id = await store.createExperiment(unique('del'));
      const run = await store.createRun({ experimentId: id });
      await store.deleteExperiment(id);
      expect((await store.getExperiment(id)).lifecycleStage).toBe('deleted');
      expect((await store.getRun(run.info.runId)).info.lifecycleStage).toBe('deleted');
      expect(await rejection(store.createRun({ experimentId: id }))).toBeInstanceOf(InvalidParameter);
      expect(await rejection(store.renameExperiment(id, unique('x')))).toBeInstanceOf(InvalidState);
      await store.restoreExperiment(id);
      expect((await store.getExperiment(id)).lifecycleStage).toBe('active');
      expect((await store.getRun(run.info.runId)).info.lifecycleStage).toBe('active');
    });

    it('searches experiments by name, tags and time with view types, order and paging', async () => {
      const prefix = unique('srch');
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1)
        ids.push(await store.createExperiment(`${prefix}-${i}`, undefined, [{ key: 'idx', value: String(i) }]));
      await store.deleteExperiment(ids[4]);
      const names = async (q: Parameters<TrackingStore['searchExperiments']>[0]) =>
        (await store.searchExperiments(q)).items.map((e) => e.name);
      expect(await names({ filter: `name LIKE '${prefix}-%'`, orderBy: ['name ASC'] })).toEqual(
        [0, 1, 2, 3].map((i) => `${prefix}-${i}`),
      );
      expect(await names({ filter: `name LIKE '${prefix}-%'`, orderBy: ['name'], viewType: 'DELETED_ONLY' })).toEqual([
        `${prefix}-4`,
      ]);
      expect(await names({ filter: `name LIKE '${prefix}-%'`, viewType: 'ALL' })).toHaveLength(5);
      expect(await names({ filter: `name ILIKE '${prefix.toUpperCase()}-1'` })).toEqual([`${prefix}-1`]);
      expect(await names({ filter: `name LIKE '${prefix.toUpperCase()}-1'` })).toEqual([]);
      expect(await names({ filter: `name LIKE '${prefix}-%' AND tags.idx = '2'` })).toEqual([`${prefix}-2`]);
      expect(
        await names({
          filter: `name LIKE '${prefix}-%' AND tags.idx != '2' AND creation_time > 0`,
          orderBy: ['name DESC'],
        }),
      ).toEqual([3, 1, 0].map((i) => `${prefix}-${i}`));
      const page1 = await store.searchExperiments({
        filter: `name LIKE '${prefix}-%'`,
        maxResults: 3,
        orderBy: ['name'],
      });
      expect(page1.items).toHaveLength(3);
      expect(page1.nextPageToken).toBeDefined();
      const page2 = await store.searchExperiments({
        filter: `name LIKE '${prefix}-%'`,
        maxResults: 3,
        orderBy: ['name'],
        pageToken: page1.nextPageToken,
      });
      expect(page2.items.map((e) => e.name)).toEqual([`${prefix}-3`]);
      expect(page2.nextPageToken).toBeUndefined();
      expect(await rejection(store.searchExperiments({ maxResults: 50001 }))).toBeInstanceOf(InvalidParameter);
      expect(await rejection(store.searchExperiments({ filter: 'name >' }))).toBeInstanceOf(InvalidParameter);
      expect(await rejection(store.searchExperiments({ pageToken: 'garbage!' }))).toBeInstanceOf(InvalidParameter);
    });
  });

  describe('runs', () => {
    it('creates runs with MLflow ids, names, artifact uris and tags', async () => {
      const exp = await store.createExperiment(unique('runs'));
      const run = await store.createRun({
        experimentId: exp,
        userId: 'bob',
        startTime: 42,
        runName: 'first',
        tags: [{ key: 'k', value: 'v' }],
      });
      expect(run.info).toMatchObject({
        runName: 'first',
        experimentId: exp,
        userId: 'bob',
        status: 'RUNNING',
        startTime: 42,
        endTime: null,
        lifecycleStage: 'active',
      });
      expect(run.info.runId).toMatch(/^[0-9a-f]{32}$/);
      expect(run.info.artifactUri).toBe(`${ARTIFACT_ROOT}/${exp}/${run.info.runId}/artifacts`);
      expect(run.data.tags).toEqual([
        { key: 'k', value: 'v' },
        { key: 'mlflow.runName', value: 'first' },
      ]);
      expect(await store.getRun(run.info.runId)).toEqual(run);

      const generated = await store.createRun({ experimentId: exp });
      expect(generated.info.runName).toMatch(/^[a-z]+-[a-z]+-\d+$/);
      const fromTag = await store.createRun({ experimentId: exp, tags: [{ key: 'mlflow.runName', value: 'tagged' }] });
      expect(fromTag.info.runName).toBe('tagged');
      expect(
        await rejection(
          store.createRun({ experimentId: exp, runName: 'a', tags: [{ key: 'mlflow.runName', value: 'b' }] }),
        ),
      ).toBeInstanceOf(InvalidParameter);
      expect(await rejection(store.createRun({ experimentId: '424242' }))).toBeInstanceOf(NotFound);
    });

    it('updates status, end time and name, keeping the mlflow.runName tag in sync', async () => {
      const run = await newRun();
      const info = await store.updateRun(run.info.runId, { status: 'FINISHED', endTime: 2000, runName: 'renamed' });
      expect(info).toMatchObject({ status: 'FINISHED', endTime: 2000, runName: 'renamed' });
      let got = await store.getRun(run.info.runId);
      expect(got.data.tags).toContainEqual({ key: 'mlflow.runName', value: 'renamed' });
      await store.setTag(run.info.runId, { key: 'mlflow.runName', value: 'via-tag' });
      got = await store.getRun(run.info.runId);
      expect(got.info.runName).toBe('via-tag');
      expect(await rejection(store.updateRun(run.info.runId, { status: 'BOGUS' as never }))).toBeInstanceOf(
        InvalidParameter,
      );
    });

    it('deletes and restores runs; writes to a deleted run fail', async () => {
      const run = await newRun();
      const id = run.info.runId;
      await store.deleteRun(id);
      expect((await store.getRun(id)).info.lifecycleStage).toBe('deleted');
      const err = await rejection(store.logParam(id, { key: 'p', value: '1' }));
      expect(err).toBeInstanceOf(InvalidParameter);
      expect(err.message).toContain("must be in the 'active' state");
      expect(await rejection(store.logMetric(id, { key: 'm', value: 1, timestamp: 1, step: 0 }))).toBeInstanceOf(
        InvalidParameter,
      );
      expect(await rejection(store.setTag(id, { key: 't', value: 'v' }))).toBeInstanceOf(InvalidParameter);
      expect(await rejection(store.updateRun(id, { status: 'FAILED' }))).toBeInstanceOf(InvalidParameter);
      await store.restoreRun(id);
      await store.logParam(id, { key: 'p', value: '1' });
      expect((await store.getRun(id)).data.params).toEqual([{ key: 'p', value: '1' }]);
    });

    it('reports missing and malformed run ids', async () => {
      expect(await rejection(store.getRun('0123456789abcdef0123456789abcdef'))).toBeInstanceOf(NotFound);
      expect(await rejection(store.getRun('../x'))).toBeInstanceOf(InvalidParameter);
      expect(await rejection(store.deleteRun('0123456789abcdef0123456789abcdef'))).toBeInstanceOf(NotFound);
      expect(
        await rejection(
          store.logMetric('0123456789abcdef0123456789abcdef', { key: 'm', value: 1, timestamp: 1, step: 0 }),
        ),
      ).toBeInstanceOf(NotFound);
    });
  });

  describe('run data', () => {
    it('keeps params immutable: same value is fine, a different one names key, old and new value', async () => {
      const { info } = await newRun();
      await store.logParam(info.runId, { key: 'lr', value: '0.1' });
      await store.logParam(info.runId, { key: 'lr', value: '0.1' });
      const err = await rejection(store.logParam(info.runId, { key: 'lr', value: '0.2' }));
      expect(err).toBeInstanceOf(InvalidParameter);
      expect(err.message).toContain("key='lr'");
      expect(err.message).toContain("old value='0.1'");
      expect(err.message).toContain("new value='0.2'");
      expect((await store.getRun(info.runId)).data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    });

    it('stores int64 steps and timestamps beyond 2^53 exactly and orders them as integers', async () => {
      const { info } = await newRun();
      const id = info.runId;
      const big = 2n ** 62n + 1n; // rounds to 2^62 as a double
      await store.logMetric(id, { key: 'm', value: 1, timestamp: 2n ** 60n + 7n, step: big });
      await store.logBatch(id, {
        metrics: [
          { key: 'm', value: 2, timestamp: 5, step: 2n ** 62n },
          { key: 'm', value: 3, timestamp: 6, step: -(2n ** 63n) },
          { key: 'm', value: 4, timestamp: 7, step: 9_007_199_254_740_991 },
        ],
      });
      const expected = [
        [-(2n ** 63n), 6],
        [9_007_199_254_740_991, 7],
        [2n ** 62n, 5],
        [big, 2n ** 60n + 7n],
      ];
      const whole = await store.getMetricHistory(id, 'm');
      expect(whole.items.map((m) => [m.step, m.timestamp])).toEqual(expected);
      const paged = await store.getMetricHistory(id, 'm', { maxResults: 10 });
      expect(paged.items.map((m) => [m.step, m.timestamp])).toEqual(expected);
      expect((await store.getRun(id)).data.metrics).toEqual([
        { key: 'm', value: 1, timestamp: 2n ** 60n + 7n, step: big },
      ]);
    });

    it('appends metric history and keeps the latest by (step, timestamp, value)', async () => {
      const { info } = await newRun();
      const id = info.runId;
      await store.logMetric(id, { key: 'loss', value: 5, timestamp: 100, step: 2 });
      await store.logMetric(id, { key: 'loss', value: 9, timestamp: 999, step: 1 }); // older step: not latest
      await store.logMetric(id, { key: 'loss', value: 4, timestamp: 100, step: 2 }); // same step+ts, smaller value
      expect((await store.getRun(id)).data.metrics).toEqual([{ key: 'loss', value: 5, timestamp: 100, step: 2 }]);
      await store.logMetric(id, { key: 'loss', value: 6, timestamp: 100, step: 2 }); // bigger value wins the tie
      await store.logMetric(id, { key: 'loss', value: 1, timestamp: 101, step: 2 }); // later timestamp wins
      expect((await store.getRun(id)).data.metrics).toEqual([{ key: 'loss', value: 1, timestamp: 101, step: 2 }]);
      await store.logMetric(id, { key: 'loss', value: 1, timestamp: 101, step: 2 }); // exact duplicate is ignored
      const history = await store.getMetricHistory(id, 'loss');
      expect(history.items.map((m) => [m.step, m.timestamp, m.value])).toEqual([
        [1, 999, 9],
        [2, 100, 4],
        [2, 100, 5],
        [2, 100, 6],
        [2, 101, 1],
      ]);
      expect(history.nextPageToken).toBeUndefined();
      const page1 = await store.getMetricHistory(id, 'loss', { maxResults: 2 });
      expect(page1.items.map((m) => m.value)).toEqual([9, 4]);
      const page2 = await store.getMetricHistory(id, 'loss', { maxResults: 2, pageToken: page1.nextPageToken });
      const page3 = await store.getMetricHistory(id, 'loss', { maxResults: 2, pageToken: page2.nextPageToken });
      expect([...page2.items, ...page3.items].map((m) => m.value)).toEqual([5, 6, 1]);
      expect(page3.nextPageToken).toBeUndefined();
      expect((await store.getMetricHistory(id, 'absent')).items).toEqual([]);
      // a run that does not exist, with or without paging
      expect(await rejection(store.getMetricHistory('0'.repeat(32), 'loss'))).toBeInstanceOf(NotFound);
      expect(await rejection(store.getMetricHistory('0'.repeat(32), 'loss', { maxResults: 2 }))).toBeInstanceOf(
        NotFound,
      );
      expect(await rejection(store.getMetricHistory('bad id!', 'loss'))).toBeInstanceOf(InvalidParameter);
    });

    it('round-trips NaN, Infinity and -Infinity', async () => {
      const { info } = await newRun();
      await store.logBatch(info.runId, {
        metrics: [
          { key: 'nan', value: NaN, timestamp: 1, step: 0 },
          { key: 'inf', value: Infinity, timestamp: 1, step: 0 },
          { key: 'ninf', value: -Infinity, timestamp: 1, step: 0 },
        ],
      });
      const metrics = Object.fromEntries((await store.getRun(info.runId)).data.metrics.map((m) => [m.key, m.value]));
      expect(metrics.nan).toBeNaN();
      expect(metrics.inf).toBe(Infinity);
      expect(metrics.ninf).toBe(-Infinity);
      expect((await store.getMetricHistory(info.runId, 'nan')).items[0].value).toBeNaN();
      // A real number at the same step and timestamp does not displace NaN by value comparison.
      await store.logMetric(info.runId, { key: 'nan', value: 3, timestamp: 2, step: 0 });
      expect((await store.getRun(info.runId)).data.metrics.find((m) => m.key === 'nan')?.value).toBe(3);
    });

    it('overwrites and deletes tags', async () => {
      const { info } = await newRun();
      await store.setTag(info.runId, { key: 'stage', value: 'a' });
      await store.setTag(info.runId, { key: 'stage', value: 'b' });
      expect((await store.getRun(info.runId)).data.tags).toContainEqual({ key: 'stage', value: 'b' });
      await store.deleteTag(info.runId, 'stage');
      expect((await store.getRun(info.runId)).data.tags.find((t) => t.key === 'stage')).toBeUndefined();
      expect(await rejection(store.deleteTag(info.runId, 'stage'))).toBeInstanceOf(NotFound);
    });

    it('logs a batch atomically: a failing batch stores nothing', async () => {
      const { info } = await newRun();
      await store.logParam(info.runId, { key: 'fixed', value: '1' });
      const err = await rejection(
        store.logBatch(info.runId, {
          metrics: [{ key: 'acc', value: 0.9, timestamp: 1, step: 0 }],
          params: [
            { key: 'new', value: 'x' },
            { key: 'fixed', value: '2' },
          ],
          tags: [{ key: 't', value: 'v' }],
        }),
      );
      expect(err).toBeInstanceOf(InvalidParameter);
      const run = await store.getRun(info.runId);
      expect(run.data.metrics).toEqual([]);
      expect(run.data.params).toEqual([{ key: 'fixed', value: '1' }]);
      expect(run.data.tags.find((t) => t.key === 't')).toBeUndefined();
      expect((await store.getMetricHistory(info.runId, 'acc')).items).toEqual([]);

      await store.logBatch(info.runId, {
        metrics: Array.from({ length: 950 }, (_, i) => ({ key: `m${i % 7}`, value: i, timestamp: i, step: i })),
        params: Array.from({ length: 50 }, (_, i) => ({ key: `p${i}`, value: String(i) })),
      });
      expect((await store.getRun(info.runId)).data.params).toHaveLength(51);
      expect((await store.getMetricHistory(info.runId, 'm0')).items).toHaveLength(136);
      expect(
        await rejection(
          store.logBatch(info.runId, {
            metrics: Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: i, step: i })),
          }),
        ),
      ).toBeInstanceOf(InvalidParameter);
      expect(
        await rejection(
          store.logBatch(info.runId, {
            params: [
              { key: 'd', value: '1' },
              { key: 'd', value: '2' },
            ],
          }),
        ),
      ).toBeInstanceOf(InvalidParameter);
      expect(await rejection(store.logBatch(info.runId, { tags: [{ key: '../bad', value: '1' }] }))).toBeInstanceOf(
        InvalidParameter,
      );
    });

    it('logs dataset inputs once per dataset and returns them with the run', async () => {
      const { info } = await newRun();
      const input = {
        tags: [{ key: 'mlflow.data.context', value: 'training' }],
        dataset: { name: 'heart', digest: 'abc123', sourceType: 'local', source: '{"uri":"heart.csv"}', schema: '{}' },
      };
      await store.logInputs(info.runId, [input]);
      await store.logInputs(info.runId, [input]);
      const run = await store.getRun(info.runId);
      expect(run.inputs.datasetInputs).toEqual([input]);
    });

    it('concurrent writers on one run and one experiment lose nothing', async () => {
      const { info } = await newRun();
      await Promise.all(
        Array.from({ length: 8 }, (_, w) =>
          (async () => {
            for (let i = 0; i < 15; i += 1) {
              await store.logBatch(info.runId, {
                metrics: [
                  { key: 'shared', value: w * 100 + i, timestamp: i, step: w * 100 + i },
                  { key: `w${w}`, value: i, timestamp: i, step: i },
                ],
                params: [{ key: `w${w}-p${i}`, value: String(i) }],
                tags: [{ key: 'last', value: `${w}-${i}` }],
              });
            }
          })(),
        ),
      );
      const run = await store.getRun(info.runId);
      expect(run.data.params).toHaveLength(120);
      expect(run.data.metrics.find((m) => m.key === 'shared')).toMatchObject({ step: 714, value: 714 });
      expect((await store.getMetricHistory(info.runId, 'shared')).items).toHaveLength(120);
      const names = await Promise.all(
        Array.from({ length: 6 }, () => store.createExperiment(unique('par')).catch((e: Error) => e)),
      );
      expect(names.filter((n) => n instanceof Error)).toEqual([]);
      const same = unique('same');
      const racing = await Promise.allSettled(Array.from({ length: 4 }, () => store.createExperiment(same)));
      expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of racing) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(AlreadyExists);
    });

    it('two store instances logging the same params at once both succeed; a different value is refused', async () => {
      // Two processes joining one tuning study log the parent run's params together.
      const other = await backend.reopen();
      const { info } = await newRun();
      const params = Array.from({ length: 20 }, (_, i) => ({ key: `space.p${i}`, value: String(i) }));
      for (let round = 0; round < 5; round += 1) {
        const keyed = params.map((p) => ({ ...p, key: `${p.key}-${round}` }));
        const results = await Promise.allSettled(
          Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? store : other).logBatch(info.runId, { params: keyed })),
        );
        expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      }
      const racing = await Promise.allSettled(
        ['a', 'b'].map((v, i) => (i === 0 ? store : other).logBatch(info.runId, { params: [{ key: 'x', value: v }] })),
      );
      expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = racing.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toBeInstanceOf(InvalidParameter);
      expect((refused.reason as Error).message).toContain('Changing param values is not allowed');
      const run = await other.getRun(info.runId);
      expect(run.data.params).toHaveLength(101);
    });

    it('samples metric history across runs by step interval', async () => {
      const a = (await newRun()).info.runId;
      const b = (await newRun()).info.runId;
      await store.logBatch(a, {
        metrics: Array.from({ length: 100 }, (_, s) => ({ key: 'loss', value: s, timestamp: s, step: s })),
      });
      await store.logBatch(b, {
        metrics: Array.from({ length: 10 }, (_, s) => ({ key: 'loss', value: s, timestamp: s, step: s * 3 })),
      });
      const all = await store.getMetricHistoryBulkInterval({ runIds: [a, b], metricKey: 'loss' });
      expect(all.filter((m) => m.runId === a)).toHaveLength(100);
      expect(all.filter((m) => m.runId === b)).toHaveLength(10);
      const sampled = await store.getMetricHistoryBulkInterval({
        runIds: [a, b],
        metricKey: 'loss',
        maxResults: 10,
        startStep: 0,
        endStep: 60,
      });
      const stepsA = sampled.filter((m) => m.runId === a).map((m) => m.step);
      expect(stepsA[0]).toBe(0);
      expect(stepsA[stepsA.length - 1]).toBe(60);
      expect(stepsA.length).toBeLessThanOrEqual(13);
      expect(stepsA.length).toBeGreaterThanOrEqual(10);
      expect(sampled.filter((m) => m.runId === b).map((m) => m.step)).toContain(27);
      expect(await rejection(store.getMetricHistoryBulkInterval({ runIds: [], metricKey: 'loss' }))).toBeInstanceOf(
        InvalidParameter,
      );
      expect(
        await rejection(store.getMetricHistoryBulkInterval({ runIds: [a], metricKey: 'loss', startStep: 3 })),
      ).toBeInstanceOf(InvalidParameter);
      expect(
        await rejection(
          store.getMetricHistoryBulkInterval({ runIds: [a], metricKey: 'loss', startStep: 9, endStep: 3 }),
        ),
      ).toBeInstanceOf(InvalidParameter);
      expect(
        await rejection(store.getMetricHistoryBulkInterval({ runIds: [a], metricKey: 'loss', maxResults: 2501 })),
      ).toBeInstanceOf(InvalidParameter);
    });
  });

  describe('recordLoggedModel', () => {
    const HISTORY = 'mlflow.log-model.history';
    const CREATED = '2026-11-25 12:00:00.000000';
    const modelJson = (runId: string, artifactPath: string) =>
      JSON.stringify({
        run_id: runId,
        artifact_path: artifactPath,
        utc_time_created: CREATED,
        model_uuid: `u-${artifactPath}`,
        flavors: {
          python_function: { loader_module: 'mlflow.sklearn', config: { big: true } },
          cairn: { format_version: 1 },
        },
        signature: { inputs: '[]' },
        mlflow_version: '2.17.2',
      });
    const history = async (s: TrackingStore, runId: string) => {
      return (await s.getRun(runId)).data.tags.find((t) => t.key === HISTORY)?.value;
    };
    const loggedPaths = async (s: TrackingStore, runId: string): Promise<string[]> => {
      return JSON.parse((await history(s, runId)) ?? '[]').map((e: { artifact_path: string }) => e.artifact_path);
    };

    it("appends MLflow's tags dict of each model to the run's history, as Python json.dumps text", async () => {
      const { info } = await newRun();
      await store.recordLoggedModel(info.runId, modelJson(info.runId, 'model'));
      await store.recordLoggedModel(info.runId, modelJson(info.runId, 'model2'));
      const flavors = '{"python_function": {"loader_module": "mlflow.sklearn"}, "cairn": {"format_version": 1}}';
      const entry = (path: string) =>
        `{"run_id": "${info.runId}", "artifact_path": "${path}", ` +
        `"utc_time_created": "${CREATED}", "model_uuid": "u-${path}", "flavors": ${flavors}}`;
      expect(await history(store, info.runId)).toBe(`[${entry('model')}, ${entry('model2')}]`);
    });

    it('replaces an unparseable history rather than refusing to log', async () => {
      const { info } = await newRun([{ key: HISTORY, value: 'not json' }]);
      await store.recordLoggedModel(info.runId, modelJson(info.runId, 'model'));
      expect(await loggedPaths(store, info.runId)).toEqual(['model']);
    });

    it('refuses malformed or incomplete model JSON, a missing run and a deleted one, writing nothing', async () => {
      const { info } = await newRun();
      const bad = await rejection(store.recordLoggedModel(info.runId, '{not json'));
      expect(bad).toBeInstanceOf(InvalidParameter);
      expect(bad.message).toContain('is not a valid JSON');
      expect(await rejection(store.recordLoggedModel(info.runId, '[1]'))).toBeInstanceOf(InvalidParameter);
      const incomplete = await rejection(store.recordLoggedModel(info.runId, '{"run_id": "x"}'));
      expect(incomplete).toBeInstanceOf(InvalidParameter);
      expect(incomplete.message).toContain("'artifact_path'");
      const missingRun = 'f'.repeat(32);
      expect(await rejection(store.recordLoggedModel(missingRun, modelJson(missingRun, 'm')))).toBeInstanceOf(NotFound);
      await store.deleteRun(info.runId);
      const deleted = await rejection(store.recordLoggedModel(info.runId, modelJson(info.runId, 'm')));
      expect(deleted).toBeInstanceOf(InvalidParameter);
      expect(await history(store, info.runId)).toBeUndefined();
    });

    it('keeps every entry when two store instances record models on one run at once', async () => {
      const other = await backend.reopen();
      const { info } = await newRun();
      const paths = Array.from({ length: 24 }, (_, i) => `model-${i}`);
      // alternate instances so the calls race across two connections (pools), as two server processes would
      const record = (p: string, i: number) => {
        return (i % 2 === 0 ? store : other).recordLoggedModel(info.runId, modelJson(info.runId, p));
      };
      await Promise.all(paths.map(record));
      expect((await loggedPaths(other, info.runId)).sort()).toEqual([...paths].sort());
    });
  });

  describe('importRun', () => {
    const imported = (experimentId: string, runId: string) => ({
      runId,
      experimentId,
      runName: 'legacy-rf',
      userId: 'bob',
      status: 'FAILED' as const,
      startTime: 1_600_000_000_000,
      endTime: 1_600_000_360_000,
      lifecycleStage: 'active' as const,
      artifactUri: `/old/mlruns/1/${runId}/artifacts`,
      params: [{ key: 'model', value: 'rf' }],
      tags: [{ key: 'mlflow.user', value: 'bob' }],
      metrics: [
        { key: 'loss', value: 0.5, timestamp: 10, step: 0 },
        { key: 'loss', value: 0.25, timestamp: 11, step: 1 },
        { key: 'odd', value: NaN, timestamp: 12, step: 0 },
      ],
    });

    it('keeps the id, status, times, history and lifecycle; a second import of the id writes nothing', async () => {
      const exp = await store.createExperiment(unique('imported'));
      const runId = `${Date.now().toString(16)}${'a'.repeat(20)}`.slice(0, 32);
      expect(await store.importRun(imported(exp, runId))).toEqual({ created: true, experimentId: exp });
      const run = await store.getRun(runId);
      expect(run.info).toMatchObject({
        runId,
        experimentId: exp,
        runName: 'legacy-rf',
        userId: 'bob',
        status: 'FAILED',
        startTime: 1_600_000_000_000,
        endTime: 1_600_000_360_000,
        lifecycleStage: 'active',
        artifactUri: `/old/mlruns/1/${runId}/artifacts`,
      });
      expect(run.data.metrics.find((m) => m.key === 'loss')).toMatchObject({ value: 0.25, step: 1 });
      expect((await store.getMetricHistory(runId, 'loss')).items.map((m) => m.value)).toEqual([0.5, 0.25]);
      expect(run.data.tags).toContainEqual({ key: 'mlflow.runName', value: 'legacy-rf' });
      const again = await store.importRun({ ...imported(exp, runId), params: [{ key: 'model', value: 'changed' }] });
      expect(again).toEqual({ created: false, experimentId: exp });
      expect((await store.getRun(runId)).data.params).toEqual([{ key: 'model', value: 'rf' }]);
      // a deleted run stays deleted, and is found only by a search that includes deleted runs
      const deletedId = `${runId.slice(0, 31)}d`;
      await store.importRun({ ...imported(exp, deletedId), lifecycleStage: 'deleted' });
      expect((await store.searchRuns({ experimentIds: [exp] })).items.map((r) => r.info.runId)).toEqual([runId]);
      expect(
        (await store.searchRuns({ experimentIds: [exp], viewType: 'DELETED_ONLY' })).items.map((r) => r.info.runId),
      ).toEqual([deletedId]);
    });

    it('refuses invalid data and a missing experiment, writing nothing', async () => {
      const exp = await store.createExperiment(unique('imported-bad'));
      const runId = `${Date.now().toString(16)}${'b'.repeat(20)}`.slice(0, 32);
      const badKey = { ...imported(exp, runId), metrics: [{ key: '../x', value: 1, timestamp: 1, step: 0 }] };
      expect(await rejection(store.importRun(badKey))).toBeInstanceOf(InvalidParameter);
      expect(await rejection(store.importRun({ ...imported(exp, runId), status: 'LOST' as never }))).toBeInstanceOf(
        InvalidParameter,
      );
      expect(await rejection(store.importRun(imported('987654', runId)))).toBeInstanceOf(NotFound);
      expect(await rejection(store.getRun(runId))).toBeInstanceOf(NotFound);
    });
  });
});
