// Every endpoint × every permission level over real HTTP on loopback: a user holding NO_PERMISSIONS,
// READ, EDIT or MANAGE on an experiment and a registered model is let through exactly when MLflow's
// rule for that endpoint allows it, and refused with 403 PERMISSION_DENIED otherwise; admins pass
// everywhere; no route lacks a rule. Destructive rows get fresh resources so earlier rows cannot
// change what later rows see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, basic, call, startAuthServer, type AuthTestServer } from '../../../test/support/auth-server.js';
import { allows, type Capability, type PermissionName } from '../../auth/permissions.js';

const LEVELS: PermissionName[] = ['NO_PERMISSIONS', 'READ', 'EDIT', 'MANAGE'];
const PASSWORD = 'user-password-1';
const userOf = (level: PermissionName) => `u-${level.toLowerCase()}`;
const A = '/api/2.0/mlflow';
const C = '/api/2.0/cairn';
const P = '/api/2.0/mlflow-artifacts';

interface Fixture {
  exp: string;
  run: string;
  model: string;
}

interface Row {
  method: string;
  path: (f: Fixture, user: string) => string;
  body?: (f: Fixture, user: string) => unknown;
  raw?: string;
  need: Capability | 'signed-in' | 'admin';
  /** Needs resources no earlier row has changed (it deletes or renames them). */
  fresh?: boolean;
}

const q = (params: Record<string, string>) => `?${new URLSearchParams(params)}`;

