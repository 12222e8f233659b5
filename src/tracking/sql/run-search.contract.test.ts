// The run search grammar, ordering and paging, against SQLite and a real PostgreSQL server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidParameter } from '../../core/errors.js';
import type { Metric } from '../entities.js';
import type { SearchRunsQuery, TrackingStore } from '../store.js';
import { trackingStoreBackends } from '../../../test/support/tracking-stores.js';
import { MAX_FILTER_COMPARISONS } from '../validation.js';

const metric = (key: string, value: number): Metric => ({ key, value, timestamp: 1, step: 0 });

describe.each(trackingStoreBackends())('searchRuns on $name', (backend) => {
  let store: TrackingStore;
  let exp: string;
  let other: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    store = await backend.open();
    exp = await store.createExperiment('search');
    other = await store.createExperiment('search-other');
    const make = async (
      name: string,
      start: number,
      m: Metric[],
      params: [string, string][],
      tags: [string, string][],
      experimentId = exp,
    ) => {
      const run = await store.createRun({
        experimentId,
        runName: name,
        startTime: start,
        userId: name === 'alpha' ? 'ann' : 'bob',
      });
      await store.logBatch(run.info.runId, {
        metrics: m,
        params: params.map(([key, value]) => ({ key, value })),
        tags: tags.map(([key, value]) => ({ key, value })),
      });
      ids[name] = run.info.runId;
    };
    await make(
      'alpha',
      1000,
      [metric('m', 1), metric('acc', 0.5), metric('my metric', 7)],
      [
        ['model', 'lr'],
        ['a b', 'x'],
      ],
      [
        ['team', 'A'],
        ['my tag', 'q'],
      ],
    );
    await make('beta', 2000, [metric('m', 3)], [['model', 'rf']], [['team', 'b']]);
    await make('Gamma', 3000, [metric('m', NaN)], [['model', 'LR']], [['team', 'A']]);
    await make('delta', 4000, [], [['model', 'knn']], []);
    await make('eps', 500, [metric('m', 3)], [['model', 'rf']], [['mlflow.parentRunId', ids.alpha]]);
    await make('zeta', 600, [metric('m', 100)], [], []);
    await make('elsewhere', 700, [metric('m', 50)], [], [], other);
    await store.updateRun(ids.alpha, { status: 'FINISHED', endTime: 2000 });
    await store.updateRun(ids.Gamma, { status: 'FAILED', endTime: 5000 });
    await store.deleteRun(ids.zeta);
  });
  afterAll(async () => {
    await backend.cleanup();
  });

  const names = async (q: Partial<SearchRunsQuery>): Promise<string[]> => {
    const res = await store.searchRuns({ experimentIds: [exp], ...q });
    return res.items.map((r) => r.info.runName);
  };
  const sorted = async (filter: string): Promise<string[]> => (await names({ filter })).sort();

  it('orders by start_time DESC by default and honours view types', async () => {
    expect(await names({})).toEqual(['delta', 'Gamma', 'beta', 'alpha', 'eps']);
    expect(await names({ viewType: 'DELETED_ONLY' })).toEqual(['zeta']);
    expect(await names({ viewType: 'ALL' })).toHaveLength(6);
    expect((await store.searchRuns({ experimentIds: [exp, other] })).items).toHaveLength(6);
    expect((await store.searchRuns({ experimentIds: ['123456'] })).items).toEqual([]);
  });

  it.each([
    ['metrics.m > 1', ['beta', 'eps']],
    ['metrics.m >= 1', ['alpha', 'beta', 'eps']],
    ['metrics.m < 3', ['alpha']],
    ['metrics.m <= 3', ['alpha', 'beta', 'eps']],
    ['metrics.m = 3', ['beta', 'eps']],
    ['metrics.m != 3', ['Gamma', 'alpha']],
    ['metric.acc = 0.5', ['alpha']],
    ['metrics.`my metric` > 6', ['alpha']],
    ['metrics."my metric" > 6', ['alpha']],
    ['metrics.m IS NULL', ['delta']],
    ['metrics.m IS NOT NULL', ['Gamma', 'alpha', 'beta', 'eps']],
  ])('filters metrics: %s', async (filter, expected) => {
    expect(await sorted(filter)).toEqual(expected);
  });

  it.each([
    ["params.model = 'lr'", ['alpha']],
    ["params.model != 'lr'", ['Gamma', 'beta', 'delta', 'eps']],
    ["params.model LIKE 'l%'", ['alpha']],
    ["params.model LIKE '_R'", ['Gamma']],
    ["params.model ILIKE 'l%'", ['Gamma', 'alpha']],
    ["param.`a b` = 'x'", ['alpha']],
    ["params.model IN ('rf', 'knn')", ['beta', 'delta', 'eps']],
    ["params.model NOT IN ('rf', 'knn')", ['Gamma', 'alpha']],
    ["tags.team = 'A'", ['Gamma', 'alpha']],
    ["tags.team ILIKE 'a'", ['Gamma', 'alpha']],
    ["tags.`my tag` = 'q'", ['alpha']],
    ['tags.team IS NULL', ['delta', 'eps']],
    ["tags.team IS NOT NULL AND tags.team != 'b'", ['Gamma', 'alpha']],
  ])('filters params and tags: %s', async (filter, expected) => {
    expect(await sorted(filter)).toEqual(expected);
  });

  it('finds nested runs through the mlflow.parentRunId tag', async () => {
    expect(await sorted(`tags.mlflow.parentRunId = '${ids.alpha}'`)).toEqual(['eps']);
    expect(await sorted(`tags.\`mlflow.parentRunId\` = '${ids.alpha}'`)).toEqual(['eps']);
  });

  it.each([
    ["attributes.status = 'FINISHED'", ['alpha']],
    ["attribute.status != 'RUNNING'", ['Gamma', 'alpha']],
    ["attributes.status IN ('FAILED', 'FINISHED')", ['Gamma', 'alpha']],
    ["attributes.run_name = 'beta'", ['beta']],
    ["attributes.run_name ILIKE 'gam%'", ['Gamma']],
    ["attributes.run_name LIKE 'gam%'", []],
    ["attributes.`Run name` = 'beta'", ['beta']],
    ['attributes.start_time > 1500', ['Gamma', 'beta', 'delta']],
    ['attributes.created <= 1000', ['alpha', 'eps']],
    ['attributes.end_time >= 2000', ['Gamma', 'alpha']],
    ["attributes.user_id = 'ann'", ['alpha']],
    ["attributes.artifact_uri LIKE '%/artifacts'", ['Gamma', 'alpha', 'beta', 'delta', 'eps']],
    ["run.run_name = 'delta' AND metrics.m IS NULL", ['delta']],
  ])('filters attributes: %s', async (filter, expected) => {
    expect(await sorted(filter)).toEqual(expected);
  });

  it('filters run_id with =, IN and NOT IN', async () => {
    expect(await sorted(`attributes.run_id = '${ids.beta}'`)).toEqual(['beta']);
    expect(await sorted(`attributes.run_id IN ('${ids.beta}', '${ids.delta}')`)).toEqual(['beta', 'delta']);
    expect(await sorted(`attributes.run_id NOT IN ('${ids.beta}', '${ids.delta}')`)).toEqual(['Gamma', 'alpha', 'eps']);
  });

  it('combines clauses with AND in any case', async () => {
    expect(await sorted("metrics.m > 0 and params.model = 'rf' AND tags.team = 'b'")).toEqual(['beta']);
  });

  it('sorts by metrics with NaN after numbers and missing values last in both directions', async () => {
    expect(await names({ orderBy: ['metrics.m DESC'] })).toEqual(['beta', 'eps', 'alpha', 'Gamma', 'delta']);
    expect(await names({ orderBy: ['metrics.m ASC'] })).toEqual(['alpha', 'beta', 'eps', 'Gamma', 'delta']);
    expect(await names({ orderBy: ['metrics.m'] })).toEqual(['alpha', 'beta', 'eps', 'Gamma', 'delta']);
  });

  it('sorts by tags, params and attributes, nulls last, ties by start_time DESC', async () => {
    expect(await names({ orderBy: ['tags.team DESC'] })).toEqual(['beta', 'Gamma', 'alpha', 'delta', 'eps']);
    expect(await names({ orderBy: ['tags.team ASC'] })).toEqual(['Gamma', 'alpha', 'beta', 'delta', 'eps']);
    expect(await names({ orderBy: ['attributes.end_time ASC'] })).toEqual(['alpha', 'Gamma', 'delta', 'beta', 'eps']);
    expect(await names({ orderBy: ['attributes.end_time DESC'] })).toEqual(['Gamma', 'alpha', 'delta', 'beta', 'eps']);
    expect(await names({ orderBy: ['attributes.start_time ASC'] })).toEqual(['eps', 'alpha', 'beta', 'Gamma', 'delta']);
    expect(await names({ orderBy: ['attributes.run_name ASC'] })).toEqual(['Gamma', 'alpha', 'beta', 'delta', 'eps']);
  });

  it('orders the same when a selective filter drives the query (one sorted query, not segments)', async () => {
    // every active run has a `model` param, so this filter keeps them all but is driven by its index
    const filter = "params.model IN ('lr', 'rf', 'LR', 'knn')";
    for (const orderBy of [
      ['metrics.m DESC'],
      ['metrics.m ASC'],
      ['tags.team DESC'],
      ['attributes.end_time ASC'],
      ['params.model DESC', 'metrics.m ASC'],
      ['metrics.m DESC', 'attributes.start_time ASC'],
      [],
    ]) {
      expect(await names({ filter, orderBy })).toEqual(await names({ orderBy }));
    }
    const pages: string[] = [];
    let pageToken: string | undefined;
    do {
      const res = await store.searchRuns({
        experimentIds: [exp],
        filter,
        orderBy: ['metrics.m DESC'],
        maxResults: 2,
        pageToken,
      });
      pages.push(...res.items.map((r) => r.info.runName));
      pageToken = res.nextPageToken;
    } while (pageToken);
    expect(pages).toEqual(['beta', 'eps', 'alpha', 'Gamma', 'delta']);
  });

  it('sorts by several keys', async () => {
    expect(await names({ orderBy: ['params.model DESC', 'metrics.m ASC'] })).toEqual([
      'beta',
      'eps',
      'alpha',
      'delta',
      'Gamma',
    ]);
    expect(await names({ orderBy: ['tags.team ASC', 'metrics.acc DESC'] })).toEqual([
      'alpha',
      'Gamma',
      'beta',
      'delta',
      'eps',
    ]);
    expect(await names({ orderBy: ['metrics.m DESC', 'attributes.start_time ASC'] })).toEqual([
      'eps',
      'beta',
      'alpha',
      'Gamma',
      'delta',
    ]);
  });

  it.each([
    [['metrics.m DESC']],
    [['metrics.m ASC', 'params.model']],
    [['tags.team DESC']],
    [[]],
    [['attributes.end_time']],
  ])('pages through results with tokens, ordered by %j', async (orderBy) => {
    const full = await names({ orderBy });
    for (const size of [1, 2, 3]) {
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await store.searchRuns({ experimentIds: [exp], orderBy, maxResults: size, pageToken: token });
        seen.push(...page.items.map((r) => r.info.runName));
        token = page.nextPageToken;
        pages += 1;
      } while (token);
      expect(seen).toEqual(full);
      expect(pages).toBe(Math.ceil(full.length / size));
    }
  });

  it.each([
    ['metrics.m >', 11],
    ['metrics.m > 1 OR metrics.m < 0', 14],
    ['params.model = lr', 15],
    ["metrics.m = 'x'", 12],
    ['attributes.color = 1', 0],
    ["attributes.run_id IN 'abc'", 21],
    ['metrics.m ~ 1', 10],
  ])('rejects the malformed filter %j with its position', async (filter, position) => {
    const err = await store.searchRuns({ experimentIds: [exp], filter }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameter);
    expect((err as Error).message).toContain(`position ${position}`);
  });

  it('rejects bad order_by, max_results and page tokens', async () => {
    const bad: Partial<SearchRunsQuery>[] = [
      { orderBy: ['metrics.m SIDEWAYS'] },
      { orderBy: ['attributes.color'] },
      { maxResults: 50001 },
      { maxResults: 0 },
      { pageToken: 'xx!' },
      { pageToken: Buffer.from('{"offset":"a"}').toString('base64') },
    ];
    for (const q of bad) {
      await expect(store.searchRuns({ experimentIds: [exp], ...q })).rejects.toBeInstanceOf(InvalidParameter);
    }
    await expect(store.searchRuns({ experimentIds: [exp], maxResults: 50000 })).resolves.toBeDefined();
  });

  it('filters on dataset inputs', async () => {
    await store.logInputs(ids.beta, [
      {
        tags: [{ key: 'mlflow.data.context', value: 'training' }],
        dataset: { name: 'heart', digest: 'd1', sourceType: 'local', source: 'heart.csv' },
      },
    ]);
    expect(await sorted("datasets.name = 'heart'")).toEqual(['beta']);
    expect(await sorted("datasets.digest IN ('d1', 'd2')")).toEqual(['beta']);
    expect(await sorted("datasets.context = 'training'")).toEqual(['beta']);
    expect(await sorted("datasets.context = 'eval'")).toEqual([]);
  });

  it('takes the largest filter allowed, past the joined ones, with 20 order keys', async () => {
    // metric comparisons hold for alpha only; the tail (beyond MAX_JOINED_FILTERS) runs as EXISTS
    const each = (n: number, term: (i: number) => string) => Array.from({ length: n }, (_, i) => term(i));
    const terms = [
      ...each(MAX_FILTER_COMPARISONS - 3, (i) => (i % 2 === 0 ? 'metrics.m >= 1' : "params.model = 'lr'")),
      "tags.team = 'A'",
      'metrics.acc < 1',
      "params.`a b` = 'x'",
    ];
    const orderBy = each(20, (i) => (i % 2 === 0 ? 'metrics.m DESC' : 'params.model'));
    expect(await names({ filter: terms.join(' and '), orderBy })).toEqual(['alpha']);
    // the last comparison alone decides: a mismatch there must still exclude the run
    expect(await names({ filter: [...terms.slice(0, -1), "params.`a b` = 'y'"].join(' and ') })).toEqual([]);
  });

  it('keeps the reason of an error about a long filter', async () => {
    const long = Array.from({ length: 300 }, (_, i) => `params.p${i} = 'x'`).join(' and ');
    const err = await store.searchRuns({ experimentIds: [exp], filter: long }).then(
      () => new Error('accepted'),
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(InvalidParameter);
    expect(err.message).toContain(`at most ${MAX_FILTER_COMPARISONS} comparisons`);
    expect(err.message.length).toBeLessThan(600);
    const bad = `${Array.from({ length: 100 }, (_, i) => `params.p${i} = 'x'`).join(' and ')} and metrics.m ~ 1`;
    const badErr = await store.searchRuns({ experimentIds: [exp], filter: bad }).then(
      () => new Error('accepted'),
      (e: Error) => e,
    );
    expect(badErr.message).toMatch(/unexpected character '~' at position \d+/);
    expect(badErr.message).toContain('metrics.m ~ 1');
    expect(badErr.message.length).toBeLessThan(600);
  });
});
