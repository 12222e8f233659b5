// Source checks for new model versions (MLflow's _validate_source) and runs:/ resolution, against a
// real tracking store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidParameter, NotFound } from '../core/errors.js';
import { openTrackingStore } from '../tracking/open-store.js';
import type { TrackingStore } from '../tracking/store.js';
import { resolveModelVersionSource } from './model-version-source.js';

let dir: string;
let store: TrackingStore;
let localRun: { runId: string; artifactUri: string };
let proxiedRun: { runId: string; artifactUri: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-mv-source-'));
  store = await openTrackingStore(`sqlite:///${join(dir, 'cairn.db')}`, { defaultArtifactRoot: join(dir, 'artifacts') });
  const local = await store.createRun({ experimentId: '0' });
  localRun = { runId: local.info.runId, artifactUri: local.info.artifactUri };
  const exp = await store.createExperiment('proxied', 'mlflow-artifacts:/proxied');
  const proxied = await store.createRun({ experimentId: exp });
  proxiedRun = { runId: proxied.info.runId, artifactUri: proxied.info.artifactUri };
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('resolveModelVersionSource', () => {
  it('resolves runs:/ sources to the run artifact URI plus the path', async () => {
    expect(await resolveModelVersionSource(store, `runs:/${proxiedRun.runId}/model`)).toBe(`${proxiedRun.artifactUri}/model`);
    expect(await resolveModelVersionSource(store, `runs:/${proxiedRun.runId}/a/b/`)).toBe(`${proxiedRun.artifactUri}/a/b`);
    expect(await resolveModelVersionSource(store, `runs:/${proxiedRun.runId}`)).toBe(proxiedRun.artifactUri);
    await expect(resolveModelVersionSource(store, 'runs:/0123456789abcdef0123456789abcdef/model')).rejects.toBeInstanceOf(NotFound);
  });

  it('keeps other remote sources as they are', async () => {
    for (const source of ['s3://bucket/path/model', 'mlflow-artifacts:/1/abc/artifacts/model', 'models:/m/1', 'http://h:5000/api/2.0/mlflow-artifacts/artifacts/x']) {
      expect(await resolveModelVersionSource(store, source), source).toBeUndefined();
    }
  });

  it('refuses relative references, even percent-encoded', async () => {
    for (const source of ['s3://b/a/../x', 'mlflow-artifacts:/1/..%2f..%2fetc', 'http://h/a/%252e%252e/b', 'gs://b/a/./b', 's3://b/x%00']) {
      await expect(resolveModelVersionSource(store, source), source).rejects.toBeInstanceOf(InvalidParameter);
    }
  });

  it('accepts a local path only inside the artifact directory of the given run', async () => {
    const inside = `${localRun.artifactUri}/model`;
    expect(await resolveModelVersionSource(store, inside, localRun.runId)).toBeUndefined();
    expect(await resolveModelVersionSource(store, `file://${inside}`, localRun.runId)).toBeUndefined();
    await expect(resolveModelVersionSource(store, inside)).rejects.toThrow(/run_id request parameter has to be specified/);
    await expect(resolveModelVersionSource(store, '/etc/passwd', localRun.runId)).rejects.toBeInstanceOf(InvalidParameter);
    await expect(resolveModelVersionSource(store, `${localRun.artifactUri}/../../x`, localRun.runId)).rejects.toBeInstanceOf(InvalidParameter);
    // a proxied run has no local artifact directory to contain the path
    await expect(resolveModelVersionSource(store, inside, proxiedRun.runId)).rejects.toBeInstanceOf(InvalidParameter);
  });
});
