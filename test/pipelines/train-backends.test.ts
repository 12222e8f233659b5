// End to end on the real data with small settings, through CairnClient against a SQLite file, a real
// PostgreSQL server and a real Cairn server over loopback HTTP: what each run records, the quality
// floors, and registration by promotion policy (Staging with failures recorded; Production only
// when the policy passes, archiving the previous Production version then).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient } from '../../src/client/cairn-client.js';
import { bundledHeartPath } from '../../src/pipelines/data-source.js';
import { HEART, STROKE } from '../../src/pipelines/dataset-spec.js';
import { loadDataset, type LoadedDataset } from '../../src/pipelines/load-dataset.js';
import { DEFAULT_POLICIES, registerBest } from '../../src/pipelines/register-best.js';
import { trainModels, TAGS } from '../../src/pipelines/train-pipeline.js';
import type { ModelResult } from '../../src/pipelines/train-types.js';
import { startTestServer, type TestServer } from '../integration/server-harness.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { lacks } from '../support/requirements.js';
import { sharedPath } from '../support/shared.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cairn-train-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Backend {
  name: string;
  open(): Promise<CairnClient>;
  stop(): Promise<void>;
}

const sqlite: Backend = {
  name: 'sqlite',
  open: () => CairnClient.open(`sqlite:///${tmp}/store.db`),
  stop: async () => undefined,
};
function postgres(): Backend {
  let pg: TestPostgres | undefined;
  return {
    name: 'postgresql',
    open: async () => {
      pg = await startPostgres();
      return CairnClient.open(pg.uri, { artifactRoot: path.join(tmp, 'pg-artifacts') });
    },
    stop: async () => pg?.stop(),
  };
}
function rest(): Backend {
  let srv: TestServer | undefined;
  return {
    name: 'http',
    open: async () => {
      srv = await startTestServer();
      return CairnClient.open(srv.url);
    },
    stop: async () => srv?.close(),
  };
}

const backends = lacks('postgres') ? [sqlite, rest()] : [sqlite, postgres(), rest()];

const LAX_POLICY = {
  target: 'Production',
  require: [
    { metric: 'roc_auc', '>=': 0.8 },
    { metric: 'accuracy', '>=': 0.7 },
  ],
};

let heart: LoadedDataset;
beforeAll(async () => {
  heart = await loadDataset(bundledHeartPath(), HEART);
});