const ROWS: Row[] = [
  {
    method: 'POST',
    path: () => `${A}/experiments/create`,
    body: (_f, u) => ({ name: `by-${u}-${Math.random()}` }),
    need: 'signed-in',
  },
  { method: 'GET', path: (f) => `${A}/experiments/get${q({ experiment_id: f.exp })}`, need: 'read' },
  { method: 'GET', path: (f) => `${A}/experiments/get-by-name${q({ experiment_name: `e-${f.exp}` })}`, need: 'read' },
  { method: 'POST', path: () => `${A}/experiments/search`, body: () => ({ max_results: 10 }), need: 'signed-in' },
  {
    method: 'POST',
    path: () => `${A}/experiments/update`,
    body: (f, u) => ({ experiment_id: f.exp, new_name: `e-${f.exp}-${u}` }),
    need: 'update',
    fresh: true,
  },
  {
    method: 'POST',
    path: () => `${A}/experiments/set-experiment-tag`,
    body: (f) => ({ experiment_id: f.exp, key: 'k', value: 'v' }),
    need: 'update',
  },
  {
    method: 'POST',
    path: () => `${A}/experiments/delete-experiment-tag`,
    body: (f) => ({ experiment_id: f.exp, key: 'k' }),
    need: 'update',
  },
  {
    method: 'POST',
    path: () => `${A}/experiments/delete`,
    body: (f) => ({ experiment_id: f.exp }),
    need: 'delete',
    fresh: true,
  },
  { method: 'POST', path: () => `${A}/experiments/restore`, body: (f) => ({ experiment_id: f.exp }), need: 'delete' },
  {
    method: 'POST',
    path: () => `${A}/runs/create`,
    body: (f) => ({ experiment_id: f.exp, start_time: 1 }),
    need: 'update',
  },
  { method: 'GET', path: (f) => `${A}/runs/get${q({ run_id: f.run })}`, need: 'read' },
  {
    method: 'POST',
    path: () => `${A}/runs/update`,
    body: (f) => ({ run_id: f.run, status: 'RUNNING' }),
    need: 'update',
  },
  { method: 'POST', path: () => `${A}/runs/delete`, body: (f) => ({ run_id: f.run }), need: 'delete', fresh: true },
  { method: 'POST', path: () => `${A}/runs/restore`, body: (f) => ({ run_id: f.run }), need: 'delete' },
  {
    method: 'POST',
    path: () => `${A}/runs/log-metric`,
    body: (f) => ({ run_id: f.run, key: 'm', value: 1, timestamp: 1 }),
    need: 'update',
  },
  {
    method: 'POST',
    path: () => `${A}/runs/log-parameter`,
    body: (f, u) => ({ run_id: f.run, key: `p-${u}`, value: '1' }),
    need: 'update',
  },
  {
    method: 'POST',
    path: () => `${A}/runs/set-tag`,
    body: (f) => ({ run_id: f.run, key: 't', value: '1' }),
    need: 'update',
  },
  { method: 'POST', path: () => `${A}/runs/delete-tag`, body: (f) => ({ run_id: f.run, key: 't' }), need: 'update' },
  {
    method: 'POST',
    path: () => `${A}/runs/log-batch`,
    body: (f) => ({ run_id: f.run, metrics: [{ key: 'b', value: 2, timestamp: 1 }] }),
    need: 'update',
  },
  {
    method: 'POST',
    path: () => `${A}/runs/log-inputs`,
    body: (f) => ({ run_id: f.run, datasets: [] }),
    need: 'update',
  },
  { method: 'GET', path: (f) => `${A}/metrics/get-history${q({ run_id: f.run, metric_key: 'm' })}`, need: 'read' },
  {
    method: 'GET',
    path: (f) => `/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval${q({ run_ids: f.run, metric_key: 'm' })}`,
    need: 'read',
  },
  { method: 'GET', path: (f) => `${A}/artifacts/list${q({ run_id: f.run })}`, need: 'read' },
  { method: 'GET', path: (f) => `/get-artifact${q({ run_id: f.run, path: 'a.txt' })}`, need: 'read' },
  {
    method: 'POST',
    path: (f) => `/ajax-api/2.0/mlflow/upload-artifact${q({ run_uuid: f.run, path: 'up.txt' })}`,
    raw: 'x',
    need: 'update',
  },
  { method: 'GET', path: (f) => `${P}/artifacts${q({ path: `${f.exp}` })}`, need: 'read' },
  { method: 'PUT', path: (f, u) => `${P}/artifacts/${f.exp}/${u}.txt`, raw: 'data', need: 'update' },
  { method: 'GET', path: (f) => `${P}/artifacts/${f.exp}/seed.txt`, need: 'read' },
  { method: 'DELETE', path: (f) => `${P}/artifacts/${f.exp}/seed.txt`, need: 'manage', fresh: true },
  {
    method: 'POST',
    path: () => `${A}/registered-models/create`,
    body: (_f, u) => ({ name: `m-by-${u}-${Math.random()}` }),
    need: 'signed-in',
  },
  { method: 'GET', path: (f) => `${A}/registered-models/get${q({ name: f.model })}`, need: 'read' },
  {
    method: 'POST',
    path: () => `${A}/registered-models/rename`,
    body: (f, u) => ({ name: f.model, new_name: `${f.model}-${u}` }),
    need: 'update',
    fresh: true,
  },
  {
    method: 'PATCH',
    path: () => `${A}/registered-models/update`,
    body: (f) => ({ name: f.model, description: 'd' }),
    need: 'update',
  },
  {
    method: 'DELETE',
    path: () => `${A}/registered-models/delete`,
    body: (f) => ({ name: f.model }),
    need: 'delete',
    fresh: true,
  },
  { method: 'GET', path: () => `${A}/registered-models/search`, need: 'signed-in' },
  {
    method: 'POST',
    path: () => `${A}/registered-models/get-latest-versions`,
    body: (f) => ({ name: f.model }),
    need: 'read',
  },
  {
    method: 'POST',
    path: () => `${A}/registered-models/set-tag`,
    body: (f) => ({ name: f.model, key: 'k', value: 'v' }),
    need: 'update',
  },
  {
    method: 'DELETE',
    path: () => `${A}/registered-models/delete-tag`,
    body: (f) => ({ name: f.model, key: 'k' }),
    need: 'update',
  },
  {
    method: 'POST',
    path: () => `${A}/registered-models/alias`,
    body: (f) => ({ name: f.model, alias: 'champ', version: '1' }),
    need: 'update',
  },
  { method: 'GET', path: (f) => `${A}/registered-models/alias${q({ name: f.model, alias: 'champ' })}`, need: 'read' },
  {
    method: 'DELETE',
    path: () => `${A}/registered-models/alias`,
    body: (f) => ({ name: f.model, alias: 'champ' }),
    need: 'delete',
    fresh: true,
  },
  {
    method: 'POST',
    path: () => `${A}/model-versions/create`,
    body: (f) => ({ name: f.model, source: `runs:/${f.run}/model`, run_id: f.run }),
    need: 'update',
  },
  { method: 'GET', path: (f) => `${A}/model-versions/get${q({ name: f.model, version: '1' })}`, need: 'read' },
  {
    method: 'PATCH',
    path: () => `${A}/model-versions/update`,
    body: (f) => ({ name: f.model, version: '1', description: 'x' }),
    need: 'update',
  },
  {
    method: 'DELETE',
    path: () => `${A}/model-versions/delete`,
    body: (f) => ({ name: f.model, version: '1' }),
    need: 'delete',
    fresh: true,
  },
  { method: 'GET', path: () => `${A}/model-versions/search`, need: 'signed-in' },
  {
    method: 'POST',
    path: () => `${A}/model-versions/transition-stage`,
    body: (f) => ({ name: f.model, version: '1', stage: 'Staging', archive_existing_versions: false }),
    need: 'update',
  },
  {
    method: 'POST',
    path: () => `${A}/model-versions/set-tag`,
    body: (f) => ({ name: f.model, version: '1', key: 'k', value: 'v' }),
    need: 'update',
  },
  {
    method: 'DELETE',
    path: () => `${A}/model-versions/delete-tag`,
    body: (f) => ({ name: f.model, version: '1', key: 'k' }),
    need: 'delete',
  },
  {
    method: 'GET',
    path: (f) => `${A}/model-versions/get-download-uri${q({ name: f.model, version: '1' })}`,
    need: 'read',
  },
  {
    method: 'GET',
    path: (f) => `/model-versions/get-artifact${q({ name: f.model, version: '1', path: 'MLmodel' })}`,
    need: 'read',
  },
  { method: 'GET', path: (f) => `${C}/registry/history${q({ name: f.model })}`, need: 'read' },
  { method: 'GET', path: (f) => `${C}/registry/policies${q({ name: f.model })}`, need: 'read' },
  {
    method: 'PUT',
    path: () => `${C}/registry/policies`,
    body: (f) => ({ name: f.model, policy: { target: 'Production', rules: [] } }),
    need: 'manage',
  },
  { method: 'GET', path: () => `${C}/registry/webhooks`, need: 'admin' },
  {
    method: 'POST',
    path: () => `${C}/registry/webhooks`,
    body: () => ({ url: 'http://127.0.0.1:9/x', events: ['MODEL_VERSION_CREATED'] }),
    need: 'admin',
  },
  {
    method: 'POST',
    path: () => `${C}/registry/webhooks/events`,
    body: (f) => ({
      event: 'MODEL_DRIFT_DETECTED',
      name: f.model,
      data: { name: f.model, version: '1', run_id: null, drift_share: 0.5, drifted_features: ['age'] },
    }),
    need: 'update',
  },
  {
    method: 'POST',
    path: () => `${A}/users/create`,
    body: (_f, u) => ({ username: `new-${u}`, password: 'new-password-1' }),
    need: 'admin',
  },
  {
    method: 'PATCH',
    path: () => `${A}/users/update-admin`,
    body: (_f, u) => ({ username: u, is_admin: false }),
    need: 'admin',
  },
  {
    method: 'GET',
    path: (f) => `${A}/experiments/permissions/get${q({ experiment_id: f.exp, username: userOf('READ') })}`,
    need: 'manage',
  },
  {
    method: 'PATCH',
    path: () => `${A}/experiments/permissions/update`,
    body: (f) => ({ experiment_id: f.exp, username: userOf('READ'), permission: 'READ' }),
    need: 'manage',
  },
  {
    method: 'GET',
    path: (f) => `${A}/registered-models/permissions/get${q({ name: f.model, username: userOf('READ') })}`,
    need: 'manage',
  },
  {
    method: 'PATCH',
    path: () => `${A}/registered-models/permissions/update`,
    body: (f) => ({ name: f.model, username: userOf('READ'), permission: 'READ' }),
    need: 'manage',
  },
];

