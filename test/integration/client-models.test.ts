// logModel + registration + loadModel through every model URI form, against a real Cairn server on
// loopback (REST, artifacts through its proxy) and directly against a SQLite store.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient } from '../../src/client/cairn-client.js';
import * as fluent from '../../src/client/fluent.js';
import { RandomForestClassifier } from '../../src/learn/ensemble/index.js';
import { LogisticRegression } from '../../src/learn/linear/index.js';
import { Pipeline } from '../../src/learn/pipeline.js';
import { anchorPreprocessor, heartDataset, type AnchorDataset } from '../support/learn/anchor-protocol.js';
import { startTestServer, type TestServer } from './server-harness.js';
import { lacks } from '../support/requirements.js';
import { readSharedData } from '../support/shared.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-client-models-'));
let heart: AnchorDataset;
let logistic: Pipeline;
let forest: Pipeline;
let server: TestServer;

beforeAll(async () => {
  heart = heartDataset(readSharedData('heart_disease_uci.csv'));
  logistic = new Pipeline({
    steps: [
      ['prep', anchorPreprocessor(heart.numeric, heart.categorical, true)],
      ['model', new LogisticRegression({})],
    ],
  }).fit(heart.X, heart.y);
  forest = new Pipeline({
    steps: [
      ['prep', anchorPreprocessor(heart.numeric, heart.categorical, false)],
      ['model', new RandomForestClassifier({ nEstimators: 20, seed: 3, nJobs: 1 })],
    ],
  }).fit(heart.X, heart.y);
  server = await startTestServer();
});

