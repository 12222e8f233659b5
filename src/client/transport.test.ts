// Artifact URI parsing and the JSON codec's edge cases (non-finite doubles, int64 as strings).
import { describe, expect, it } from 'vitest';
import { doubleFromJson, doubleToJson, metricFromJson, metricToJson, runFromJson } from '../tracking/mlflow-json.js';
import { MAX_ENTITIES_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH } from '../tracking/validation.js';
import { splitBatch } from './batch-split.js';
import { parseArtifactUri } from './transport.js';

describe('parseArtifactUri', () => {
  it('recognises proxied, local and unsupported roots', () => {
    expect(parseArtifactUri('mlflow-artifacts:/1/abc/artifacts')).toEqual({ kind: 'proxy', path: '1/abc/artifacts' });
    expect(parseArtifactUri('mlflow-artifacts://host:5000/1/abc/artifacts/')).toEqual({
      kind: 'proxy',
      path: '1/abc/artifacts',
    });
    expect(parseArtifactUri('http://h:5000/api/2.0/mlflow-artifacts/artifacts/2/r/artifacts')).toEqual({
      kind: 'proxy',
      path: '2/r/artifacts',
    });
    expect(parseArtifactUri('file:///data/art%20ifacts/1')).toEqual({ kind: 'local', dir: '/data/art ifacts/1' });
    expect(parseArtifactUri('/data/artifacts/1')).toEqual({ kind: 'local', dir: '/data/artifacts/1' });
    expect(parseArtifactUri('s3://bucket/x')).toBeUndefined();
    expect(parseArtifactUri('http://h:5000/other/path')).toBeUndefined();
  });
});

describe('mlflow codec', () => {
  it('round-trips non-finite metric values through proto JSON strings', () => {
    for (const v of [NaN, Infinity, -Infinity, 0.5]) {
      const wire = JSON.parse(JSON.stringify(metricToJson({ key: 'k', value: v, step: 1, timestamp: 2 })));
      expect(wire.value).toBe(doubleToJson(v));
      expect(metricFromJson(wire)).toEqual({ key: 'k', value: v, step: 1, timestamp: 2 });
    }
    expect(doubleToJson(NaN)).toBe('NaN');
    expect(doubleFromJson('Infinity')).toBe(Infinity);
  });

  it('reads int64 fields sent as strings and fills absent optional fields', () => {
    const run = runFromJson({
      info: {
        run_uuid: 'abc',
        experiment_id: '3',
        status: 'FINISHED',
        start_time: '1700000000000',
        end_time: '1700000000500',
        artifact_uri: 'x',
      },
      data: { metrics: [{ key: 'm', value: '0.5', timestamp: '12', step: '3' }] },
    });
    expect(run.info).toMatchObject({
      runId: 'abc',
      startTime: 1_700_000_000_000,
      endTime: 1_700_000_000_500,
      lifecycleStage: 'active',
    });
    expect(run.data).toEqual({ metrics: [{ key: 'm', value: 0.5, timestamp: 12, step: 3 }], params: [], tags: [] });
    expect(run.inputs.datasetInputs).toEqual([]);
    expect(runFromJson({ info: { run_id: 'r' } }).info.endTime).toBeNull();
  });
});

describe('splitBatch', () => {
  it("keeps every request within MLflow's limits and every entity in order", () => {
    const metrics = Array.from({ length: 2345 }, (_, i) => ({ key: 'm', value: i, step: i, timestamp: i }));
    const params = Array.from({ length: 250 }, (_, i) => ({ key: `p${i}`, value: '' }));
    const tags = Array.from({ length: 30 }, (_, i) => ({ key: `t${i}`, value: '' }));
    const parts = splitBatch({ metrics, params, tags });
    for (const p of parts) {
      expect(p.params.length).toBeLessThanOrEqual(MAX_PARAMS_TAGS_PER_BATCH);
      expect(p.tags.length).toBeLessThanOrEqual(MAX_PARAMS_TAGS_PER_BATCH);
      expect(p.metrics.length + p.params.length + p.tags.length).toBeLessThanOrEqual(MAX_ENTITIES_PER_BATCH);
    }
    expect(parts.map((p) => [p.metrics.length, p.params.length, p.tags.length])).toEqual([
      [870, 100, 30],
      [900, 100, 0],
      [575, 50, 0],
    ]);
    expect(parts.flatMap((p) => p.metrics)).toEqual(metrics);
    expect(parts.flatMap((p) => p.params)).toEqual(params);
    expect(splitBatch({})).toEqual([]);
  });
});
