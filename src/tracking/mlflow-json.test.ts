// The one MLflow JSON codec: what the server writes, the client reads back unchanged (and the reverse),
// with proto JSON's conventions for non-finite doubles, int64 strings, enums and omitted fields.
import { describe, expect, it } from 'vitest';
import type { Experiment, Run } from './entities.js';
import {
  datasetInputToJson,
  datasetInputsFromJson,
  doubleFromJson,
  doubleToJson,
  experimentFromJson,
  experimentToJson,
  metricFromJson,
  metricToJson,
  parseDouble,
  parseRunStatus,
  parseViewType,
  runFromJson,
  runToJson,
} from './mlflow-json.js';

const wire = (value: unknown) => JSON.parse(JSON.stringify(value));

const run: Run = {
  info: {
    runId: 'a'.repeat(32),
    runName: 'forest "é"',
    experimentId: '3',
    userId: 'ana',
    status: 'FINISHED',
    startTime: 1_700_000_000_123,
    endTime: 1_700_000_100_456,
    artifactUri: 'mlflow-artifacts:/3/a/artifacts',
    lifecycleStage: 'active',
  },
  data: {
    metrics: [
      { key: 'nan', value: NaN, timestamp: 1, step: 0 },
      { key: 'inf', value: Infinity, timestamp: 2, step: 1 },
      { key: 'ninf', value: -Infinity, timestamp: 3, step: -2 },
      { key: 'acc', value: 0.91, timestamp: 4, step: 9_007_199_254_740_991 },
    ],
    params: [
      { key: 'lr', value: '0.1' },
      { key: 'empty', value: '' },
    ],
    tags: [{ key: 'mlflow.runName', value: 'forest "é"' }],
  },
  inputs: {
    datasetInputs: [
      {
        tags: [{ key: 'mlflow.data.context', value: 'train' }],
        dataset: { name: 'heart', digest: 'abc', sourceType: 'local', source: '{}', schema: '{"s": 1}' },
      },
      { tags: [], dataset: { name: 'stroke', digest: 'def', sourceType: 'http', source: 'https://x', profile: 'p' } },
    ],
  },
};

describe('MLflow JSON codec', () => {
  it('reads back every run field it writes, NaN and ±Infinity included', () => {
    const json = wire(runToJson(run));
    const values = json.data.metrics.map((m: { value: unknown }) => m.value);
    expect(values).toEqual(['NaN', 'Infinity', '-Infinity', 0.91]);
    expect(json.info.run_uuid).toBe(run.info.runId);
    expect(runFromJson(json)).toEqual(run);
  });

  it('omits unset fields and empty lists, and fills them back with proto defaults', () => {
    const bare: Run = {
      info: { ...run.info, endTime: null },
      data: { metrics: [], params: [], tags: [] },
      inputs: { datasetInputs: [] },
    };
    const json = wire(runToJson(bare));
    expect(json.info.end_time).toBeUndefined();
    expect(json.data).toEqual({});
    expect(json.inputs).toEqual({});
    expect(runFromJson(json)).toEqual(bare);
    expect(wire(datasetInputToJson(run.inputs.datasetInputs[1]))).toEqual({
      dataset: { name: 'stroke', digest: 'def', source_type: 'http', source: 'https://x', profile: 'p' },
    });
  });

  it('round-trips experiments and dataset inputs', () => {
    const experiment: Experiment = {
      experimentId: '7',
      name: 'heart-disease',
      artifactLocation: 'mlflow-artifacts:/7',
      lifecycleStage: 'deleted',
      creationTime: 1,
      lastUpdateTime: 2,
      tags: [{ key: 'team', value: 'cardio' }],
    };
    expect(experimentFromJson(wire(experimentToJson(experiment)))).toEqual(experiment);
    const inputs = run.inputs.datasetInputs;
    expect(datasetInputsFromJson(wire(inputs.map(datasetInputToJson)))).toEqual(inputs);
  });

  it('reads int64 fields sent as strings, as proto JSON allows', () => {
    const metric = metricFromJson({ key: 'm', value: '0.5', timestamp: '12', step: '3' });
    expect(metric).toEqual({ key: 'm', value: 0.5, timestamp: 12, step: 3 });
    const negative = metricToJson({ key: 'm', value: -Infinity, timestamp: 1, step: 2 });
    expect(negative).toEqual({ key: 'm', value: '-Infinity', timestamp: 1, step: 2 });
  });

  it('parses request doubles strictly, naming the field, and response doubles leniently', () => {
    for (const v of [NaN, Infinity, -Infinity, 0.5, -3]) {
      expect(parseDouble(doubleToJson(v), 'value')).toBe(v);
      expect(doubleFromJson(doubleToJson(v))).toBe(v);
    }
    expect(parseDouble('1.25', 'value')).toBe(1.25);
    expect(() => parseDouble('abc', 'metrics[0].value')).toThrow(/'metrics\[0\]\.value'.*must be a number/);
    expect(() => parseDouble('', 'value')).toThrow();
    expect(() => parseDouble(true, 'value')).toThrow();
    expect(doubleFromJson('abc')).toBeNaN();
  });

  it('parses proto enums by name in any case or by number, and refuses others naming the field', () => {
    expect(parseViewType('deleted_only', 'run_view_type')).toBe('DELETED_ONLY');
    expect(parseViewType(3, 'view_type')).toBe('ALL');
    expect(parseViewType('', 'view_type')).toBeUndefined();
    expect(() => parseViewType('constructor', 'view_type')).toThrow(/'view_type'.*ACTIVE_ONLY, DELETED_ONLY, ALL/);
    expect(parseRunStatus('finished')).toBe('FINISHED');
    expect(parseRunStatus('5')).toBe('KILLED');
    expect(() => parseRunStatus(6)).toThrow(/'status'.*RUNNING, SCHEDULED, FINISHED, FAILED, KILLED/);
  });
});
