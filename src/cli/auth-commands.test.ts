// `cairn users …` and `cairn permissions …` against a SQLite database, as an operator runs them
// before (or beside) `cairn server --auth`: what they write is what the server then checks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCairnCli } from '../../test/support/cairn-cli.js';
import { openAuthStore } from '../auth/open-auth-store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cairn-users-cli-'));
const uri = `sqlite:///${path.join(dir, 'cairn.db')}`;
const cairn = (...args: string[]) => runCairnCli([...args, '--backend-store-uri', uri]);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cairn users / cairn permissions', () => {
  it('creates users and tokens, grants and revokes permissions, and records each change', async () => {
    expect((await cairn('users', 'create', 'root', '--admin', '--password', 'root-password')).status).toBe(0);
    const alice = await cairn('users', 'create', 'alice', '--password', 'alice-password');
    expect(alice.stdout).toMatch(/created user alice/);

    const list = JSON.parse((await cairn('users', 'list', '--json')).stdout);
    expect(list.users.map((u: any) => [u.username, u.is_admin])).toEqual([
      ['alice', false],
      ['root', true],
    ]);

    const token = JSON.parse((await cairn('users', 'token-create', 'alice', '--name', 'ci', '--json')).stdout);
    expect(token.secret).toMatch(/^cairn_/);
    expect((await cairn('users', 'token-list', 'alice')).stdout).toMatch(new RegExp(`${token.id}\\s+ci`));

    expect(
      (await cairn('permissions', 'grant', '--user', 'alice', '--experiment', '4', '--permission', 'edit')).status,
    ).toBe(0);
    expect(
      (await cairn('permissions', 'grant', '--user', 'alice', '--experiment', '4', '--permission', 'MANAGE')).status,
    ).toBe(0);
    expect(
      (await cairn('permissions', 'grant', '--user', 'alice', '--model', 'heart', '--permission', 'READ')).status,
    ).toBe(0);
    const perms = JSON.parse((await cairn('permissions', 'list', '--user', 'alice', '--json')).stdout);
    expect(perms.experiments.map((p: any) => [p.experimentId, p.permission])).toEqual([['4', 'MANAGE']]);
    expect(perms.models.map((p: any) => [p.name, p.permission])).toEqual([['heart', 'READ']]);

    expect((await cairn('permissions', 'revoke', '--user', 'alice', '--model', 'heart')).status).toBe(0);
    expect((await cairn('users', 'token-revoke', 'alice', token.id)).status).toBe(0);
    expect((await cairn('users', 'set-password', 'alice', '--password', 'alice-second')).status).toBe(0);

    const { auth, close } = await openAuthStore(uri);
    try {
      expect(await auth.verifyToken(token.secret)).toBeUndefined();
      expect((await auth.verifyPassword('alice', 'alice-second'))?.username).toBe('alice');
      const history = await auth.history();
      expect(history.map((h) => h.action)).toEqual([
        'set_password',
        'revoke_token',
        'delete_registered_model_permission',
        'create_registered_model_permission',
        'update_experiment_permission',
        'create_experiment_permission',
        'create_token',
        'create_user',
        'create_admin',
      ]);
      expect(history[0].actor).toMatch(/^cli:/);
    } finally {
      await close();
    }
    const shown = (await cairn('permissions', 'list', '--history')).stdout;
    expect(shown).toMatch(/update_experiment_permission\s+alice\s+experiment 4\s+MANAGE/);
  }, 180_000);

  it('refuses bad input with exit status 2 or a message naming the rule', async () => {
    const bad = await cairn('permissions', 'grant', '--user', 'alice', '--experiment', '4', '--permission', 'WRITE');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/Valid permissions are: READ, EDIT, MANAGE, NO_PERMISSIONS/);
    const both = await cairn('permissions', 'revoke', '--user', 'alice', '--experiment', '4', '--model', 'm');
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/exactly one resource/);
    const noPassword = await cairn('users', 'create', 'bob');
    expect(noPassword.status).toBe(2);
    expect(noPassword.stderr).toMatch(/--password-stdin/);
    const short = await cairn('users', 'create', 'bob', '--password', 'short');
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(/at least 8 characters/);
  }, 120_000);

  it('refuses `cairn server --auth` without an admin, saying what to set', async () => {
    const res = await runCairnCli(['server', '--auth', '--backend-store-uri', uri, '--port', '0'], {
      CAIRN_ADMIN_USERNAME: '',
      CAIRN_ADMIN_PASSWORD: '',
      MLFLOW_AUTH_CONFIG_PATH: '',
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/CAIRN_ADMIN_USERNAME and CAIRN_ADMIN_PASSWORD/);
    expect(res.stderr).toMatch(/MLFLOW_AUTH_CONFIG_PATH/);
  }, 60_000);
});
