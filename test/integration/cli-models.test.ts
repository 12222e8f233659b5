// `cairn models …` against a real server over HTTP: listing, versions, policy set/show/check,
// gated transitions and aliases (refused, then forced with a reason) and the audit history.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCairnCli } from '../support/cairn-cli.js';
import { post, startTestServer, type TestServer } from './server-harness.js';

const cairn = runCairnCli;

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

async function versionWith(name: string, metrics: Record<string, number>): Promise<string> {
  const api = `${srv.url}/api/2.0/mlflow`;
  const runId = (await post(`${api}/runs/create`, { experiment_id: '0' })).json.run.info.run_id;
  await post(`${api}/runs/log-batch`, {
    run_id: runId,
    metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: 1, step: 0 })),
  });
  return (await post(`${api}/model-versions/create`, { name, source: `runs:/${runId}/model`, run_id: runId })).json
    .model_version.version;
}

describe('cairn models', () => {
  it('sets a policy, checks, refuses, forces with a reason, and shows the history', async () => {
    const name = `heart-${Date.now()}`;
    const env = { CAIRN_TRACKING_URI: srv.url, CAIRN_USER: 'alice' };
    await post(`${srv.url}/api/2.0/mlflow/registered-models/create`, { name, description: 'heart disease' });
    const weak = await versionWith(name, {
      accuracy: 0.89,
      precision_1: 0.95,
      recall_1: 0.93,
      f1_1: 0.94,
      roc_auc: 0.9,
    });
    const strong = await versionWith(name, {
      accuracy: 0.93,
      precision_1: 0.95,
      recall_1: 0.93,
      f1_1: 0.94,
      roc_auc: 0.96,
    });

    const file = path.join(srv.dir, 'policy.json');
    await writeFile(
      file,
      JSON.stringify({
        target: 'Production',
        require: [
          { metric: 'accuracy', '>=': 0.91 },
          { metric: 'precision_1', '>=': 0.93 },
          { metric: 'recall_1', '>=': 0.9 },
          { metric: 'f1_1', '>=': 0.92 },
        ],
        mustBeat: { metric: 'roc_auc', current: 'Production', by: 0 },
      }),
    );
    const set = await cairn(['models', 'policy', 'set', name, '--file', file], env);
    expect(set.stderr).toBe('');
    expect(set.status).toBe(0);
    expect(set.stdout).toContain('require  accuracy >= 0.91');

    const shown = await cairn(['models', 'policy', 'show', name, '--json', '--tracking-uri', srv.url]);
    expect(JSON.parse(shown.stdout).policies[0]).toMatchObject({
      name,
      target: 'Production',
      mustBeat: { metric: 'roc_auc' },
    });

    const check = await cairn(['models', 'check', name, weak, '--target', 'Production'], env);
    expect(check.status).toBe(1);
    expect(check.stdout).toMatch(/FAIL\s+accuracy >= 0\.91\s+0\.89/);
    expect(check.stdout).toContain('FAILS the promotion policy');
    const checkOk = await cairn(['models', 'check', name, strong, '--target', 'production'], env);
    expect(checkOk.status).toBe(0);
    expect(checkOk.stdout).toContain('PASSES');

    const refused = await cairn(['models', 'transition', name, weak, 'Production'], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('INVALID_STATE');
    expect(refused.stderr).toContain('accuracy >= 0.91: got 0.89');

    const noReason = await cairn(['models', 'transition', name, weak, 'Production', '--force'], env);
    expect(noReason.status).toBe(2);
    expect(noReason.stderr).toContain('--force needs --reason');

    const forced = await cairn(
      ['models', 'transition', name, weak, 'Production', '--force', '--reason', 'clinical sign-off'],
      env,
    );
    expect(forced.stderr).toBe('');
    expect(forced.stdout).toContain(`${name} v${weak} is now in Production.`);

    const moved = await cairn(
      ['models', 'transition', name, strong, 'Production', '--archive-existing', '--user', 'bob'],
      env,
    );
    expect(moved.status).toBe(0);
    const alias = await cairn(['models', 'alias', name, 'champion', strong], env);
    expect(alias.status).toBe(0);

    const versions = await cairn(['models', 'versions', name], env);
    const rows = versions.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^VERSION\s+STAGE\s+ALIASES/);
    expect(rows.slice(1).map((r) => r.split(/\s+/).slice(0, 2))).toEqual([
      [strong, 'Production'],
      [weak, 'Archived'],
    ]);
    expect(rows[1]).toContain('@champion');

    const list = await cairn(['models', 'list'], env);
    expect(list.stdout).toMatch(new RegExp(`${name}\\s+.*Production:v${strong}.*@champion=v${strong}`));
    const show = await cairn(['models', 'show', name], env);
    expect(show.stdout).toContain('description:  heart disease');
    expect(show.stdout).toContain('mustBeat roc_auc > holder of Production + 0');

    const history = await cairn(['models', 'history', name], env);
    expect(history.status).toBe(0);
    const lines = history.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+USER\s+ACTION\s+VERSION/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(1, 3))).toEqual([
      ['alice', 'set_alias'],
      ['bob', 'transition_stage'],
      ['bob', 'transition_stage'],
      ['alice', 'transition_stage'],
      ['alice', 'transition_stage_refused'],
      ['alice', 'set_policy'],
    ]);
    expect(lines[4]).toContain('yes');
    expect(lines[4]).toContain('clinical sign-off');
    const json = JSON.parse((await cairn(['models', 'history', name, weak, '--json'], env)).stdout);
    expect(json.entries.map((e: { action: string }) => e.action)).toEqual([
      'transition_stage',
      'transition_stage',
      'transition_stage_refused',
    ]);
  });

  it('prints the server error code and message, and exits non-zero', async () => {
    const missing = await cairn(['models', 'show', 'no-such-model', '--tracking-uri', srv.url]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('RESOURCE_DOES_NOT_EXIST');
    const badFile = await cairn([
      'models',
      'policy',
      'set',
      'x',
      '--file',
      '/nonexistent/policy.json',
      '--tracking-uri',
      srv.url,
    ]);
    expect(badFile.status).toBe(2);
    expect(badFile.stderr).toContain('cannot read policy file');
    const notJson = path.join(srv.dir, 'not-json.json');
    await writeFile(notJson, '{\n  "target": "Production",\n  "require": [}\n');
    const badJson = await cairn(['models', 'policy', 'set', 'x', '--file', notJson, '--tracking-uri', srv.url]);
    expect(badJson.status).toBe(2);
    expect(badJson.stderr).toContain(`policy file ${notJson} is not valid JSON`);
    expect(badJson.stderr).toContain('(line 3, column 15)');
    expect(badJson.stderr).not.toContain('cannot read');
    const unreachable = await cairn(['models', 'list', '--tracking-uri', 'http://127.0.0.1:1']);
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach http://127.0.0.1:1');
  });

  it('refuses an unknown model in versions and history instead of printing an empty table', async () => {
    for (const args of [
      ['versions', 'NOPE'],
      ['history', 'NOPE'],
      ['history', 'NOPE', '1'],
    ]) {
      const res = await cairn(['models', ...args, '--tracking-uri', srv.url]);
      expect(res.status, res.stdout).toBe(1);
      expect(res.stdout).toBe('');
      expect(res.stderr).toContain('RESOURCE_DOES_NOT_EXIST');
      expect(res.stderr).toContain('NOPE');
    }
    // a model with no versions yet is an empty table, not an error
    const name = `empty-${Date.now()}`;
    await post(`${srv.url}/api/2.0/mlflow/registered-models/create`, { name });
    const empty = await cairn(['models', 'versions', name, '--tracking-uri', srv.url]);
    expect(empty.status).toBe(0);
    expect(empty.stdout.trim()).toMatch(/^VERSION\s+STAGE/);
  });
});
