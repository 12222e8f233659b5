// Cairn's registry governance over real HTTP (SQLite file): promotion policies under
// /api/2.0/cairn/registry/policies, their enforcement on MLflow's transition and alias endpoints,
// forced overrides with a reason, and the audit trail at /api/2.0/cairn/registry/history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, get, post, startTestServer, type ApiResponse, type TestServer } from './server-harness.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

const unique = () => `${Date.now()}-${Math.random().toString(16).slice(2, 8)}`;
const mlflow = (p: string) => `${srv.url}/api/2.0/mlflow${p}`;
const cairn = (p: string) => `${srv.url}/api/2.0/cairn${p}`;

function send(
  method: 'PUT' | 'POST' | 'DELETE',
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  return call(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

async function versionWith(name: string, metrics: Record<string, number>): Promise<string> {
  const runId = (await post(mlflow('/runs/create'), { experiment_id: '0' })).json.run.info.run_id;
  const logged = await post(mlflow('/runs/log-batch'), {
    run_id: runId,
    metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: 1, step: 0 })),
  });
  expect(logged.status).toBe(200);
  const created = await post(mlflow('/model-versions/create'), { name, source: `runs:/${runId}/model`, run_id: runId });
  expect(created.status).toBe(200);
  return created.json.model_version.version;
}

const POLICY = {
  target: 'Production',
  require: [
    { metric: 'accuracy', '>=': 0.91 },
    { metric: 'precision_1', '>=': 0.93 },
    { metric: 'recall_1', '>=': 0.9 },
    { metric: 'f1_1', '>=': 0.92 },
  ],
  mustBeat: { metric: 'roc_auc', current: 'Production', by: 0 },
};

