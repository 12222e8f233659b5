import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Run } from '../tracking/entities.js';
import { runToJson } from '../tracking/mlflow-json.js';
import { R } from './response-schemas.js';
import { runJsonText, searchRunsJson } from './run-json-writer.js';

const searchRunsJsonText = (runs: Parameters<typeof searchRunsJson>[0], token?: string) => searchRunsJson(runs, token).toString('utf8');

function run(id: string, over: Partial<Run['data']> = {}, extra: Partial<Run> = {}): Run {
  return {
    info: {
      runId: id, runName: 'run "quoted" \\ é 漢字 😀', experimentId: '7', userId: 'ü\nser', status: 'FINISHED',
      startTime: 1_700_000_000_123, endTime: 1_700_000_100_456, artifactUri: 'file:///tmp/a b/"x"', lifecycleStage: 'active',
    },
    data: { metrics: [], params: [], tags: [], ...over },
    inputs: { datasetInputs: [] },
    ...extra,
  };
}

const runs: Run[] = [
  run('a'.repeat(32), {
    metrics: [
      { key: 'nan', value: NaN, timestamp: 1, step: 0 },
      { key: 'inf', value: Infinity, timestamp: 2, step: 1 },
      { key: 'ninf', value: -Infinity, timestamp: 3, step: -2 },
      { key: 'zero', value: -0, timestamp: 0, step: 0 },
      { key: 'tiny', value: 5e-324, timestamp: 4, step: 3 },
      { key: 'big', value: 1.7976931348623157e308, timestamp: 5, step: 9_007_199_254_740_991 },
      { key: 'frac', value: 0.1 + 0.2, timestamp: 6, step: 4 },
    ],
    params: [{ key: 'p "q"', value: 'line\nbreak\ttab\u0001ctl\u2028sep' }, { key: 'empty', value: '' }],
    tags: [{ key: 'mlflow.note.content', value: '# Ünïcödé 🚀 "quotes" \\back\\slash </script>' }],
  }),
  run('b'.repeat(32)), // no metrics, params or tags: data is {}
  run('c'.repeat(32), { params: [{ key: 'only', value: 'param' }] }, {
    info: { ...run('c').info, runId: 'c'.repeat(32), endTime: null, runName: '', userId: '', lifecycleStage: 'deleted', status: 'RUNNING' },
  }),
  run('d'.repeat(32), { tags: [{ key: 't', value: 'v' }], metrics: [{ key: 'm', value: 1, timestamp: 2, step: 3 }] }, {
    inputs: {
      datasetInputs: [
        { tags: [{ key: 'mlflow.data.context', value: 'train' }], dataset: { name: 'ds', digest: 'abc', sourceType: 'local', source: '{"uri": "x"}', schema: '{"s": 1}' } },
        { tags: [], dataset: { name: 'ds2', digest: 'def', sourceType: 'http', source: 's', profile: 'p' } },
      ],
    },
  }),
];

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') { Object.freeze(v); for (const x of Object.values(v)) deepFreeze(x); }
  return v;
}

/** The generic path: runToJson() objects through Fastify's response-schema serialiser. */
async function generic(body: Record<string, unknown>): Promise<string> {
  const app = Fastify();
  app.post('/x', { schema: { response: { 200: R.runs } } }, async () => body);
  const res = await app.inject({ method: 'POST', url: '/x' });
  await app.close();
  return res.body;
}

describe('searchRunsJson', () => {
  it('writes what runToJson + the R.runs schema serialiser write', async () => {
    const expected = await generic({ runs: runs.map(runToJson), next_page_token: 'tok"en' });
    const text = searchRunsJsonText(runs, 'tok"en');
    expect(JSON.parse(text)).toEqual(JSON.parse(expected));
    // same keys in the same order, too
    expect(JSON.stringify(JSON.parse(text))).toBe(JSON.stringify(JSON.parse(expected)));
  });

  it('writes non-finite metrics as protobuf strings, omits empty fields and keeps run_uuid', () => {
    const parsed = JSON.parse(searchRunsJsonText(runs));
    expect(parsed.next_page_token).toBeUndefined();
    expect(parsed.runs[0].data.metrics.slice(0, 3).map((m: { value: unknown }) => m.value)).toEqual(['NaN', 'Infinity', '-Infinity']);
    expect(parsed.runs[0].info.run_uuid).toBe(parsed.runs[0].info.run_id);
    expect(parsed.runs[1]).toEqual({ info: expect.any(Object), data: {}, inputs: {} });
    expect(parsed.runs[2].info.end_time).toBeUndefined();
    expect(Object.keys(parsed.runs[2].data)).toEqual(['params']);
  });

  it('writes an empty page as {} and a lone page token', async () => {
    expect(searchRunsJsonText([])).toBe('{}');
    expect(JSON.parse(searchRunsJsonText([], 'x'))).toEqual(JSON.parse(await generic({ next_page_token: 'x' })));
  });

  it('writes frozen (cached) runs to the same bytes, twice, with non-ASCII text intact', () => {
    const withUnicode = [...runs, { ...runs[2], data: { metrics: [], params: [{ key: 'naïve κ', value: 'Größe 🚀' }], tags: [] } }];
    const frozen = withUnicode.map((r) => deepFreeze(structuredClone(r)));
    const plain = searchRunsJson(withUnicode, 'p');
    expect(searchRunsJson(frozen, 'p').equals(plain)).toBe(true);
    expect(searchRunsJson(frozen, 'p').equals(plain)).toBe(true); // from the per-run memo
    expect(JSON.parse(plain.toString('utf8')).runs.at(-1).data.params).toEqual([{ key: 'naïve κ', value: 'Größe 🚀' }]);
  });

  it('reuses a body only for the very same frozen runs, in the same order, with the same page token', () => {
    const frozen = runs.map((r) => deepFreeze(structuredClone(r)));
    const fresh = (rs: Run[], token?: string) => searchRunsJson(rs.map((r) => structuredClone(r)), token);
    const body = searchRunsJson(frozen, 't');
    expect(searchRunsJson(frozen, 't')).toBe(body); // the same Buffer
    expect(searchRunsJson([...frozen], 't')).toBe(body); // another array of the same runs
    expect(searchRunsJson(frozen, 'u').equals(fresh(runs, 'u'))).toBe(true);
    expect(searchRunsJson(frozen).equals(fresh(runs))).toBe(true);
    expect(searchRunsJson([...frozen].reverse(), 't').equals(fresh([...runs].reverse(), 't'))).toBe(true);
    expect(searchRunsJson(frozen.slice(1), 't').equals(fresh(runs.slice(1), 't'))).toBe(true);
    // the same run id, but another (newer) run object: encoded anew
    const renamed = deepFreeze({ ...structuredClone(runs[0]), info: { ...runs[0].info, runName: 'renamed' } });
    const next = searchRunsJson([renamed, ...frozen.slice(1)], 't');
    expect(JSON.parse(next.toString('utf8')).runs[0].info.run_name).toBe('renamed');
  });

  it('writes one run as runToJson does', () => {
    for (const r of runs) expect(JSON.parse(runJsonText(r))).toEqual(JSON.parse(JSON.stringify(runToJson(r))));
  });
});
