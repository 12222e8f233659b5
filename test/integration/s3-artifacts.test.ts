// Artifacts in S3-compatible object storage, end to end. The object store is s3rver (an npm package
// implementing S3's REST API in Node), started in this test process on 127.0.0.1 with a temp directory;
// `cairn server` runs as a child process pointed at it with MLFLOW_S3_ENDPOINT_URL and AWS_* keys.
// Proxied mode (--artifacts-destination s3://…) is driven by Cairn's client and MLflow's Python client;
// direct mode (--default-artifact-root s3://…) by Cairn's client writing to the bucket itself.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3SettingsFromEnv } from '../../src/artifacts/s3-config.js';
import { CairnClient } from '../../src/client/cairn-client.js';
import { DEBIAN_PYTHON, exec, mlflowPythonEnv, startCairnServer, type CairnServer } from '../support/cairn-server.js';
import { lacks } from '../support/requirements.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { rawRequest } from './server-harness.js';

const BUCKET = 'cairn-team';
const MB = 1024 * 1024;

let s3: S3TestServer;
let tmp: string;

beforeAll(async () => {
  s3 = await startS3Server([BUCKET]);
  tmp = await mkdtemp(path.join(tmpdir(), 'cairn-s3-it-'));
});
afterAll(async () => {
  await s3?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function bucketKeys(prefix = ''): Promise<string[]> {
  const res = await s3SettingsFromEnv(s3.env).client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (res.Contents ?? []).map((o) => o.Key as string).sort();
}

async function objectSha256(key: string): Promise<string> {
  const res = await s3SettingsFromEnv(s3.env).client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  const hash = createHash('sha256');
  for await (const chunk of res.Body as Readable) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Writes `bytes` seeded pseudo-random bytes (xorshift32) to `file`, 1 MiB at a time. */
async function writeSeededFile(file: string, bytes: number, seed: number): Promise<void> {
  let state = seed;
  let left = bytes;
  const chunks = function* () {
    while (left > 0) {
      const n = Math.min(left, MB);
      const chunk = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        chunk[i] = state & 0xff;
      }
      left -= n;
      yield chunk;
    }
  };
  await pipeline(Readable.from(chunks()), createWriteStream(file));
}

/** `mlflow-artifacts:/1/abc/artifacts` → the object key prefix under the destination's prefix. */
const proxiedKey = (destinationPrefix: string, artifactUri: string, rel: string) =>
  `${destinationPrefix}/${artifactUri.replace(/^mlflow-artifacts:\/+/, '')}/${rel}`;

describe('cairn server --artifacts-destination s3://… (the artifact proxy over object storage)', () => {
  let server: CairnServer;
  let client: CairnClient;

  beforeAll(async () => {
    server = await startCairnServer({ artifactsDir: `s3://${BUCKET}/proxied`, env: s3.env });
    client = await CairnClient.open(server.url);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    server?.cleanup();
  });

  it("logs, lists and downloads with Cairn's client; the objects land under the prefix", async () => {
    const expId = await client.createExperiment('s3-proxied');
    const run = await client.createRun(expId);
    const runId = run.info.runId;
    expect(run.info.artifactUri).toMatch(/^mlflow-artifacts:\//);
    const notes = path.join(tmp, 'notes.txt');
    await writeFile(notes, 'kept in a bucket');
    await client.logArtifact(runId, notes);
    await client.logArtifact(runId, notes, 'reports/daily');
    await client.logBytes(runId, '{"accuracy": 0.91}', 'metrics/summary.json');

    expect(await client.listArtifacts(runId)).toEqual([
      { path: 'metrics', isDir: true },
      { path: 'notes.txt', isDir: false, fileSize: 16 },
      { path: 'reports', isDir: true },
    ]);
    expect(await client.listArtifacts(runId, 'reports/daily')).toEqual([
      { path: 'reports/daily/notes.txt', isDir: false, fileSize: 16 },
    ]);
    const keys = await bucketKeys('proxied/');
    for (const rel of ['notes.txt', 'reports/daily/notes.txt', 'metrics/summary.json']) {
      expect(keys).toContain(proxiedKey('proxied', run.info.artifactUri, rel));
    }
    const out = await client.downloadArtifacts(runId, 'reports', path.join(tmp, 'dl-cairn'));
    expect(await readFile(path.join(out, 'daily', 'notes.txt'), 'utf8')).toBe('kept in a bucket');
    expect((await client.readArtifact(runId, 'metrics/summary.json')).toString()).toBe('{"accuracy": 0.91}');
  });

  it("streams a 100 MB file through the proxy into the bucket and back with Cairn's client", async () => {
    const expId = await client.createExperiment('s3-proxied-large');
    const runId = (await client.createRun(expId)).info.runId;
    const big = path.join(tmp, 'big.bin');
    await writeSeededFile(big, 100 * MB, 20261207);
    const expected = await fileSha256(big);
    await client.logArtifact(runId, big, 'data');
    expect(await client.listArtifacts(runId, 'data')).toEqual([
      { path: 'data/big.bin', isDir: false, fileSize: 100 * MB },
    ]);
    const artifactUri = (await client.getRun(runId)).info.artifactUri;
    expect(await objectSha256(proxiedKey('proxied', artifactUri, 'data/big.bin'))).toBe(expected);
    const out = await client.downloadArtifacts(runId, 'data/big.bin', path.join(tmp, 'dl-big'));
    expect(await fileSha256(out)).toBe(expected);
    await rm(big);
    await rm(out);
  }, 300_000);

  it('refuses paths that try to escape the prefix with INVALID_PARAMETER_VALUE and writes nothing outside it', async () => {
    const before = await bucketKeys();
    const attempts = [
      '../outside.txt',
      '..%2Foutside.txt',
      '%2e%2e/%2e%2e/outside.txt',
      '1/%252e%252e/%252e%252e/%252e%252e/outside.txt',
      '%2Fetc%2Fpasswd',
      '1/..%5C..%5Coutside.txt',
    ];
    for (const rel of attempts) {
      for (const method of ['PUT', 'GET', 'DELETE']) {
        const res = await rawRequest(
          server.url,
          method,
          `/api/2.0/mlflow-artifacts/artifacts/${rel}`,
          method === 'PUT' ? Buffer.from('escaped') : undefined,
        );
        expect(res.status, `${method} ${rel}: ${res.text}`).toBe(400);
        expect(JSON.parse(res.text).error_code, `${method} ${rel}`).toBe('INVALID_PARAMETER_VALUE');
      }
      const list = await rawRequest(server.url, 'GET', `/api/2.0/mlflow-artifacts/artifacts?path=${rel}`);
      expect(list.status, `list ${rel}`).toBe(400);
    }
    expect(await bucketKeys()).toEqual(before);
    expect((await bucketKeys()).every((k) => k.startsWith('proxied/'))).toBe(true);
  });

  it.skipIf(lacks('mlflow-python'))(
    "logs, lists and downloads with MLflow's Python client, a 100 MB file included",
    async () => {
      const script = `
import hashlib, json, os, random, tempfile
import mlflow
from mlflow import MlflowClient
mlflow.set_experiment("s3-python")
work = tempfile.mkdtemp()
notes = os.path.join(work, "notes.txt")
with open(notes, "w") as f:
    f.write("from python")
big = os.path.join(work, "big.bin")
rng = random.Random(42)
h = hashlib.sha256()
with open(big, "wb") as f:
    for _ in range(100):
        chunk = rng.randbytes(1024 * 1024)
        h.update(chunk)
        f.write(chunk)
with mlflow.start_run() as run:
    mlflow.log_artifact(notes)
    mlflow.log_artifact(notes, artifact_path="nested/dir")
    mlflow.log_dict({"a": 1}, "config/params.json")
    mlflow.log_artifact(big, artifact_path="large")
c = MlflowClient()
rid = run.info.run_id
dst = mlflow.artifacts.download_artifacts(run_id=rid, artifact_path="nested", dst_path=tempfile.mkdtemp())
big_dst = mlflow.artifacts.download_artifacts(run_id=rid, artifact_path="large/big.bin", dst_path=tempfile.mkdtemp())
h2 = hashlib.sha256()
with open(big_dst, "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
        h2.update(block)
print(json.dumps({
    "artifact_uri": run.info.artifact_uri,
    "root": [[f.path, f.is_dir, f.file_size] for f in c.list_artifacts(rid)],
    "nested": [[f.path, f.is_dir, f.file_size] for f in c.list_artifacts(rid, "nested/dir")],
    "downloaded": open(os.path.join(dst, "dir", "notes.txt")).read(),
    "sha_logged": h.hexdigest(),
    "sha_downloaded": h2.hexdigest(),
}))
`;
      const env = { ...mlflowPythonEnv(), MLFLOW_TRACKING_URI: server.url, PYTHONUNBUFFERED: '1' };
      const res = await exec(DEBIAN_PYTHON, ['-c', script], env, 280_000, tmp);
      expect(res.code, res.out.slice(-4000)).toBe(0);
      const out = JSON.parse(res.out.trim().split('\n').pop() as string);
      expect(out.artifact_uri).toMatch(/^mlflow-artifacts:\//);
      expect(out.root).toEqual([
        ['config', true, null],
        ['large', true, null],
        ['nested', true, null],
        ['notes.txt', false, 11],
      ]);
      expect(out.nested).toEqual([['nested/dir/notes.txt', false, 11]]);
      expect(out.downloaded).toBe('from python');
      expect(out.sha_downloaded).toBe(out.sha_logged);
      // the bytes in the bucket are the bytes MLflow logged
      expect(await objectSha256(proxiedKey('proxied', out.artifact_uri, 'large/big.bin'))).toBe(out.sha_logged);
      expect(await bucketKeys('proxied/')).toContain(proxiedKey('proxied', out.artifact_uri, 'config/params.json'));
    },
    300_000,
  );
});

describe('cairn server --default-artifact-root s3://… (clients write to the bucket directly)', () => {
  let server: CairnServer;
  let client: CairnClient;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    server = await startCairnServer({
      env: s3.env,
      extraArgs: ['--default-artifact-root', `s3://${BUCKET}/direct`, '--no-serve-artifacts'],
    });
    // Cairn's client finds the object store as MLflow's does: MLFLOW_S3_ENDPOINT_URL and AWS_* in its environment
    for (const [name, value] of Object.entries(s3.env)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    client = await CairnClient.open(server.url);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    server?.cleanup();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("writes with Cairn's own S3 repository; the server lists and serves what it wrote", async () => {
    const expId = await client.createExperiment('s3-direct');
    const run = await client.createRun(expId);
    const runId = run.info.runId;
    expect(run.info.artifactUri).toBe(`s3://${BUCKET}/direct/${expId}/${runId}/artifacts`);
    const model = path.join(tmp, 'MLmodel');
    await writeFile(model, 'flavors: {}\n');
    await client.logArtifact(runId, model, 'model');
    await client.logBytes(runId, 'a,b\n1,2\n', 'data/sample.csv');
    expect(await bucketKeys(`direct/${expId}/`)).toEqual([
      `direct/${expId}/${runId}/artifacts/data/sample.csv`,
      `direct/${expId}/${runId}/artifacts/model/MLmodel`,
    ]);
    expect(await client.listArtifacts(runId)).toEqual([
      { path: 'data', isDir: true },
      { path: 'model', isDir: true },
    ]);
    expect((await client.readArtifact(runId, 'model/MLmodel')).toString()).toBe('flavors: {}\n');

    // the tracking server reads the same objects with its own credentials (the UI's listing and download)
    const list = await fetch(`${server.url}/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=data`);
    expect(await list.json()).toEqual({
      root_uri: run.info.artifactUri,
      files: [{ path: 'data/sample.csv', is_dir: false, file_size: 8 }],
    });
    const got = await fetch(`${server.url}/get-artifact?run_id=${runId}&path=data/sample.csv`);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('a,b\n1,2\n');
  });

  it('refuses artifact paths that try to escape the run prefix, on the client and on the server', async () => {
    const expId = await client.createExperiment('s3-direct-escape');
    const runId = (await client.createRun(expId)).info.runId;
    const before = await bucketKeys();
    for (const bad of ['../../escape.txt', '%2e%2e/escape.txt', '/etc/passwd']) {
      await expect(client.logBytes(runId, 'x', bad), bad).rejects.toMatchObject({
        errorCode: 'INVALID_PARAMETER_VALUE',
      });
      const res = await fetch(`${server.url}/get-artifact?run_id=${runId}&path=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
    }
    expect(await bucketKeys()).toEqual(before);
  });
});