describe.each(backends)('cairn train machinery over $name', (backend) => {
  let client: CairnClient;
  beforeAll(async () => {
    client = await backend.open();
  });
  afterAll(async () => {
    await client?.close();
    await backend.stop();
  });

  it('heart: logistic regression reaches CV ROC-AUC >= 0.88; the run records everything; the version is refused Production', async () => {
    const result = await trainModels(client, heart, {
      families: ['lr', 'dt'],
      cv: 5,
      seed: 42,
      experiment: 'heart-disease',
      sourceName: 'test',
    });
    const lr = result.models.find((m) => m.family === 'lr') as ModelResult;
    expect(lr.cv.roc_auc.mean).toBeGreaterThanOrEqual(0.88);
    expect(result.selectionMetric).toBe('roc_auc');
    expect(result.best.family).toBe('lr');
    // everything plots need, aligned
    expect(lr.outOfFold.proba.length).toBe(920);
    expect(lr.holdoutPredictions.yTrue.length).toBe(result.holdoutRows);
    expect(lr.featureImportance.features.length).toBe(lr.featureImportance.values.length);

    const run = await client.getRun(lr.runId);
    expect(run.info.status).toBe('FINISHED');
    const params = new Map(run.data.params.map((p) => [p.key, p.value]));
    expect(params.get('model__C')).toBe('1');
    expect(params.get('prep__num__impute__strategy')).toBe('median');
    expect(params.get('prep__cat__onehot__handleUnknown')).toBe('ignore');
    expect(params.get('cv_folds')).toBe('5');
    const metrics = new Map(run.data.metrics.map((m) => [m.key, m.value]));
    for (const m of ['accuracy', 'precision_1', 'recall_1', 'f1_1', 'roc_auc', 'pr_auc']) {
      expect(metrics.get(m)).toBeCloseTo(lr.cv[m as 'accuracy'].mean, 12);
      expect(metrics.has(`${m}_std`)).toBe(true);
      expect(metrics.has(`holdout_${m}`)).toBe(true);
    }
    const tags = new Map(run.data.tags.map((t) => [t.key, t.value]));
    expect(tags.get(TAGS.datasetDigest)).toBe(heart.digest);
    expect(tags.get(TAGS.datasetRows)).toBe('920');
    expect(tags.get(TAGS.family)).toBe('lr');
    expect(run.inputs.datasetInputs[0].dataset).toMatchObject({ name: 'heart', digest: heart.digest.slice(0, 16) });
    const files = (await client.listArtifacts(lr.runId)).map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['classification_report.txt', 'evaluation', 'model']));
    const loaded = await client.loadModel(`runs:/${lr.runId}/model`);
    expect(loaded.mlmodel.signature).toBeDefined();

    const reg = await registerBest(client, result.best, {
      name: 'heart-disease',
      defaultPolicy: DEFAULT_POLICIES['heart-disease'],
    });
    expect(reg).toMatchObject({ stage: 'Staging', passed: false, policySource: 'default', champion: true });
    expect(reg.failures.join('\n')).toMatch(/accuracy >= 0\.91 \(got 0\.\d+\)/);
    const v = await client.getModelVersion('heart-disease', reg.version);
    expect(v.tags.find((t) => t.key === 'cairn.promotion')?.value).toMatch(/fails the Production policy/);
    expect((await client.getModelVersionByAlias('heart-disease', 'champion')).version).toBe(reg.version);
  });

  it('a passing policy promotes to Production, and only then archives the previous Production version', async () => {
    const train = () =>
      trainModels(client, heart, { families: ['lr'], cv: 3, seed: 7, experiment: 'heart-lax', sourceName: 'test' });
    const first = await registerBest(client, (await train()).best, { name: 'heart-lax', policyDocs: [LAX_POLICY] });
    expect(first).toMatchObject({ stage: 'Production', passed: true, policySource: 'file', archived: [] });
    const second = await registerBest(client, (await train()).best, { name: 'heart-lax' });
    expect(second).toMatchObject({
      stage: 'Production',
      passed: true,
      policySource: 'existing',
      archived: [first.version],
    });
    expect((await client.getModelVersion('heart-lax', first.version)).currentStage).toBe('Archived');
    // a stricter policy now: the next version stays in Staging and the Production one is kept
    const strict = { target: 'Production', require: [{ metric: 'roc_auc', '>=': 0.99 }] };
    const third = await registerBest(client, (await train()).best, { name: 'heart-lax', policyDocs: [strict] });
    expect(third).toMatchObject({ stage: 'Staging', passed: false, archived: [] });
    expect((await client.getModelVersion('heart-lax', second.version)).currentStage).toBe('Production');
  });
});

describe.skipIf(lacks('shared-data'))('stroke (imbalanced)', () => {
  it('with class weights and a tuned threshold, recall_1 >= 0.5 on the holdout; best chosen by PR-AUC', async () => {
    const data = await loadDataset(sharedPath('data', 'stroke.csv'), STROKE);
    const client = await CairnClient.open(`sqlite:///${tmp}/stroke.db`);
    try {
      const result = await trainModels(client, data, {
        families: ['lr'],
        cv: 5,
        seed: 42,
        experiment: 'stroke',
        sourceName: 'test',
      });
      const lr = result.models[0] as ModelResult;
      expect(result.imbalanced).toBe(true);
      expect(result.selectionMetric).toBe('pr_auc');
      expect(lr.imbalance).toBe('class_weight=balanced');
      expect(lr.threshold.rule).toBe('recall');
      expect(lr.holdout.recall_1).toBeGreaterThanOrEqual(0.5);
      expect(lr.cv.recall_1.mean).toBeGreaterThanOrEqual(0.5);
      // a constant "no stroke" would score 0.95 accuracy and 0 recall: the tuned model trades accuracy for recall
      expect(lr.cv.accuracy.mean).toBeLessThan(0.95);
      const run = await client.getRun(lr.runId);
      expect(run.data.tags.find((t) => t.key === 'mlflow.note.content')?.value).toMatch(/Accuracy is not the target/);
    } finally {
      await client.close();
    }
  });
});
