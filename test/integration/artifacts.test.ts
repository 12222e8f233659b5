// Artifacts over real HTTP: the mlflow-artifacts proxy (upload, download, list, delete), run artifact
// listing and /get-artifact, and path traversal attempts that must never reach outside the root.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, get, post, rawRequest, startTestServer, type TestServer } from './server-harness.js';

const SECRET = 'top-secret-outside-the-artifact-root';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
  await writeFile(path.join(srv.dir, 'secret.txt'), SECRET);
});
afterAll(async () => {
  await srv?.close();
});

const proxy = (p: string) => `${srv.url}/api/2.0/mlflow-artifacts/artifacts${p}`;
const put = (url: string, body: string | Uint8Array, type = 'application/octet-stream') =>
  call(url, { method: 'PUT', headers: { 'content-type': type }, body: body as BodyInit });

describe('mlflow-artifacts proxy', () => {
  it('uploads, lists, downloads and deletes, whatever content type the client sends', async () => {
    // MLflow's client sends its guess of the MIME type: a .json upload must be stored verbatim, not parsed
    expect((await put(proxy('/1/run1/artifacts/metrics.json'), '{"not": "parsed"', 'application/json')).status).toBe(
      200,
    );
    expect((await put(proxy('/1/run1/artifacts/model/MLmodel'), 'flavors: {}\n', 'text/plain')).status).toBe(200);
    expect((await put(proxy('/1/run1/artifacts/model/data/w.bin'), Buffer.from([0, 1, 2, 255]))).status).toBe(200);
    const noType = await call(proxy('/1/run1/artifacts/raw.dat'), { method: 'PUT', body: Buffer.from('raw') });
    expect(noType.status).toBe(200);

    const root = await get(proxy(''), { path: '1/run1/artifacts' });
    expect(root.status).toBe(200);
    expect(root.json).toEqual({
      files: [
        { path: 'metrics.json', is_dir: false, file_size: 16 },
        { path: 'model', is_dir: true },
        { path: 'raw.dat', is_dir: false, file_size: 3 },
      ],
    });
    expect((await get(proxy(''), { path: '1/run1/missing' })).json).toEqual({});

    const json = await call(proxy('/1/run1/artifacts/metrics.json'));
    expect(json.status).toBe(200);
    expect(json.text).toBe('{"not": "parsed"');
    expect(json.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(json.headers.get('content-disposition')).toBe('attachment; filename=metrics.json');
    const bin = await fetch(proxy('/1/run1/artifacts/model/data/w.bin'));
    expect(bin.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await bin.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));

    expect((await call(proxy('/1/run1/artifacts/model'), { method: 'DELETE' })).status).toBe(200);
    expect(
      (await get(proxy(''), { path: '1/run1/artifacts' })).json.files.map((f: { path: string }) => f.path),
    ).toEqual(['metrics.json', 'raw.dat']);
    const gone = await call(proxy('/1/run1/artifacts/model/MLmodel'));
    expect(gone.status).toBe(404);
    expect(gone.json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const dir = await call(proxy('/1/run1'));
    expect(dir.status).toBe(400);
  });

  it("declines multipart uploads the way MLflow's client expects, so it falls back to one PUT", async () => {
    const res = await post(`${srv.url}/api/2.0/mlflow-artifacts/mpu/create/1/run/artifacts`, {
      path: 'big.bin',
      num_parts: 3,
    });
    expect(res.status).toBe(501);
    expect(res.json.error_code).toBe('NOT_IMPLEMENTED');
    expect(res.json.message.startsWith('Multipart upload is not supported for the current artifact repository')).toBe(
      true,
    );
    const traversal = await rawRequest(srv.url, 'POST', '/api/2.0/mlflow-artifacts/mpu/abort/..%2F..%2Fx');
    expect(traversal.status).toBe(400);
  });

  it('is served under /ajax-api too', async () => {
    expect((await put(`${srv.url}/ajax-api/2.0/mlflow-artifacts/artifacts/ajax/a.txt`, 'A')).status).toBe(200);
    expect((await call(`${srv.url}/ajax-api/2.0/mlflow-artifacts/artifacts/ajax/a.txt`)).text).toBe('A');
  });
});

describe('run artifacts through the tracking API', () => {
  it("lists a run's proxied artifacts relative to the run and downloads them with /get-artifact", async () => {
    const api = (p: string) => `${srv.url}/api/2.0/mlflow${p}`;
    const expId = (await post(api('/experiments/create'), { name: `art-${Date.now()}` })).json.experiment_id;
    const run = (await post(api('/runs/create'), { experiment_id: expId })).json.run.info;
    const base = run.artifact_uri.replace('mlflow-artifacts:', '');
    await put(proxy(`${base}/model/MLmodel`), 'artifact_path: model\n', 'text/plain');
    await put(proxy(`${base}/plot.png`), Buffer.from([137, 80, 78, 71]), 'image/png');

    for (const prefix of ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow']) {
      const top = await get(`${srv.url}${prefix}/artifacts/list`, { run_id: run.run_id });
      expect(top.status).toBe(200);
      expect(top.json).toEqual({
        root_uri: run.artifact_uri,
        files: [
          { path: 'model', is_dir: true },
          { path: 'plot.png', is_dir: false, file_size: 4 },
        ],
      });
      const sub = await get(`${srv.url}${prefix}/artifacts/list`, { run_uuid: run.run_id, path: 'model' });
      expect(sub.json.files).toEqual([{ path: 'model/MLmodel', is_dir: false, file_size: 21 }]);
    }
    const file = await call(`${srv.url}/get-artifact?run_id=${run.run_id}&path=model/MLmodel`);
    expect(file.status).toBe(200);
    expect(file.text).toBe('artifact_path: model\n');
    const png = await fetch(`${srv.url}/get-artifact?run_id=${run.run_id}&path=plot.png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    const traversal = await call(
      `${srv.url}/get-artifact?run_id=${run.run_id}&path=${encodeURIComponent('../../../../secret.txt')}`,
    );
    expect(traversal.status).toBe(400);
    expect(traversal.text).not.toContain(SECRET);
    const missingRun = await call(`${srv.url}/get-artifact?run_id=${'0'.repeat(32)}&path=x`);
    expect(missingRun.status).toBe(404);
  });

  it("reads local (non-proxied) artifact roots only inside the server's artifact directory", async () => {
    const api = (p: string) => `${srv.url}/api/2.0/mlflow${p}`;
    const inside = path.join(srv.artifactsDir, 'local-exp');
    const expId = (await post(api('/experiments/create'), { name: `local-${Date.now()}`, artifact_location: inside }))
      .json.experiment_id;
    const run = (await post(api('/runs/create'), { experiment_id: expId })).json.run.info;
    expect(run.artifact_uri).toBe(`${inside}/${run.run_id}/artifacts`);
    await mkdir(run.artifact_uri, { recursive: true });
    await writeFile(path.join(run.artifact_uri, 'notes.txt'), 'local');
    const listed = await get(api('/artifacts/list'), { run_id: run.run_id });
    expect(listed.json.files).toEqual([{ path: 'notes.txt', is_dir: false, file_size: 5 }]);
    expect((await call(`${srv.url}/get-artifact?run_id=${run.run_id}&path=notes.txt`)).text).toBe('local');

    // an experiment pointed at a directory outside: the server must not read it
    const outsideExp = (
      await post(api('/experiments/create'), { name: `outside-${Date.now()}`, artifact_location: srv.dir })
    ).json.experiment_id;
    const outsideRun = (await post(api('/runs/create'), { experiment_id: outsideExp })).json.run.info;
    const refused = await get(api('/artifacts/list'), { run_id: outsideRun.run_id, path: '../..' });
    expect(refused.status).toBe(400);
    const refusedRoot = await get(api('/artifacts/list'), { run_id: outsideRun.run_id });
    expect(refusedRoot.status).toBe(400);
    expect(refusedRoot.text).not.toContain('secret.txt');
  });
});

describe('the UI upload endpoint (/ajax-api/2.0/mlflow/upload-artifact)', () => {
  it('stores a small file under the run, refuses > 10 MB, empty bodies, missing runs and traversal', async () => {
    const api = (p: string) => `${srv.url}/api/2.0/mlflow${p}`;
    const expId = (await post(api('/experiments/create'), { name: `ui-upload-${Date.now()}` })).json.experiment_id;
    const run = (await post(api('/runs/create'), { experiment_id: expId })).json.run.info;
    const upload = (p: string, body: Uint8Array | undefined, runId = run.run_id) =>
      call(`${srv.url}/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runId}&path=${encodeURIComponent(p)}`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: body as BodyInit | undefined,
      });
    expect((await upload('images/a.png', Buffer.from('png-bytes'))).status).toBe(200);
    expect((await call(`${srv.url}/get-artifact?run_id=${run.run_id}&path=images/a.png`)).text).toBe('png-bytes');
    const big = await upload('images/big.bin', Buffer.alloc(10 * 1024 * 1024 + 1));
    expect(big.status).toBe(400);
    expect(big.json.message).toContain('10MB');
    expect((await upload('images/empty.bin', Buffer.alloc(0))).status).toBe(400);
    const listed = await get(api('/artifacts/list'), { run_id: run.run_id, path: 'images' });
    expect(listed.json.files.map((f: { path: string }) => f.path)).toEqual(['images/a.png']);
    expect((await upload('x.png', Buffer.from('x'), 'f'.repeat(32))).status).toBe(404);
    expect((await upload('../../../evil.png', Buffer.from('x'))).status).toBe(400);
    // MLflow's wording, which its UI matches on
    const noRun = await call(`${srv.url}/ajax-api/2.0/mlflow/upload-artifact?path=a.png`, {
      method: 'POST',
      body: 'x',
    });
    expect([noRun.status, noRun.json.error_code, noRun.json.message]).toEqual([
      400,
      'INVALID_PARAMETER_VALUE',
      'Request must specify run_uuid.',
    ]);
    const noPath = await call(`${srv.url}/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${run.run_id}`, {
      method: 'POST',
      body: 'x',
    });
    expect([noPath.status, noPath.json.message]).toEqual([400, 'Request must specify path.']);
  });
});

describe('filesystem limits and directories are client errors that say so', () => {
  it('a name over 255 bytes or a very deep path is a 400 naming the limit, on every artifact route', async () => {
    const long = 'a'.repeat(300);
    const deep = Array.from({ length: 390 }, () => 'abcdefghij').join('/');
    for (const [rel, message] of [
      [long, /at most 255 bytes/],
      [deep, /the limit is 4095 bytes/],
    ] as const) {
      for (const method of ['PUT', 'GET', 'DELETE']) {
        const res = await rawRequest(
          srv.url,
          method,
          `/api/2.0/mlflow-artifacts/artifacts/${rel}`,
          method === 'PUT' ? Buffer.from('x') : undefined,
        );
        expect([res.status, JSON.parse(res.text).error_code], `${method} ${rel.length}`).toEqual([
          400,
          'INVALID_PARAMETER_VALUE',
        ]);
        expect(JSON.parse(res.text).message).toMatch(message);
      }
      const listed = await get(proxy(''), { path: rel });
      expect([listed.status, listed.json.message]).toEqual([400, expect.stringMatching(message)]);
    }
  });

  it('a PUT onto an existing directory says the path is a directory, and keeps what is inside', async () => {
    expect((await put(proxy('/dirs/model/MLmodel'), 'flavors: {}\n')).status).toBe(200);
    const res = await put(proxy('/dirs/model'), 'overwrite?');
    expect([res.status, res.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    expect(res.json.message).toMatch(/'dirs\/model': the path is a directory/);
    expect((await call(proxy('/dirs/model/MLmodel'))).text).toBe('flavors: {}\n');
  });
});

describe('path traversal is refused everywhere', () => {
  beforeAll(async () => {
    // a symlink inside the artifact root that points outside it
    await mkdir(srv.artifactsDir, { recursive: true });
    await symlink(srv.dir, path.join(srv.artifactsDir, 'escape'));
  });

  const downloads = [
    '/api/2.0/mlflow-artifacts/artifacts/../secret.txt',
    '/api/2.0/mlflow-artifacts/artifacts/..%2Fsecret.txt',
    '/api/2.0/mlflow-artifacts/artifacts/%2e%2e/secret.txt',
    '/api/2.0/mlflow-artifacts/artifacts/%2E%2E%2Fsecret.txt',
    '/api/2.0/mlflow-artifacts/artifacts/%252e%252e%252fsecret.txt',
    '/api/2.0/mlflow-artifacts/artifacts/a/..%5C..%5Csecret.txt',
    '/api/2.0/mlflow-artifacts/artifacts/%2Fetc%2Fpasswd',
    '/api/2.0/mlflow-artifacts/artifacts//etc/passwd',
    '/api/2.0/mlflow-artifacts/artifacts/secret.txt%00.png',
    '/api/2.0/mlflow-artifacts/artifacts/escape/secret.txt',
    '/api/2.0/mlflow-artifacts/artifacts/file%3A%2F%2F%2Fetc%2Fpasswd',
    '/api/2.0/mlflow-artifacts/artifacts?path=..',
    '/api/2.0/mlflow-artifacts/artifacts?path=%2Fetc',
    '/api/2.0/mlflow-artifacts/artifacts?path=escape',
    '/ajax-api/2.0/mlflow-artifacts/artifacts/..%2F..%2F..%2Fetc%2Fpasswd',
  ];

  it.each(downloads)('GET %s → 4xx without the secret', async (rawPath) => {
    const res = await rawRequest(srv.url, 'GET', rawPath);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).not.toContain(SECRET);
    expect(res.text).not.toContain('root:x:0:0');
    expect(res.text).not.toContain('secret.txt');
  });

  it.each([
    ['PUT', '/api/2.0/mlflow-artifacts/artifacts/../evil.txt'],
    ['PUT', '/api/2.0/mlflow-artifacts/artifacts/..%2Fevil.txt'],
    ['PUT', '/api/2.0/mlflow-artifacts/artifacts/escape/evil.txt'],
    ['DELETE', '/api/2.0/mlflow-artifacts/artifacts/..%2Fsecret.txt'],
    ['DELETE', '/api/2.0/mlflow-artifacts/artifacts/escape'],
  ])('%s %s is refused and changes nothing outside', async (method, rawPath) => {
    const res = await rawRequest(srv.url, method, rawPath, method === 'PUT' ? Buffer.from('evil') : undefined);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    const { readdir, readFile } = await import('node:fs/promises');
    expect(await readFile(path.join(srv.dir, 'secret.txt'), 'utf8')).toBe(SECRET);
    expect(await readdir(srv.dir)).not.toContain('evil.txt');
  });
});

describe('with --no-serve-artifacts', () => {
  it('answers the proxy endpoints with 503', async () => {
    const noProxy = await startTestServer({ serveArtifacts: false });
    try {
      const res = await call(`${noProxy.url}/api/2.0/mlflow-artifacts/artifacts/a.txt`);
      expect(res.status).toBe(503);
      expect(res.json.error_code).toBe('TEMPORARILY_UNAVAILABLE');
      // runs then get a local artifact root under the artifacts directory
      const expId = (await post(`${noProxy.url}/api/2.0/mlflow/experiments/create`, { name: 'local' })).json
        .experiment_id;
      const run = (await post(`${noProxy.url}/api/2.0/mlflow/runs/create`, { experiment_id: expId })).json.run.info;
      expect(run.artifact_uri.startsWith(noProxy.artifactsDir)).toBe(true);
      expect((await get(`${noProxy.url}/api/2.0/mlflow/artifacts/list`, { run_id: run.run_id })).json).toEqual({
        root_uri: run.artifact_uri,
      });
    } finally {
      await noProxy.close();
    }
  });
});
