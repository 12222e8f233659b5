// The registry and monitoring pages' pure modules (ui/src/lib, ui/src/api/registry-types): reading
// `cairn monitor` runs into passes, the heat-map cells, filters, paths and the MLmodel signature
// (against what Cairn's own package writer produces). The browser test covers them end to end.
import { describe, expect, it } from 'vitest';
import { type MlModel, mlmodelToYaml } from '../../src/models/package/mlmodel.js';
import { signatureToMlmodel } from '../../src/models/package/signature.js';
import { REGISTRY_EVENT_TYPES } from '../../src/registry/webhooks/registry-events.js';
import { nameContainsFilter } from '../../ui/src/api/registry-client.js';
import { WEBHOOK_EVENTS } from '../../ui/src/api/registry-types.js';
import type { Run } from '../../ui/src/api/types.js';
import { readMlmodel } from '../../ui/src/lib/mlmodel-signature.js';
import {
  driftCells,
  featureOrder,
  liveMetricKeys,
  monitorFilter,
  monitoredModels,
  predictionClasses,
  readPass,
  readPasses,
} from '../../ui/src/lib/monitoring.js';
import { modelPath, sourceRunId, versionPath } from '../../ui/src/lib/registry-paths.js';

function monitorRun(id: string, model: string, t: number, metrics: Record<string, number>, version = '3'): Run {
  return {
    info: {
      run_id: id,
      run_name: `monitor-${model}-v${version}`,
      experiment_id: '7',
      status: 'FINISHED',
      start_time: t - 1000,
      lifecycle_stage: 'active',
    },
    data: {
      metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: t, step: 0 })),
      params: [
        { key: 'method.age', value: 'ks' },
        { key: 'threshold.age', value: '0.05' },
      ],
      tags: [
        { key: 'cairn.monitor.model_name', value: model },
        { key: 'cairn.monitor.model_version', value: version },
        { key: 'cairn.monitor.dataset_drift', value: metrics.dataset_drift ? 'true' : 'false' },
      ],
    },
  };
}

describe('monitoring runs', () => {
  const a = monitorRun('a', 'heart', 2000, {
    dataset_drift: 1,
    drift_share: 0.5,
    'drift_score.age': 0.01,
    'drift_detected.age': 1,
    'psi.age': 0.3,
    'drift_score.sex': 0.6,
    'drift_detected.sex': 0,
    'prediction_share.0': 0.4,
    'prediction_share.1': 0.6,
    'prediction_share.10': 0,
    prediction_mean: 0.58,
    'live.roc_auc': 0.9,
    'live.accuracy': 0.88,
    'live.custom': 1,
    n_predictions: 120,
  });
  const b = monitorRun('b', 'heart', 1000, { dataset_drift: 0, 'drift_score.sex': 0.7, 'drift_detected.sex': 0 }, '2');

  it('reads a pass: flags, per-feature drift with method and threshold, prediction shares, live metrics', () => {
    const p = readPass(a);
    expect(p.time).toBe(2000);
    expect(p.version).toBe('3');
    expect(p.datasetDrift).toBe(true);
    expect(p.features.get('age')).toEqual({ score: 0.01, detected: true, psi: 0.3, method: 'ks', threshold: '0.05' });
    expect(p.features.get('sex')).toEqual({ score: 0.6, detected: false, psi: null, method: null, threshold: null });
    expect([...p.predictionShares]).toEqual([
      ['0', 0.4],
      ['1', 0.6],
      ['10', 0],
    ]);
    expect(p.live.get('live.accuracy')).toBe(0.88);
    expect(p.nLabeled).toBeNull();
  });

  it('orders passes oldest first and features by how often they drifted', () => {
    const passes = readPasses([a, b]);
    expect(passes.map((p) => p.runId)).toEqual(['b', 'a']);
    expect(featureOrder(passes)).toEqual(['age', 'sex']);
    expect(predictionClasses(passes)).toEqual(['0', '1', '10']);
    expect(liveMetricKeys(passes)).toEqual(['live.accuracy', 'live.roc_auc', 'live.custom']);
    // pass b never measured age: no cell, not a green one
    expect(driftCells(passes, ['age', 'sex']).map((c) => c.value)).toEqual([
      [0, 1, 0],
      [1, 0, 1],
      [1, 1, 0],
    ]);
  });

  it('falls back to the run start and the dataset_drift tag when the metric is missing', () => {
    const run = monitorRun('c', 'heart', 5000, { drift_share: 0.1 });
    run.data.tags = [
      ...(run.data.tags ?? []).filter((t) => t.key !== 'cairn.monitor.dataset_drift'),
      { key: 'cairn.monitor.dataset_drift', value: 'true' },
    ];
    const p = readPass(run);
    expect(p.time).toBe(4000);
    expect(p.datasetDrift).toBe(true);
  });

  it('groups runs by model with the newest pass, and quotes names in the filter', () => {
    const other = monitorRun('d', 'stroke', 500, { dataset_drift: 0 });
    expect(monitoredModels([b, other, a]).map((m) => [m.name, m.last.runId, m.passes])).toEqual([
      ['heart', 'a', 2],
      ['stroke', 'd', 1],
    ]);
    expect(monitorFilter("o'brien")).toBe(`tags."cairn.monitor.model_name" = 'o\\'brien'`);
  });
});

describe('registry helpers', () => {
  it('builds name filters and paths that survive any model name', () => {
    expect(nameContainsFilter('  ')).toBeUndefined();
    expect(nameContainsFilter("heart's")).toBe("name ILIKE '%heart\\'s%'");
    expect(modelPath('a/b c')).toBe('/models/a%2Fb%20c');
    expect(versionPath('m', '3')).toBe('/models/m/versions/3');
    expect(sourceRunId('runs:/abc123/model', undefined)).toBe('abc123');
    expect(sourceRunId('mlflow-artifacts:/x', 'r1')).toBe('r1');
    expect(sourceRunId('s3://bucket/model', undefined)).toBeUndefined();
  });

  it("lists exactly the server's webhook events", () => {
    expect([...WEBHOOK_EVENTS]).toEqual([...REGISTRY_EVENT_TYPES]);
  });

  it("reads the signature of an MLmodel written by Cairn's package writer", () => {
    const model: MlModel = {
      artifact_path: 'model',
      flavors: {
        cairn: {
          format_version: 1,
          estimator: 'RandomForestClassifier',
          pipeline: 'pipeline.json',
          cairn_version: '0.1.0',
        },
      },
      mlflow_version: '2.17.2',
      model_uuid: 'u',
      run_id: 'r',
      utc_time_created: '2026-01-05 10:00:00.000000',
      signature: signatureToMlmodel({
        inputs: [
          { type: 'double', name: "it's", required: true },
          { type: 'string', name: 'sex', required: false },
        ],
        outputs: [{ type: 'double', required: true }],
      }),
    };
    const read = readMlmodel(mlmodelToYaml(model));
    expect(read.flavors).toEqual(['cairn']);
    expect(read.created).toBe('2026-01-05 10:00:00.000000');
    expect(read.inputs).toEqual([
      { name: "it's", type: 'double', required: true },
      { name: 'sex', type: 'string', required: false },
    ]);
    expect(read.outputs).toEqual([{ name: undefined, type: 'double', required: true }]);
    expect(readMlmodel('artifact_path: model\nflavors: {}\n').inputs).toBeNull();
  });
});
