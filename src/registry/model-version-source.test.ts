// Source checks for new model versions (MLflow's _validate_source), against a real tracking store; the
// expected outcomes were taken from the MLflow 2.17.2 server given the same sources.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidParameter, NotFound } from '../core/errors.js';
import { openTrackingStore } from '../tracking/open-store.js';
import type { TrackingStore } from '../tracking/store.js';
import { validateModelVersionSource } from './model-version-source.js';

let dir: string;
let store: TrackingStore;
let localRun: { runId: string; artifactUri: string };
let proxiedRun: { runId: string; artifactUri: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-mv-source-'));
  store = await openTrackingStore(`sqlite:///${join(dir, 'cairn.db')}`, {
    defaultArtifactRoot: join(dir, 'artifacts'),
  });
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

const MISSING_RUN = '0123456789abcdef0123456789abcdef';
const ok = (source: string, runId?: string) =>
  expect(validateModelVersionSource(store, source, runId), source).resolves.toBeUndefined();
const refused = (source: string, message: RegExp, runId?: string) =>
  expect(validateModelVersionSource(store, source, runId), source).rejects.toSatisfy(
    (e: unknown) => e instanceof InvalidParameter && message.test(e.message),
  );

describe('validateModelVersionSource (each case as MLflow 2.17.2 answers it)', () => {
  it('accepts runs:/ sources without looking the run up: it may live on another tracking server', async () => {
    for (const source of [
      `runs:/${MISSING_RUN}/model`,
      `runs:/${proxiedRun.runId}/a/b/`,
      'runs:/a%zz/model',
      'runs:/a%2e%2e/x',
    ]) {
      await ok(source);
    }
  });

  it('keeps other remote sources as they are, Windows drive letters included (not local on a POSIX server)', async () => {
    for (const source of [
      's3://bucket/path/model',
      'mlflow-artifacts:/1/abc/artifacts/model',
      'models:/m/1',
      'http://h:5000/api/2.0/mlflow-artifacts/artifacts/x',
      'ftp://h/a//b',
      'hdfs://h/tmp',
      'C:/x/y',
      'http://[::1]:5000/a',
    ]) {
      await ok(source);
    }
  });

  it('refuses relative references, even percent-encoded, and paths that are not absolute', async () => {
    for (const source of [
      's3://b/a/../x',
      'mlflow-artifacts:/1/..%2f..%2fetc',
      'http://h/a/%252e%252e/b',
      'gs://b/a/./b',
      's3://b/x%00',
      's3://bucket',
      'runs:abc/model',
      'runs:/',
      'runs:',
      'a:b',
      'mlflow-artifacts:/a/./b',
      'runs:/x/a;b/../c',
    ]) {
      await refused(source, /an absolute path must be provided without relative path references/);
    }
  });

  it('refuses a file: URI naming a remote host, and a malformed IPv6 host, as client errors', async () => {
    for (const source of ['file://bad host/x', 'file://evil.com/x']) {
      await refused(source, /is not a valid remote uri/, localRun.runId);
    }
    for (const source of ['http://[abc/x', 'http://[abc]/x', 'http://a]b/x', 's3://[1.2.3.4]/x']) {
      await refused(source, /is not a valid URI/);
    }
  });

  it('accepts a local path only inside the artifact directory of the given run', async () => {
    const inside = `${localRun.artifactUri}/model`;
    await ok(inside, localRun.runId);
    await ok(`file://${inside}`, localRun.runId);
    await ok(`file://localhost${inside}`, localRun.runId);
    await refused(inside, /run_id request parameter has to be specified/);
    await refused('/etc/passwd', /Invalid model version source: '\/etc\/passwd'/, localRun.runId);
    await refused(
      `${localRun.artifactUri}/../../x`,
      /has to be contained within the artifact directory/,
      localRun.runId,
    );
    // a proxied run has no local artifact directory to contain the path
    await refused(inside, /has to be contained within the artifact directory/, proxiedRun.runId);
    await expect(validateModelVersionSource(store, inside, MISSING_RUN)).rejects.toBeInstanceOf(NotFound);
  });
});