afterAll(async () => {
  await fluent.shutdown();
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const backends: Array<[string, () => string, () => Promise<CairnClient>]> = [
  ['REST server', () => server.url, () => CairnClient.open(server.url)],
  [
    'direct SQLite store',
    () => `sqlite:///${path.join(tmp, 'direct.db')}`,
    () =>
      CairnClient.open(`sqlite:///${path.join(tmp, 'direct.db')}`, {
        artifactRoot: path.join(tmp, 'direct-artifacts'),
      }),
  ],
];

function bits(m: { data: Float64Array }): number[] {
  return Array.from(m.data);
}

describe.skipIf(lacks('shared-data')).each(backends)('models over %s', (_name, uri, open) => {
  it('logs, registers and loads by runs:/, models:/name/1, /Production, /latest and @champion', async () => {
    const client = await open();
    try {
      const experimentId = await client.createExperiment(`models-${Date.now()}`);
      const run1 = await client.createRun(experimentId, { runName: 'logistic' });
      const run2 = await client.createRun(experimentId, { runName: 'forest' });
      const info1 = await client.logModel(run1.info.runId, logistic, {
        artifactPath: 'model',
        registeredModelName: 'heart',
        trainingFrame: heart.X,
        trainingTarget: heart.y,
        metadata: { team: 'cardio' },
      });
      const info2 = await client.logModel(run2.info.runId, forest, {
        artifactPath: 'models/forest',
        registeredModelName: 'heart',
        trainingFrame: heart.X,
        trainingTarget: heart.y,
      });
      expect(info1.modelUri).toBe(`runs:/${run1.info.runId}/model`);
      expect(info1.registeredModelVersion?.version).toBe('1');
      expect(info2.registeredModelVersion?.version).toBe('2');
      expect(info2.registeredModelVersion?.runId).toBe(run2.info.runId);
      // as MLflow's register_model: the source is the run's artifact location, not the runs:/ URI
      expect(info1.registeredModelVersion?.source).toBe(`${run1.info.artifactUri.replace(/\/+$/, '')}/model`);

      // the package is in the run's artifacts, and the run's log-model history names it
      const listed = (await client.listArtifacts(run1.info.runId, 'model')).map((f) => f.path).sort();
      expect(listed).toEqual([
        'model/MANIFEST.json',
        'model/MLmodel',
        'model/input_example.json',
        'model/pipeline.json',
        'model/reference_profile.json',
        'model/reference_sample.json',
      ]);
      const history = JSON.parse(
        (await client.getRun(run1.info.runId)).data.tags.find((t) => t.key === 'mlflow.log-model.history')!.value,
      );
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({
        run_id: run1.info.runId,
        artifact_path: 'model',
        model_uuid: info1.modelUuid,
      });
      expect(history[0].flavors.cairn.estimator).toBe('LogisticRegression');
      // a second model in the same run is appended to the history, not replacing it
      const extra = await client.logModel(run1.info.runId, forest, { artifactPath: 'candidates/forest' });
      expect(extra.registeredModelVersion).toBeUndefined();
      const history2 = JSON.parse(
        (await client.getRun(run1.info.runId)).data.tags.find((t) => t.key === 'mlflow.log-model.history')!.value,
      );
      expect(history2.map((h: { artifact_path: string }) => h.artifact_path)).toEqual(['model', 'candidates/forest']);
      expect(bits((await client.loadModel(extra.modelUri)).predictProba(heart.X))).toEqual(
        bits(forest.predictProba(heart.X)),
      );

      await client.transitionModelVersionStage('heart', '1', 'Production');
      await client.setRegisteredModelAlias('heart', 'champion', '2');

      const expected = {
        [info1.modelUuid]: bits(logistic.predictProba(heart.X)),
        [info2.modelUuid]: bits(forest.predictProba(heart.X)),
      };
      const cases: Array<[string, string]> = [
        [`runs:/${run1.info.runId}/model`, info1.modelUuid],
        [`runs:/${run2.info.runId}/models/forest`, info2.modelUuid],
        ['models:/heart/1', info1.modelUuid],
        ['models:/heart/production', info1.modelUuid],
        ['models:/heart/latest', info2.modelUuid],
        ['models:/heart@champion', info2.modelUuid],
      ];
      for (const [modelUri, uuid] of cases) {
        const loaded = await client.loadModel(modelUri);
        expect(loaded.modelUuid, modelUri).toBe(uuid);
        expect(bits(loaded.predictProba(heart.X)), modelUri).toEqual(expected[uuid]);
        rmSync(loaded.dir, { recursive: true, force: true });
      }
      // a runs:/ source is stored as given and resolved through the run only when loading; a run this
      // tracking server does not have (a registry apart from tracking) is named in the error
      const runsSourced = await client.registry.createModelVersion({
        name: 'heart',
        source: `runs:/${run2.info.runId}/models/forest`,
        runId: run2.info.runId,
      });
      expect(await client.registry.getModelVersionDownloadUri('heart', runsSourced.version)).toBe(
        `runs:/${run2.info.runId}/models/forest`,
      );
      expect((await client.loadModel(`models:/heart/${runsSourced.version}`)).modelUuid).toBe(info2.modelUuid);
      const foreign = await client.registry.createModelVersion({
        name: 'heart',
        source: 'runs:/0123456789abcdef0123456789abcdef/model',
      });
      await expect(client.loadModel(`models:/heart/${foreign.version}`)).rejects.toThrow(
        /Run '0123456789abcdef0123456789abcdef' not found: .*names a run this tracking server does not have/,
      );
      const v1 = await client.loadModel('models:/heart/1');
      expect(v1.metadata).toEqual({ team: 'cardio' });
      expect(v1.resolved?.modelVersion?.version).toBe('1');
      await expect(client.loadModel('models:/heart/Staging')).rejects.toThrow(
        /No versions of model with name 'heart' and stage 'Staging'/,
      );
      await expect(client.loadModel('models:/heart/7')).rejects.toThrow(/not found|does not exist/i);
      await expect(client.loadModel('models:/heart/Prod')).rejects.toThrow(/neither a version number/);

      // a package changed in the artifact store after logging is refused on load
      const root = run1.info.artifactUri.startsWith('mlflow-artifacts:/')
        ? path.join(server.artifactsDir, run1.info.artifactUri.slice('mlflow-artifacts:/'.length))
        : run1.info.artifactUri.replace(/^file:\/\//, '');
      const stored = path.join(root, 'model', 'pipeline.json');
      writeFileSync(stored, `${readFileSync(stored, 'utf8')} `); // still valid JSON, other bytes
      await expect(client.loadModel('models:/heart/1')).rejects.toThrow(/checksum mismatch for 'pipeline.json'/);
    } finally {
      await client.close();
    }
  });

  it('the fluent API logs into the active run and loads it back', async () => {
    fluent.setTrackingUri(uri(), { artifactRoot: path.join(tmp, 'direct-artifacts') });
    await fluent.setExperiment('fluent-models');
    const info = await fluent.withRun({ runName: 'fluent' }, () =>
      fluent.logModel(logistic, { artifactPath: 'model', trainingFrame: heart.X, registeredModelName: 'fluent-heart' }),
    );
    const loaded = await fluent.loadModel(info.modelUri);
    expect(bits(loaded.predictProba(heart.X))).toEqual(bits(logistic.predictProba(heart.X)));
    const latest = await fluent.loadModel('models:/fluent-heart/latest');
    expect(latest.modelUuid).toBe(info.modelUuid);
    await fluent.shutdown();
    fluent.setTrackingUri(undefined);
  });
});
