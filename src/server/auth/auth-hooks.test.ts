// `cairn server --auth` over real HTTP on loopback: open health, 401 with a Basic challenge and
// nothing about whether a user exists, bearer tokens, searches filtered to what a user may read,
// creators given MANAGE, cached credentials dropped when a password or token changes, failed
// logins rate-limited, and a seeded fuzz of Authorization headers that never gets in or crashes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, basic, call, startAuthServer, type AuthTestServer } from '../../../test/support/auth-server.js';

const A = '/api/2.0/mlflow';
const admin = basic(ADMIN.username, ADMIN.password);

/** mulberry32: a small seeded generator, so the fuzz is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('cairn server --auth', () => {
  let server: AuthTestServer;
  const as = (user: string, password: string) => (method: string, path: string, body?: unknown) =>
    call(server.url, method, path, basic(user, password), body);

  beforeAll(async () => {
    server = await startAuthServer({ defaultPermission: 'NO_PERMISSIONS' });
    for (const name of ['alice', 'bob']) {
      const res = await call(server.url, 'POST', `${A}/users/create`, admin, {
        username: name,
        password: `${name}-password`,
      });
      expect(res.status).toBe(200);
    }
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  it('keeps /health open and answers everything else 401 with a Basic challenge', async () => {
    expect((await call(server.url, 'GET', '/health', undefined)).status).toBe(200);
    for (const path of [`${A}/experiments/search`, '/', '/version', '/api/2.0/mlflow-artifacts/artifacts', '/nope']) {
      const res = await call(server.url, 'GET', path, undefined);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="cairn"/);
      expect(res.body.error_code).toBe('UNAUTHENTICATED');
    }
    // the UI page is served once logged in
    expect((await call(server.url, 'GET', '/', admin)).status).toBe(200);
  });

  it('answers an unknown user exactly as a wrong password', async () => {
    const unknown = await call(server.url, 'GET', `${A}/experiments/search`, basic('nobody', 'alice-password'));
    const wrong = await call(server.url, 'GET', `${A}/experiments/search`, basic('alice', 'not-her-password'));
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect([...unknown.headers.keys()].sort()).toEqual([...wrong.headers.keys()].sort());
  });

  it('gives the creator MANAGE and filters searches to what each user may read', async () => {
    const alice = as('alice', 'alice-password');
    const bob = as('bob', 'bob-password');
    const { body: created } = await alice('POST', `${A}/experiments/create`, { name: 'alice-private' });
    const exp = created.experiment_id as string;
    const { body: runBody } = await alice('POST', `${A}/runs/create`, { experiment_id: exp, start_time: 1 });
    await alice('POST', `${A}/registered-models/create`, { name: 'alice-model' });
    await alice('POST', `${A}/model-versions/create`, {
      name: 'alice-model',
      source: `runs:/${runBody.run.info.run_id}/m`,
    });

    const names = (b: any) => (b.experiments ?? []).map((e: any) => e.name);
    expect(names((await alice('POST', `${A}/experiments/search`, {})).body)).toContain('alice-private');
    expect(names((await bob('POST', `${A}/experiments/search`, {})).body)).not.toContain('alice-private');
    expect((await bob('GET', `${A}/registered-models/search`)).body.registered_models).toBeUndefined();
    expect((await bob('GET', `${A}/model-versions/search`)).body.model_versions).toBeUndefined();
    expect((await bob('POST', `${A}/runs/search`, { experiment_ids: [exp] })).body).toEqual({});
    expect((await alice('POST', `${A}/runs/search`, { experiment_ids: [exp] })).body.runs).toHaveLength(1);
    expect((await bob('GET', `${A}/runs/get?run_id=${runBody.run.info.run_id}`)).status).toBe(403);

    // alice manages her experiment: she grants bob READ, and his search and reads change with it
    const grant = await alice('POST', `${A}/experiments/permissions/create`, {
      experiment_id: exp,
      username: 'bob',
      permission: 'READ',
    });
    expect(grant.status).toBe(200);
    expect(names((await bob('POST', `${A}/experiments/search`, {})).body)).toContain('alice-private');
    expect((await bob('POST', `${A}/runs/search`, { experiment_ids: [exp, '0'] })).body.runs).toHaveLength(1);
    expect((await bob('POST', `${A}/experiments/delete`, { experiment_id: exp })).status).toBe(403);
    // the grant is in the history with who made it
    const history = await server.auth.auth.history();
    expect(history[0]).toMatchObject({ actor: 'alice', action: 'create_experiment_permission', username: 'bob' });
  });

  it('accepts a bearer token until it is revoked, and a new password at once', async () => {
    const alice = as('alice', 'alice-password');
    const made = await alice('POST', '/api/2.0/cairn/users/tokens/create', { username: 'alice', name: 'ci' });
    expect(made.status).toBe(200);
    const bearer = `Bearer ${made.body.secret}`;
    expect((await call(server.url, 'GET', `${A}/users/get?username=alice`, bearer)).body.user.username).toBe('alice');
    // bob may not make or list alice's tokens
    const bob = as('bob', 'bob-password');
    expect((await bob('POST', '/api/2.0/cairn/users/tokens/create', { username: 'alice', name: 'x' })).status).toBe(
      403,
    );
    expect((await bob('GET', '/api/2.0/cairn/users/tokens/list?username=alice')).status).toBe(403);
    const revoked = await alice('POST', '/api/2.0/cairn/users/tokens/revoke', {
      username: 'alice',
      token_id: made.body.token.id,
    });
    expect(revoked.status).toBe(200);
    expect((await call(server.url, 'GET', `${A}/users/get?username=alice`, bearer)).status).toBe(401);

    // the old password was verified and cached above; changing it drops the cache entry
    expect(
      (await alice('PATCH', `${A}/users/update-password`, { username: 'alice', password: 'alice-second' })).status,
    ).toBe(200);
    expect((await alice('GET', `${A}/users/get?username=alice`)).status).toBe(401);
    expect((await as('alice', 'alice-second')('GET', `${A}/users/get?username=alice`)).status).toBe(200);
  });

  it('logs in a user whose name and password are not ASCII', async () => {
    const res = await call(server.url, 'POST', `${A}/users/create`, admin, {
      username: 'zoë-数据',
      password: 'pässwörd-ß✓',
    });
    expect(res.status).toBe(200);
    expect(
      (
        await call(
          server.url,
          'GET',
          `${A}/users/get?username=${encodeURIComponent('zoë-数据')}`,
          basic('zoë-数据', 'pässwörd-ß✓'),
        )
      ).status,
    ).toBe(200);
  });

  it('never lets a malformed or random Authorization header in, nor fails with a 5xx', async () => {
    const fixed = [
      '',
      'Basic',
      'Basic ',
      'Basic !!!!',
      `Basic ${Buffer.from('nocolon').toString('base64')}`,
      `Basic ${Buffer.from(':no-user').toString('base64')}`,
      `Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0x41]).toString('base64')}`,
      `Basic ${Buffer.from('admin:').toString('base64')}`,
      `Basic ${Buffer.from(`admin:${ADMIN.password}`).toString('base64').slice(0, -2)}`,
      `basic  ${Buffer.from('admin:x').toString('base64')}`,
      'Bearer',
      'Bearer cairn_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'Bearer a b',
      'Digest username="admin"',
      `Basic ${'A'.repeat(8000)}`,
      `Bearer ${'x'.repeat(8000)}`,
      `Basic ${Buffer.from(`${'ü'.repeat(600)}:${'p'.repeat(600)}`).toString('base64')}`,
    ];
    const random = seeded(17);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=:_- ';
    const fuzz = Array.from({ length: 150 }, () => {
      const scheme = ['Basic ', 'Bearer ', 'basic ', 'Token ', ''][Math.floor(random() * 5)];
      const len = Math.floor(random() * 120);
      let s = '';
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(random() * alphabet.length)];
      return scheme + s;
    });
    for (const header of [...fixed, ...fuzz]) {
      const res = await call(server.url, 'GET', `${A}/experiments/search`, header);
      expect(res.status, JSON.stringify(header.slice(0, 80))).toBe(401);
      expect(res.body.error_code).toBe('UNAUTHENTICATED');
    }
  }, 120_000);
});

describe('cairn server --auth rate limiting', () => {
  let server: AuthTestServer;

  beforeAll(async () => {
    server = await startAuthServer({ rateLimit: { perUser: 3, perAddress: 8, windowMs: 10 * 60_000 } });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  it('refuses a user after repeated failures, even with the right password, and then the address', async () => {
    const search = (authorization: string) => call(server.url, 'GET', `${A}/experiments/search`, authorization);
    for (let i = 0; i < 3; i++) expect((await search(basic('admin', `wrong-${i}`))).status).toBe(401);
    const limited = await search(admin);
    expect(limited.status).toBe(429);
    expect(limited.body.error_code).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // unknown names count too, per name, and then the address runs out
    for (let i = 0; i < 5; i++) expect((await search(basic(`ghost-${i}`, 'x'))).status).toBe(401);
    expect((await search(basic('ghost-new', 'x'))).status).toBe(429);
  });
});
