// Where --auth finds its first admin: the environment, or MLflow's basic_auth.ini unchanged; never
// a default password.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authConfigFromEnv, readIniSection } from './auth-config.js';
import { CredentialCache } from './credential-cache.js';
import { LoginRateLimiter } from './login-rate-limiter.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cairn-auth-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ini(text: string): string {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.ini`);
  writeFileSync(file, text);
  return file;
}

describe('authConfigFromEnv', () => {
  it('reads MLflow basic_auth.ini keys, with the environment taking precedence for the admin', () => {
    const file = ini(
      '[mlflow]\ndefault_permission = NO_PERMISSIONS\ndatabase_uri = sqlite:///basic_auth.db\n' +
        'admin_username = ops\nadmin_password = ops-secret-9\n' +
        'authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n',
    );
    expect(authConfigFromEnv({ MLFLOW_AUTH_CONFIG_PATH: file })).toEqual({
      admin: { username: 'ops', password: 'ops-secret-9' },
      defaultPermission: 'NO_PERMISSIONS',
    });
    expect(
      authConfigFromEnv({
        MLFLOW_AUTH_CONFIG_PATH: file,
        CAIRN_ADMIN_USERNAME: 'me',
        CAIRN_ADMIN_PASSWORD: 'mine-1234',
      }),
    ).toEqual({ admin: { username: 'me', password: 'mine-1234' }, defaultPermission: 'NO_PERMISSIONS' });
  });

  it("refuses to start with no admin, a short password, or MLflow's published default", () => {
    expect(() => authConfigFromEnv({})).toThrow(/CAIRN_ADMIN_USERNAME and CAIRN_ADMIN_PASSWORD/);
    expect(() => authConfigFromEnv({ CAIRN_ADMIN_USERNAME: 'a', CAIRN_ADMIN_PASSWORD: 'short' })).toThrow(
      /at least 8 characters/,
    );
    const mlflowDefault = ini(
      '[mlflow]\ndefault_permission = READ\nadmin_username = admin\nadmin_password = password\n',
    );
    expect(() => authConfigFromEnv({ MLFLOW_AUTH_CONFIG_PATH: mlflowDefault })).toThrow(/published default/);
    const badPermission = ini(
      '[mlflow]\ndefault_permission = WRITE\nadmin_username = a\nadmin_password = long-enough\n',
    );
    expect(() => authConfigFromEnv({ MLFLOW_AUTH_CONFIG_PATH: badPermission })).toThrow(/default_permission in/);
    expect(() => authConfigFromEnv({ MLFLOW_AUTH_CONFIG_PATH: path.join(dir, 'missing.ini') })).toThrow(/cannot read/);
  });

  it('reads only the named section of an INI file', () => {
    expect(readIniSection('[other]\na = 1\n[mlflow]\n; comment\nb: 2\nC = x = y\n', 'mlflow')).toEqual({
      b: '2',
      c: 'x = y',
    });
  });
});

describe('CredentialCache', () => {
  it('forgets an entry when the store generation moves or the TTL passes', () => {
    let generation = 1;
    let now = 0;
    const cache = new CredentialCache(
      () => generation,
      1000,
      () => now,
    );
    const user = { id: 1, username: 'a', isAdmin: false, creationTime: 0 };
    cache.set('k', user, 1);
    expect(cache.get('k')).toBe(user);
    generation = 2;
    expect(cache.get('k')).toBeUndefined();
    cache.set('k', user, 1); // verified before the change: never served
    expect(cache.get('k')).toBeUndefined();
    cache.set('k', user, 2);
    now = 1000;
    expect(cache.get('k')).toBeUndefined();
  });
});

describe('LoginRateLimiter', () => {
  it('limits per user and per address within the window, and forgets after it', () => {
    let now = 0;
    const limiter = new LoginRateLimiter({ perUser: 2, perAddress: 3, windowMs: 1000 }, () => now);
    limiter.recordFailure('alice', '1.1.1.1');
    limiter.recordFailure('alice', '2.2.2.2');
    expect(limiter.retryAfter('alice', '3.3.3.3')).toBe(1000);
    expect(limiter.retryAfter('bob', '3.3.3.3')).toBe(0);
    limiter.recordFailure('carol', '1.1.1.1');
    limiter.recordFailure('dave', '1.1.1.1');
    expect(limiter.retryAfter('erin', '1.1.1.1')).toBeGreaterThan(0);
    now = 1001;
    expect(limiter.retryAfter('alice', '1.1.1.1')).toBe(0);
  });
});