let server: AuthTestServer;
const admin = basic(ADMIN.username, ADMIN.password);
let counter = 0;

async function ok(method: string, path: string, body?: unknown, raw?: string) {
  const res = await call(server.url, method, path, admin, body, raw);
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

/** An experiment with a run, a model with version 1 and alias-free, each level's user granted its level. */
async function fixture(): Promise<Fixture> {
  const n = counter++;
  const { experiment_id: exp } = await ok('POST', `${A}/experiments/create`, { name: `e-pending-${n}` });
  await ok('POST', `${A}/experiments/update`, { experiment_id: exp, new_name: `e-${exp}` });
  const { run } = await ok('POST', `${A}/runs/create`, { experiment_id: exp, start_time: 1 });
  const model = `model-${n}`;
  await ok('POST', `${A}/registered-models/create`, { name: model });
  await ok('POST', `${A}/model-versions/create`, { name: model, source: `runs:/${run.info.run_id}/model` });
  await ok('PUT', `${P}/artifacts/${exp}/seed.txt`, undefined, 'seed');
  for (const level of LEVELS) {
    const username = userOf(level);
    await ok('POST', `${A}/experiments/permissions/create`, { experiment_id: exp, username, permission: level });
    await ok('POST', `${A}/registered-models/permissions/create`, { name: model, username, permission: level });
  }
  return { exp, run: run.info.run_id, model };
}

beforeAll(async () => {
  server = await startAuthServer({ defaultPermission: 'READ' });
  for (const level of LEVELS) await ok('POST', `${A}/users/create`, { username: userOf(level), password: PASSWORD });
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe('cairn server --auth: endpoint × permission level', () => {
  it('has a rule for every route it serves', () => {
    expect(server.app.authUnruledRoutes).toEqual([]);
  });

  it('lets each level through exactly where its permission allows, and refuses the rest with 403', async () => {
    let shared = await fixture();
    const failures: string[] = [];
    for (const row of ROWS) {
      for (const level of LEVELS) {
        const f = row.fresh ? await fixture() : shared;
        const user = userOf(level);
        const res = await call(
          server.url,
          row.method,
          row.path(f, user),
          basic(user, PASSWORD),
          row.body?.(f, user),
          row.raw,
        );
        const allowed = row.need === 'signed-in' ? true : row.need === 'admin' ? false : allows(level, row.need);
        const label = `${row.method} ${row.path(f, user).split('?')[0]} as ${level}`;
        if (allowed && (res.status === 401 || res.status === 403 || res.status >= 500)) {
          failures.push(`${label}: expected allowed, got ${res.status} ${JSON.stringify(res.body)}`);
        }
        if (!allowed && (res.status !== 403 || res.body?.error_code !== 'PERMISSION_DENIED')) {
          failures.push(`${label}: expected 403 PERMISSION_DENIED, got ${res.status} ${JSON.stringify(res.body)}`);
        }
      }
      if (row.fresh) shared = await fixture();
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('lets an admin call every endpoint', async () => {
    const failures: string[] = [];
    for (const row of ROWS) {
      const f = await fixture();
      const res = await call(server.url, row.method, row.path(f, 'admin'), admin, row.body?.(f, 'x'), row.raw);
      if ([401, 403].includes(res.status) || res.status >= 500) {
        failures.push(`${row.method} ${row.path(f, 'admin')}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