describe('registry governance REST API', () => {
  it('sets, reads, checks and deletes policies, with clear errors for bad ones', async () => {
    const name = `gov-${unique()}`;
    await post(mlflow('/registered-models/create'), { name });
    const put = await send('PUT', cairn('/registry/policies'), { name, policy: POLICY }, { 'X-Cairn-User': 'lead' });
    expect(put.status).toBe(200);
    expect(put.json.policy).toEqual({ name, ...POLICY, require: POLICY.require.map((r) => ({ ...r })) });
    const postAlias = await post(cairn('/registry/policies'), {
      name,
      policy: { target: '@champion', require: [{ metric: 'accuracy', '>': 0.8 }] },
    });
    expect(postAlias.status).toBe(200);

    const all = await get(cairn('/registry/policies'), { name });
    expect(all.json.policies.map((p: { target: string }) => p.target)).toEqual(['@champion', 'Production']);
    const one = await get(cairn('/registry/policies'), { name, target: 'production' });
    expect(one.json.policies).toHaveLength(1);
    expect(one.json.policies[0].mustBeat).toEqual({ metric: 'roc_auc', current: 'Production', by: 0 });

    const bad = await send('PUT', cairn('/registry/policies'), {
      name,
      policy: { target: 'Production', require: [{ metric: 'accuracy', '=>': 0.9 }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringContaining("'require[0].=>' is not an operator"),
    });
    const missingModel = await send('PUT', cairn('/registry/policies'), { name: `nope-${unique()}`, policy: POLICY });
    expect(missingModel.status).toBe(404);
    expect(missingModel.json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');

    const weak = await versionWith(name, {
      accuracy: 0.88,
      precision_1: 0.9,
      recall_1: 0.95,
      f1_1: 0.92,
      roc_auc: 0.9,
    });
    const check = await post(cairn('/registry/policies/check'), { name, version: weak, target: 'Production' });
    expect(check.status).toBe(200);
    expect(check.json.result).toMatchObject({ name, version: weak, target: 'Production', passed: false });
    expect(
      check.json.result.criteria.map((c: { metric: string; passed: boolean; value: number }) => [
        c.metric,
        c.passed,
        c.value,
      ]),
    ).toEqual([
      ['accuracy', false, 0.88],
      ['precision_1', false, 0.9],
      ['recall_1', true, 0.95],
      ['f1_1', true, 0.92],
      ['roc_auc', true, 0.9],
    ]);
    expect(check.json.result.criteria[4]).toMatchObject({ kind: 'mustBeat', current_version: null });

    const del = await send('DELETE', cairn('/registry/policies'), { name, target: '@champion' });
    expect(del.status).toBe(200);
    expect((await send('DELETE', cairn('/registry/policies'), { name, target: '@champion' })).status).toBe(404);
    const unknownTarget = await get(cairn('/registry/policies'), { name, target: 'Live' });
    expect(unknownTarget.status).toBe(400);
    expect(unknownTarget.json.message).toContain("'target' must be a stage");
  });

  it('refuses a failing transition with INVALID_STATE, accepts a forced one with a reason, and records both', async () => {
    const name = `gate-${unique()}`;
    await post(mlflow('/registered-models/create'), { name });
    await send('PUT', cairn('/registry/policies'), { name, policy: POLICY });
    const weak = await versionWith(name, { accuracy: 0.88, precision_1: 0.95, recall_1: 0.95, roc_auc: 0.9 });

    const refused = await call(mlflow('/model-versions/transition-stage'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Cairn-User': 'alice' },
      body: JSON.stringify({
        name,
        version: weak,
        stage: 'Production',
        archive_existing_versions: false,
        comment: 'ship it',
      }),
    });
    expect(refused.status).toBe(400);
    expect(refused.json.error_code).toBe('INVALID_STATE');
    expect(refused.json.message).toContain('accuracy >= 0.91: got 0.88');
    expect(refused.json.message).toContain("f1_1 >= 0.92: metric 'f1_1' is missing");
    expect((await get(mlflow('/model-versions/get'), { name, version: weak })).json.model_version.current_stage).toBe(
      'None',
    );

    const noReason = await post(mlflow('/model-versions/transition-stage'), {
      name,
      version: weak,
      stage: 'Production',
      force: true,
    });
    expect(noReason.status).toBe(400);
    expect(noReason.json.error_code).toBe('INVALID_PARAMETER_VALUE');

    const basic = `Basic ${Buffer.from('bob:secret').toString('base64')}`;
    const forced = await call(mlflow('/model-versions/transition-stage'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic },
      body: JSON.stringify({ name, version: weak, stage: 'Production', force: true, reason: 'regulator deadline' }),
    });
    expect(forced.status).toBe(200);
    expect(forced.json.model_version.current_stage).toBe('Production');

    const aliasRefused = await send('POST', cairn('/registry/policies'), {
      name,
      policy: { target: '@champion', require: [{ metric: 'roc_auc', '>=': 0.95 }] },
    });
    expect(aliasRefused.status).toBe(200);
    const setAlias = await post(mlflow('/registered-models/alias'), { name, alias: 'champion', version: weak });
    expect(setAlias.status).toBe(400);
    expect(setAlias.json.message).toContain('roc_auc >= 0.95: got 0.9');

    const history = await get(cairn('/registry/history'), { name });
    expect(history.status).toBe(200);
    expect(
      history.json.entries.map((e: { action: string; user: string; reason: string | null; forced: boolean }) => [
        e.action,
        e.user,
        e.reason,
        e.forced,
      ]),
    ).toEqual([
      ['set_alias_refused', 'unknown', null, false],
      ['set_policy', 'unknown', null, false],
      ['transition_stage', 'bob', 'regulator deadline', true],
      ['transition_stage_refused', 'alice', 'ship it', false],
      ['set_policy', 'unknown', null, false],
    ]);
    expect(history.json.entries[2]).toMatchObject({
      version: weak,
      from: 'None',
      to: 'Production',
      policy_result: { passed: false },
    });
    const paged = await get(cairn('/registry/history'), { name, max_results: 2 });
    expect(paged.json.entries).toHaveLength(2);
    const rest = await get(cairn('/registry/history'), {
      name,
      max_results: 10,
      page_token: paged.json.next_page_token,
    });
    expect(rest.json.entries).toHaveLength(3);
    expect((await get(cairn('/registry/history'), { name, version: weak })).json.entries).toHaveLength(3);
    expect((await get(cairn('/registry/history'), {})).status).toBe(400);
    expect((await get(cairn('/registry/history'), { name, max_results: 5000 })).status).toBe(400);
  });

  it('MLflow clients without Cairn fields are unaffected when no policy applies', async () => {
    const name = `plain-${unique()}`;
    await post(mlflow('/registered-models/create'), { name });
    const v = await versionWith(name, { accuracy: 0.5 });
    const moved = await post(mlflow('/model-versions/transition-stage'), {
      name,
      version: v,
      stage: 'Staging',
      archive_existing_versions: true,
    });
    expect(moved.status).toBe(200);
    expect(moved.json.model_version.current_stage).toBe('Staging');
    const entries = (await get(cairn('/registry/history'), { name })).json.entries;
    expect(entries).toEqual([
      expect.objectContaining({ action: 'transition_stage', user: 'unknown', policy_result: null, forced: false }),
    ]);
  });
});
