// MLflow's model registry REST API over real HTTP on loopback against a real SQLite file: every
// endpoint of model_registry.proto on all three prefixes, the declared HTTP methods (PATCH and
// DELETE with JSON bodies), runs:/ sources kept as given, get-artifact, and MLflow's error codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest as rawHttp } from '../support/raw-http.js';
import { call, get, post, rawRequest, startTestServer, type ApiResponse, type TestServer } from './server-harness.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

const unique = () => `${Date.now()}-${Math.random().toString(16).slice(2, 8)}`;

function send(method: 'PATCH' | 'DELETE', url: string, body: unknown): Promise<ApiResponse> {
  return call(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe.each(['/api/2.0/mlflow', '/ajax-api/2.0/mlflow', '/api/2.0/preview/mlflow'])(
  'registry API under %s',
  (prefix) => {
    const api = (p: string) => `${srv.url}${prefix}${p}`;

    it('runs the registered model and version lifecycle', async () => {
      const name = `model-${unique()}`;
      const created = await post(api('/registered-models/create'), {
        name,
        tags: [{ key: 'team', value: 'cardio' }],
        description: 'heart',
      });
      expect(created.status).toBe(200);
      expect(created.json.registered_model).toMatchObject({
        name,
        description: 'heart',
        tags: [{ key: 'team', value: 'cardio' }],
      });
      expect(typeof created.json.registered_model.creation_timestamp).toBe('number');
      expect(created.json.registered_model.latest_versions).toBeUndefined();

      const dup = await post(api('/registered-models/create'), { name });
      expect(dup.status).toBe(400);
      expect(dup.json.error_code).toBe('RESOURCE_ALREADY_EXISTS');

      const v1 = await post(api('/model-versions/create'), {
        name,
        source: 's3://bucket/model',
        run_id: 'abc',
        run_link: 'http://x',
        description: 'first',
        tags: [{ key: 'k', value: 'v' }],
      });
      expect(v1.status).toBe(200);
      expect(v1.json.model_version).toMatchObject({
        name,
        version: '1',
        current_stage: 'None',
        status: 'READY',
        source: 's3://bucket/model',
        run_id: 'abc',
        run_link: 'http://x',
        description: 'first',
        tags: [{ key: 'k', value: 'v' }],
      });
      const v2 = await post(api('/model-versions/create'), { name, source: 's3://bucket/model2' });
      expect(v2.json.model_version.version).toBe('2');

      const got = await get(api('/model-versions/get'), { name, version: 1 });
      expect(got.json.model_version.version).toBe('1');
      const patched = await send('PATCH', api('/model-versions/update'), { name, version: '1', description: 'better' });
      expect(patched.json.model_version.description).toBe('better');

      const staged = await post(api('/model-versions/transition-stage'), {
        name,
        version: '1',
        stage: 'staging',
        archive_existing_versions: false,
      });
      expect(staged.json.model_version.current_stage).toBe('Staging');
      await post(api('/model-versions/transition-stage'), {
        name,
        version: '2',
        stage: 'Staging',
        archive_existing_versions: true,
      });
      expect((await get(api('/model-versions/get'), { name, version: '1' })).json.model_version.current_stage).toBe(
        'Archived',
      );

      const latestPost = await post(api('/registered-models/get-latest-versions'), { name, stages: ['Staging'] });
      expect(latestPost.json.model_versions.map((v: { version: string }) => v.version)).toEqual(['2']);
      const latestGet = await get(api('/registered-models/get-latest-versions'), { name });
      expect(latestGet.json.model_versions.map((v: { version: string }) => v.version).sort()).toEqual(['1', '2']);

      expect((await post(api('/registered-models/alias'), { name, alias: 'champion', version: '2' })).json).toEqual({});
      const byAlias = await get(api('/registered-models/alias'), { name, alias: 'champion' });
      expect(byAlias.json.model_version).toMatchObject({ version: '2', aliases: ['champion'] });
      const model = (await get(api('/registered-models/get'), { name })).json.registered_model;
      expect(model.aliases).toEqual([{ alias: 'champion', version: '2' }]);
      expect(model.latest_versions.map((v: { version: string }) => v.version).sort()).toEqual(['1', '2']);
      expect((await send('DELETE', api('/registered-models/alias'), { name, alias: 'champion' })).status).toBe(200);
      const noAlias = await get(api('/registered-models/alias'), { name, alias: 'champion' });
      expect([noAlias.status, noAlias.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);

      await post(api('/registered-models/set-tag'), { name, key: 'owner', value: 'ana' });
      expect((await send('DELETE', api('/registered-models/delete-tag'), { name, key: 'team' })).status).toBe(200);
      expect((await get(api('/registered-models/get'), { name })).json.registered_model.tags).toEqual([
        { key: 'owner', value: 'ana' },
      ]);
      await post(api('/model-versions/set-tag'), { name, version: '2', key: 'validated', value: 'yes' });
      const tagged = await get(api('/model-versions/search'), {
        filter: `name = '${name}' AND tags.validated = 'yes'`,
      });
      expect(tagged.json.model_versions.map((v: { version: string }) => v.version)).toEqual(['2']);
      expect(
        (await send('DELETE', api('/model-versions/delete-tag'), { name, version: '2', key: 'validated' })).status,
      ).toBe(200);
      expect((await get(api('/model-versions/get'), { name, version: '2' })).json.model_version.tags).toBeUndefined();

      expect((await get(api('/model-versions/get-download-uri'), { name, version: '2' })).json).toEqual({
        artifact_uri: 's3://bucket/model2',
      });

      const renamed = `${name}-renamed`;
      const ren = await post(api('/registered-models/rename'), { name, new_name: renamed });
      expect(ren.json.registered_model.name).toBe(renamed);
      expect((await get(api('/model-versions/get'), { name: renamed, version: '2' })).status).toBe(200);
      const updated = await send('PATCH', api('/registered-models/update'), { name: renamed, description: 'new' });
      expect(updated.json.registered_model.description).toBe('new');

      expect((await send('DELETE', api('/model-versions/delete'), { name: renamed, version: '2' })).status).toBe(200);
      const missing = await get(api('/model-versions/get'), { name: renamed, version: '2' });
      expect([missing.status, missing.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
      expect(
        (await post(api('/model-versions/create'), { name: renamed, source: 's3://b/3' })).json.model_version.version,
      ).toBe('3');

      expect((await send('DELETE', api('/registered-models/delete'), { name: renamed })).status).toBe(200);
      const gone = await get(api('/registered-models/get'), { name: renamed });
      expect([gone.status, gone.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
    });

    it('searches registered models and versions with filter, order_by and paging', async () => {
      const tag = unique();
      for (const n of ['b', 'a', 'c']) {
        await post(api('/registered-models/create'), { name: `search-${tag}-${n}` });
        await post(api('/model-versions/create'), {
          name: `search-${tag}-${n}`,
          source: `s3://b/${n}`,
          run_id: `run${tag}${n}`.replace(/[^a-z0-9]/g, ''),
        });
      }
      const filter = `name LIKE 'search-${tag}-%'`;
      const page1 = await get(api('/registered-models/search'), { filter, order_by: ['name DESC'], max_results: 2 });
      expect(page1.status).toBe(200);
      expect(page1.json.registered_models.map((m: { name: string }) => m.name.slice(-1))).toEqual(['c', 'b']);
      const page2 = await get(api('/registered-models/search'), {
        filter,
        order_by: 'name DESC',
        max_results: 2,
        page_token: page1.json.next_page_token,
      });
      expect(page2.json.registered_models.map((m: { name: string }) => m.name.slice(-1))).toEqual(['a']);
      expect(page2.json.next_page_token).toBeUndefined();
      const none = await get(api('/registered-models/search'), { filter: `name = 'nothing-${tag}'` });
      expect(none.json).toEqual({});

      const versions = await get(api('/model-versions/search'), {
        filter: `run_id IN ('${`run${tag}a`.replace(/[^a-z0-9]/g, '')}', '${`run${tag}c`.replace(/[^a-z0-9]/g, '')}')`,
        order_by: ['name ASC'],
      });
      expect(versions.json.model_versions.map((v: { name: string }) => v.name.slice(-1))).toEqual(['a', 'c']);

      for (const bad of [
        { filter: 'name ~ 1' },
        { filter: "stage = 'x'" },
        { order_by: 'color' },
        { max_results: 5000 },
      ]) {
        const res = await get(api('/registered-models/search'), bad);
        expect([res.status, res.json.error_code], JSON.stringify(bad)).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      }
    });
  },
);

describe('registry API details', () => {
  const api = (p: string) => `${srv.url}/api/2.0/mlflow${p}`;

  it('answers malformed requests and wrong methods with MLflow error bodies', async () => {
    const noName = await post(api('/registered-models/create'), {});
    expect([noName.status, noName.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    expect(noName.json.message).toContain("'name'");
    const badVersion = await get(api('/model-versions/get'), { name: 'x', version: 'one' });
    expect([badVersion.status, badVersion.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    const noModel = await post(api('/model-versions/create'), { name: `none-${unique()}`, source: 's3://b/m' });
    expect([noModel.status, noModel.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
    // version is a string field: MLflow 2.17.2 refuses the number 1 (see mlflow-validation-parity.test.ts)
    const numeric = `numeric-${unique()}`;
    await post(api('/registered-models/create'), { name: numeric });
    await post(api('/model-versions/create'), { name: numeric, source: 's3://b/m' });
    const aliasByNumber = await post(api('/registered-models/alias'), { name: numeric, alias: 'a', version: 1 });
    expect([aliasByNumber.status, aliasByNumber.json.message]).toEqual([
      400,
      expect.stringContaining("Invalid value 1 for parameter 'version'"),
    ]);
    expect(
      (await send('PATCH', api('/model-versions/update'), { name: numeric, version: 1, description: 'd' })).status,
    ).toBe(400);
    expect(
      (await send('PATCH', api('/model-versions/update'), { name: numeric, version: '1', description: 'd' })).json
        .model_version.version,
    ).toBe('1');
    const wrongMethod = await post(api('/registered-models/update'), { name: 'x' });
    expect(wrongMethod.status).toBe(404);
    expect(wrongMethod.json.error_code).toBe('ENDPOINT_NOT_FOUND');
    const badStage = await post(api('/model-versions/transition-stage'), { name: 'x', version: '1', stage: 'Nowhere' });
    expect(badStage.json.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('refuses webhooks to loopback, private and metadata addresses by default', async () => {
    const hooks = `${srv.url}/api/2.0/cairn/registry/webhooks`;
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://localhost/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/hook',
    ]) {
      const res = await post(hooks, { url, events: ['MODEL_VERSION_CREATED'] });
      expect([res.status, res.json.error_code], url).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      expect(res.json.message).toMatch(/is not a public address; set CAIRN_WEBHOOK_ALLOW_PRIVATE_IPS=true/);
    }
    const ok = await post(hooks, { url: 'https://hooks.example.com/cairn', events: ['MODEL_VERSION_CREATED'] });
    expect(ok.status).toBe(200);
    const moved = await send('PATCH', `${hooks}/${ok.json.webhook.id}`, { url: 'http://10.1.2.3/hook' });
    expect([moved.status, moved.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
  });

  it('validates sources as MLflow: local paths need a run that contains them, no relative references', async () => {
    const name = `src-${unique()}`;
    await post(api('/registered-models/create'), { name });
    for (const source of [
      '/etc/passwd',
      'file:///etc',
      's3://bucket/a/../../etc',
      'mlflow-artifacts:/1/%2e%2e/x',
      'http://h/a/./b',
    ]) {
      const res = await post(api('/model-versions/create'), { name, source });
      expect([res.status, res.json.error_code], source).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    }
    for (const source of ['file://bad host/x', 'http://[abc/x']) {
      const res = await post(api('/model-versions/create'), {
        name,
        source,
        run_id: '0123456789abcdef0123456789abcdef',
      });
      expect([res.status, res.json.error_code], source).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      expect(res.json.message, source).toMatch(/is not a valid (remote )?uri/i);
    }
  });

  it('stores a runs:/ source whose run is on another server as given, as MLflow; get-artifact says the run is missing', async () => {
    const name = `foreign-${unique()}`;
    const source = 'runs:/0123456789abcdef0123456789abcdef/model';
    await post(api('/registered-models/create'), { name });
    const created = await post(api('/model-versions/create'), {
      name,
      source,
      run_id: '0123456789abcdef0123456789abcdef',
    });
    expect([created.status, created.json.model_version?.source]).toEqual([200, source]);
    expect((await get(api('/model-versions/get-download-uri'), { name, version: '1' })).json).toEqual({
      artifact_uri: source,
    });
    const file = await get(`${srv.url}/model-versions/get-artifact`, { name, version: '1', path: 'MLmodel' });
    expect([file.status, file.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
    expect(file.json.message).toMatch(/Run '0123456789abcdef0123456789abcdef' not found/);
  });

  it('keeps runs:/ sources as given and serves the version files through get-artifact', async () => {
    const exp = (await post(api('/experiments/create'), { name: `reg-${unique()}` })).json.experiment_id as string;
    const run = (await post(api('/runs/create'), { experiment_id: exp })).json.run.info;
    const artifactRoot = (run.artifact_uri as string).replace(/^mlflow-artifacts:/, '');
    const put = await call(`${srv.url}/api/2.0/mlflow-artifacts/artifacts${artifactRoot}/model/MLmodel`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: 'flavors: {}\n',
    });
    expect(put.status).toBe(200);

    const name = `runs-${unique()}`;
    await post(api('/registered-models/create'), { name });
    const created = await post(api('/model-versions/create'), {
      name,
      source: `runs:/${run.run_id}/model`,
      run_id: run.run_id,
    });
    expect(created.status).toBe(200);
    expect(created.json.model_version.source).toBe(`runs:/${run.run_id}/model`);
    const uri = await get(api('/model-versions/get-download-uri'), { name, version: '1' });
    expect(uri.json.artifact_uri).toBe(`runs:/${run.run_id}/model`);

    const file = await get(`${srv.url}/model-versions/get-artifact`, { name, version: '1', path: 'MLmodel' });
    expect(file.status).toBe(200);
    expect(file.text).toBe('flavors: {}\n');
    expect(file.headers.get('content-disposition')).toContain('attachment');
    for (const p of ['../../secret', '%2e%2e/%2e%2e/x', '/etc/passwd']) {
      const res = await rawRequest(
        srv.url,
        'GET',
        `/model-versions/get-artifact?name=${name}&version=1&path=${encodeURIComponent(p)}`,
      );
      expect(res.status, p).toBe(400);
    }
    const missing = await get(`${srv.url}/model-versions/get-artifact`, { name, version: '1', path: 'nope.txt' });
    expect(missing.status).toBe(404);
  });

  it('100 parallel alias moves over HTTP leave exactly one version holding the alias', async () => {
    const name = `race-${unique()}`;
    await post(api('/registered-models/create'), { name });
    for (let i = 0; i < 4; i++) await post(api('/model-versions/create'), { name, source: `s3://b/${i}` });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        post(api('/registered-models/alias'), { name, alias: 'champion', version: String((i % 4) + 1) }),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const holders: string[] = [];
    for (const v of ['1', '2', '3', '4']) {
      const mv = (await get(api('/model-versions/get'), { name, version: v })).json.model_version;
      if ((mv.aliases ?? []).includes('champion')) holders.push(v);
    }
    expect(holders).toHaveLength(1);
    const model = (await get(api('/registered-models/get'), { name })).json.registered_model;
    expect(model.aliases).toEqual([{ alias: 'champion', version: holders[0] }]);
  }, 60_000);
});

describe('doubled slashes in the path, as MLflow (Werkzeug) treats them', () => {
  it('leading ones are merged and answered; further in, a 308 to the merged path; in an artifact path, kept as part of it', async () => {
    const name = `slashes-${unique()}`;
    await post(`${srv.url}/api/2.0/mlflow/registered-models/create`, { name });
    await post(`${srv.url}/api/2.0/mlflow/model-versions/create`, { name, source: 's3://b/m' });
    const leading = await rawRequest(srv.url, 'GET', `//model-versions/get-artifact?name=${name}&version=1&path=../x`);
    expect([leading.status, JSON.parse(leading.text)]).toEqual([
      400,
      { error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' },
    ]);
    const port = Number(new URL(srv.url).port);
    const inner = await rawHttp(port, { method: 'GET', path: `/api/2.0/mlflow//registered-models/get?name=${name}` });
    expect([inner.status, inner.headers.location]).toEqual([308, `/api/2.0/mlflow/registered-models/get?name=${name}`]);
    const innerPost = await rawHttp(port, {
      method: 'POST',
      path: '/api/2.0//mlflow/registered-models/create',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"x"}',
    });
    expect([innerPost.status, innerPost.headers.location]).toEqual([308, '/api/2.0/mlflow/registered-models/create']);
    const put = await call(`${srv.url}/api/2.0/mlflow-artifacts/artifacts/slashes//a.txt`, {
      method: 'PUT',
      body: 'kept',
    });
    expect(put.status).toBe(200);
    expect((await call(`${srv.url}/api/2.0/mlflow-artifacts/artifacts/slashes/a.txt`)).text).toBe('kept');
    const unknown = await rawRequest(srv.url, 'GET', '/nope//x');
    expect(unknown.status).toBe(404);
  });
});
