// The auth store on SQLite and a real PostgreSQL: users and scrypt passwords, tokens stored hashed,
// permissions per experiment and registered model, and every change in the history (model
// permission changes also in the registry's audit history).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../test/support/postgres.js';
import { lacks } from '../../test/support/requirements.js';
import { ensureAdmin, openAuthStore, type OpenedAuthStore } from './open-auth-store.js';

const dir = mkdtempSync(join(tmpdir(), 'cairn-auth-store-'));
let pg: Promise<TestPostgres> | undefined;
let n = 0;
const FAST = { scryptCost: { N: 1024, r: 8, p: 1 } };
const cli = { actor: 'cli' };

const engines = [
  { name: 'sqlite', skip: false, uri: async () => `sqlite:///${join(dir, `a${n++}.db`)}` },
  {
    name: 'postgres',
    skip: lacks('postgres'),
    uri: async () => {
      pg ??= startPostgres();
      return (await pg).createDatabase();
    },
  },
];

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (pg) await (await pg).stop();
});

describe.each(engines)('SqlAuthStore on $name', ({ skip, uri }) => {
  const open = async (): Promise<OpenedAuthStore> => openAuthStore(await uri(), FAST);

  it.skipIf(skip)('hashes passwords with scrypt and a per-user salt, and verifies only the right one', async () => {
    const { auth, close } = await open();
    try {
      await auth.createUser('alice', 'correct horse', cli);
      await auth.createUser('bob', 'correct horse', cli);
      const rows = await auth.db.all<{ password_hash: string }>('SELECT password_hash FROM auth_users');
      expect(rows[0].password_hash).toMatch(/^scrypt\$1024\$8\$1\$/);
      expect(rows[0].password_hash).not.toContain('correct horse');
      expect(rows[0].password_hash).not.toBe(rows[1].password_hash);
      expect((await auth.verifyPassword('alice', 'correct horse'))?.username).toBe('alice');
      expect(await auth.verifyPassword('alice', 'correct horsE')).toBeUndefined();
      expect(await auth.verifyPassword('nobody', 'correct horse')).toBeUndefined();
      await auth.setPassword('alice', 'battery staple', cli);
      expect(await auth.verifyPassword('alice', 'correct horse')).toBeUndefined();
      expect((await auth.verifyPassword('alice', 'battery staple'))?.id).toBeGreaterThan(0);
      await expect(auth.createUser('alice', 'whatever12', cli)).rejects.toMatchObject({
        errorCode: 'RESOURCE_ALREADY_EXISTS',
      });
      await expect(auth.createUser('a:b', 'whatever12', cli)).rejects.toThrow(/must not contain ':'/);
      await expect(auth.createUser('carol', 'short', cli)).rejects.toThrow(/at least 8 characters/);
    } finally {
      await close();
    }
  });

  it.skipIf(skip)('creates, lists, verifies and revokes tokens stored only as a hash', async () => {
    const { auth, close } = await open();
    try {
      await auth.createUser('alice', 'correct horse', cli);
      const { token, secret } = await auth.createToken('alice', 'laptop', cli);
      expect(secret).toMatch(/^cairn_[0-9a-f]{16}_/);
      const stored = await auth.db.get<{ secret_hash: string }>('SELECT secret_hash FROM auth_tokens');
      expect(stored?.secret_hash).not.toContain(secret.slice(24));
      expect((await auth.verifyToken(secret))?.username).toBe('alice');
      expect(await auth.verifyToken(`${secret.slice(0, -1)}A`)).toBeUndefined();
      expect(await auth.verifyToken('garbage')).toBeUndefined();
      expect((await auth.listTokens('alice')).map((t) => t.name)).toEqual(['laptop']);
      const before = auth.generation;
      await auth.revokeToken('alice', token.id, cli);
      expect(auth.generation).toBeGreaterThan(before);
      expect(await auth.verifyToken(secret)).toBeUndefined();
      await expect(auth.revokeToken('alice', token.id, cli)).rejects.toMatchObject({
        errorCode: 'RESOURCE_DOES_NOT_EXIST',
      });
    } finally {
      await close();
    }
  });

  it.skipIf(skip)('keeps permissions per experiment and model, and records every change', async () => {
    const { auth, close } = await open();
    try {
      const alice = await auth.createUser('alice', 'correct horse', cli);
      await auth.createExperimentPermission('7', 'alice', 'EDIT', cli);
      await expect(auth.createExperimentPermission('7', 'alice', 'READ', cli)).rejects.toMatchObject({
        errorCode: 'RESOURCE_ALREADY_EXISTS',
      });
      expect(await auth.experimentPermissionOf(alice.id, '7')).toBe('EDIT');
      expect(await auth.experimentPermissionOf(alice.id, '8')).toBeUndefined();
      await auth.updateExperimentPermission('7', 'alice', 'MANAGE', cli);
      expect((await auth.getExperimentPermission('7', 'alice')).permission).toBe('MANAGE');
      await expect(auth.createExperimentPermission('7', 'alice', 'WRITE' as never, cli)).rejects.toThrow(
        /Valid permissions are: READ, EDIT, MANAGE, NO_PERMISSIONS/,
      );
      await auth.createRegisteredModelPermission('heart', 'alice', 'READ', cli);
      await auth.renameRegisteredModelPermissions('heart', 'heart-v2', cli);
      expect(await auth.registeredModelPermissionOf(alice.id, 'heart-v2')).toBe('READ');
      await auth.deleteRegisteredModelPermission('heart-v2', 'alice', cli);
      expect(await auth.listRegisteredModelPermissions('alice')).toEqual([]);
      await auth.deleteExperimentPermission('7', 'alice', cli);
      await expect(auth.getExperimentPermission('7', 'alice')).rejects.toMatchObject({
        errorCode: 'RESOURCE_DOES_NOT_EXIST',
      });

      const history = (await auth.history()).map((h) => `${h.action} ${h.resourceId ?? ''} ${h.permission ?? ''}`);
      expect(history).toEqual([
        'delete_experiment_permission 7 ',
        'delete_registered_model_permission heart-v2 ',
        'rename_registered_model_permissions heart-v2 heart',
        'create_registered_model_permission heart READ',
        'update_experiment_permission 7 MANAGE',
        'create_experiment_permission 7 EDIT',
        'create_user  ',
      ]);
      const registry = await auth.db.all<{ name: string; action: string; to_value: string; user_id: string }>(
        'SELECT name, action, to_value, user_id FROM registry_audit ORDER BY id',
      );
      expect(registry).toEqual([
        { name: 'heart', action: 'set_permission', to_value: 'alice:READ', user_id: 'cli' },
        { name: 'heart-v2', action: 'delete_permission', to_value: 'alice:none', user_id: 'cli' },
      ]);
    } finally {
      await close();
    }
  });

  it.skipIf(skip)('ensureAdmin creates the admin once and never resets its password', async () => {
    const target = await uri();
    const a = await openAuthStore(target, FAST);
    const b = await openAuthStore(target, FAST);
    try {
      await Promise.all([
        ensureAdmin(a.auth, { username: 'root', password: 'first-password' }),
        ensureAdmin(b.auth, { username: 'root', password: 'first-password' }),
      ]);
      await ensureAdmin(a.auth, { username: 'root', password: 'other-password' });
      expect((await a.auth.verifyPassword('root', 'first-password'))?.isAdmin).toBe(true);
      expect(await a.auth.verifyPassword('root', 'other-password')).toBeUndefined();
      expect((await a.auth.listUsers()).length).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
