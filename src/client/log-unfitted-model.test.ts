// logModel refuses a pipeline with an unfitted part before it writes anything: no artifact, no
// logged-model entry, no registered model (a direct-to-store client on a real SQLite file).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { InvalidParameter } from '../core/errors.js';
import { frame, numericColumn } from '../learn/core/frame.js';
import { LogisticRegression } from '../learn/linear/index.js';
import { Pipeline } from '../learn/pipeline.js';
import { StandardScaler } from '../learn/preprocessing/index.js';
import { CairnClient } from './cairn-client.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-log-unfitted-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it('logModel of a pipeline whose step was swapped after fit writes nothing and names the step', async () => {
  const client = await CairnClient.open(`sqlite:///${path.join(tmp, 'cairn.db')}`, {
    artifactRoot: path.join(tmp, 'artifacts'),
  });
  try {
    const X = frame([numericColumn('a', [0, 1, 2, 3, 4, 5, 6, 7]), numericColumn('b', [1, 0, 1, 0, 1, 0, 1, 0])]);
    const y = Float64Array.from([0, 0, 0, 1, 0, 1, 1, 1]);
    const pipeline = new Pipeline({
      steps: [
        ['scale', new StandardScaler({})],
        ['model', new LogisticRegression({})],
      ],
    }).fit(X, y);
    pipeline.steps[0] = ['scale', new StandardScaler({})];
    const experimentId = await client.createExperiment('unfitted');
    const run = await client.createRun(experimentId);
    const err = await client
      .logModel(run.info.runId, pipeline, { artifactPath: 'model', registeredModelName: 'never-registered' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameter);
    expect((err as Error).message).toContain('in Pipeline › steps[0] "scale" (StandardScaler)');
    expect((err as Error).message).toContain('so it has no featureNamesIn_');
    expect(await client.listArtifacts(run.info.runId)).toEqual([]);
    const tags = (await client.getRun(run.info.runId)).data.tags.map((t) => t.key);
    expect(tags).not.toContain('mlflow.log-model.history');
    await expect(client.registry.getRegisteredModel('never-registered')).rejects.toThrow(/not found/i);
  } finally {
    await client.close();
  }
});
