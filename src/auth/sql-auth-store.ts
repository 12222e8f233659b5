// The AuthStore in the backend database (SQLite or PostgreSQL through src/db). Passwords are scrypt
// hashes (password-hash.ts); token secrets are 256 random bits, so one SHA-256 of them is enough to
// store (no dictionary to guard against) and lets a request check a token without a KDF. Every
// change is written to auth_audit in its own transaction; changes to a registered model's
// permissions also go to the registry's audit history, beside the model's other changes.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AlreadyExists, InvalidParameter, NotFound } from '../core/errors.js';
import { migrate } from '../db/migrate.js';
import type { SqlDatabase, SqlExecutor, SqlValue } from '../db/sql-database.js';
import { recordAudit } from '../registry/sql/registry-audit.js';
import { AUTH_MIGRATIONS } from './auth-migrations.js';
import type {
  AccessToken,
  AuthAuditEntry,
  AuthChange,
  AuthStore,
  AuthUser,
  ExperimentPermission,
  RegisteredModelPermission,
} from './auth-store.js';
import {
  DEFAULT_SCRYPT_COST,
  dummyHash,
  hashPassword,
  type ScryptCost,
  validatePassword,
  verifyPassword,
} from './password-hash.js';
import { parsePermission, type PermissionName } from './permissions.js';

export const MAX_USERNAME_LENGTH = 256;
export const MAX_TOKEN_NAME_LENGTH = 256;
/** `cairn_<16 hex id>_<43 base64url secret>`: the id finds the row, the secret is compared. */
const TOKEN_PATTERN = /^cairn_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export function validateUsername(username: unknown, field = 'username'): string {
  if (typeof username !== 'string' || username.trim() === '') {
    throw new InvalidParameter(`Missing value for required parameter '${field}'.`);
  }
  if (username.length > MAX_USERNAME_LENGTH) {
    throw new InvalidParameter(`'${field}' must be at most ${MAX_USERNAME_LENGTH} characters.`);
  }
  // HTTP Basic splits "user:password" at the first colon, so a name with one could never log in
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (username.includes(':') || /[\u0000-\u001f\u007f]/.test(username) || username !== username.trim()) {
    throw new InvalidParameter(
      `'${field}' must not contain ':' or control characters, nor start or end with whitespace.`,
    );
  }
  return username;
}

function validateExperimentId(id: unknown): string {
  if (typeof id !== 'string' || !/^\d{1,19}$/.test(id)) {
    throw new InvalidParameter(`'experiment_id' must be an experiment id (digits), got '${String(id)}'.`);
  }
  return id;
}

function validateModelName(name: unknown): string {
  if (typeof name !== 'string' || name === '' || name.length > 256) {
    throw new InvalidParameter("'name' must be a registered model name of 1 to 256 characters.");
  }
  return name;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  is_admin: number;
  creation_time: number;
}

const toUser = (r: UserRow): AuthUser => ({
  id: Number(r.id),
  username: r.username,
  isAdmin: Number(r.is_admin) === 1,
  creationTime: Number(r.creation_time),
});

interface TokenRow {
  id: string;
  user_id: number;
  name: string;
  creation_time: number;
  expiry_time: number | null;
}

const toToken = (r: TokenRow): AccessToken => ({
  id: r.id,
  userId: Number(r.user_id),
  name: r.name,
  creationTime: Number(r.creation_time),
  expiryTime: r.expiry_time === null ? null : Number(r.expiry_time),
});

export interface SqlAuthStoreOptions {
  /** scrypt cost for new hashes (tests lower it; stored hashes carry their own). */
  scryptCost?: ScryptCost;
}

type ResourceType = 'experiment' | 'registered_model';

const RESOURCES = {
  experiment: { table: 'auth_experiment_permissions', key: 'experiment_id', label: 'experiment' },
  registered_model: { table: 'auth_registered_model_permissions', key: 'name', label: 'registered model' },
} as const;

export class SqlAuthStore implements AuthStore {
  #generation = 0;
  readonly #cost: ScryptCost;

  constructor(
    readonly db: SqlDatabase,
    options: SqlAuthStoreOptions = {},
  ) {
    this.#cost = options.scryptCost ?? DEFAULT_SCRYPT_COST;
  }

  /** Creates the auth tables when missing (idempotent; safe from several processes at once). */
  async init(): Promise<void> {
    await migrate(this.db, AUTH_MIGRATIONS);
  }

  get generation(): number {
    return this.#generation;
  }

  #changed(): void {
    this.#generation++;
  }

  async #audit(
    tx: SqlExecutor,
    change: AuthChange,
    action: string,
    username: string,
    resource?: { type: ResourceType; id: string; permission?: string | null },
  ): Promise<void> {
    await tx.run(
      `INSERT INTO auth_audit (timestamp, actor, action, username, resource_type, resource_id, permission)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        Date.now(),
        change.actor,
        action,
        username,
        resource?.type ?? null,
        resource?.id ?? null,
        resource?.permission ?? null,
      ],
    );
    if (resource?.type === 'registered_model') {
      await recordAudit(
        tx,
        { user: change.actor },
        {
          name: resource.id,
          action: action.startsWith('delete') ? 'delete_permission' : 'set_permission',
          to: `${username}:${resource.permission ?? 'none'}`,
        },
      );
    }
  }

  async #userRow(tx: SqlExecutor, username: string): Promise<UserRow> {
    const row = await tx.get<UserRow>('SELECT * FROM auth_users WHERE username = ?', [username]);
    if (!row) throw new NotFound(`User with username=${username} not found`);
    return row;
  }

  async createUser(username: string, password: string, change: AuthChange, isAdmin = false): Promise<AuthUser> {
    validateUsername(username);
    validatePassword(password);
    const hash = await hashPassword(password, this.#cost);
    const user = await this.db.transaction(async (tx) => {
      if (await tx.get('SELECT id FROM auth_users WHERE username = ?', [username])) {
        throw new AlreadyExists(`User (username=${username}) already exists.`);
      }
      await tx.run('INSERT INTO auth_users (username, password_hash, is_admin, creation_time) VALUES (?, ?, ?, ?)', [
        username,
        hash,
        isAdmin ? 1 : 0,
        Date.now(),
      ]);
      await this.#audit(tx, change, isAdmin ? 'create_admin' : 'create_user', username);
      return toUser(await this.#userRow(tx, username));
    });
    this.#changed();
    return user;
  }

  async getUser(username: string): Promise<AuthUser> {
    return toUser(await this.#userRow(this.db, username));
  }

  async findUser(username: string): Promise<AuthUser | undefined> {
    const row = await this.db.get<UserRow>('SELECT * FROM auth_users WHERE username = ?', [username]);
    return row ? toUser(row) : undefined;
  }

  async listUsers(): Promise<AuthUser[]> {
    return (await this.db.all<UserRow>('SELECT * FROM auth_users ORDER BY username')).map(toUser);
  }

  async deleteUser(username: string, change: AuthChange): Promise<void> {
    await this.db.transaction(async (tx) => {
      const row = await this.#userRow(tx, username);
      // explicit, not only ON DELETE CASCADE: the model permissions go to the registry's history too
      const models = await tx.all<{ name: string }>(
        'SELECT name FROM auth_registered_model_permissions WHERE user_id = ?',
        [row.id],
      );
      for (const m of models) {
        await this.#audit(tx, change, 'delete_registered_model_permission', username, {
          type: 'registered_model',
          id: m.name,
        });
      }
      for (const table of ['auth_experiment_permissions', 'auth_registered_model_permissions', 'auth_tokens']) {
        await tx.run(`DELETE FROM ${table} WHERE user_id = ?`, [row.id]);
      }
      await tx.run('DELETE FROM auth_users WHERE id = ?', [row.id]);
      await this.#audit(tx, change, 'delete_user', username);
    });
    this.#changed();
  }

  async setPassword(username: string, password: string, change: AuthChange): Promise<void> {
    validatePassword(password);
    const hash = await hashPassword(password, this.#cost);
    await this.db.transaction(async (tx) => {
      const row = await this.#userRow(tx, username);
      await tx.run('UPDATE auth_users SET password_hash = ? WHERE id = ?', [hash, row.id]);
      await this.#audit(tx, change, 'set_password', username);
    });
    this.#changed();
  }

  async setAdmin(username: string, isAdmin: boolean, change: AuthChange): Promise<void> {
    await this.db.transaction(async (tx) => {
      const row = await this.#userRow(tx, username);
      await tx.run('UPDATE auth_users SET is_admin = ? WHERE id = ?', [isAdmin ? 1 : 0, row.id]);
      await this.#audit(tx, change, isAdmin ? 'grant_admin' : 'revoke_admin', username);
    });
    this.#changed();
  }

  async verifyPassword(username: string, password: string): Promise<AuthUser | undefined> {
    const row = await this.db.get<UserRow>('SELECT * FROM auth_users WHERE username = ?', [username]);
    if (!row) {
      // the same scrypt work as for a real user, so timing does not tell which names exist
      await verifyPassword(password, await dummyHash(this.#cost));
      return undefined;
    }
    return (await verifyPassword(password, row.password_hash)) ? toUser(row) : undefined;
  }

  async createToken(
    username: string,
    name: string,
    change: AuthChange,
    expiryTime: number | null = null,
  ): Promise<{ token: AccessToken; secret: string }> {
    if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_TOKEN_NAME_LENGTH) {
      throw new InvalidParameter(`'name' of a token must be 1 to ${MAX_TOKEN_NAME_LENGTH} characters.`);
    }
    if (expiryTime !== null && (!Number.isSafeInteger(expiryTime) || expiryTime <= Date.now())) {
      throw new InvalidParameter("'expiry_time' must be a time in the future (milliseconds since the epoch).");
    }
    const id = randomBytes(8).toString('hex');
    const secretPart = randomBytes(32).toString('base64url');
    const token = await this.db.transaction(async (tx) => {
      const user = await this.#userRow(tx, username);
      const row: TokenRow = { id, user_id: user.id, name, creation_time: Date.now(), expiry_time: expiryTime };
      await tx.run(
        'INSERT INTO auth_tokens (id, user_id, name, secret_hash, creation_time, expiry_time) VALUES (?, ?, ?, ?, ?, ?)',
        [id, user.id, name, sha256(secretPart).toString('hex'), row.creation_time, expiryTime],
      );
      await this.#audit(tx, change, 'create_token', username);
      return toToken(row);
    });
    this.#changed();
    return { token, secret: `cairn_${id}_${secretPart}` };
  }

  async listTokens(username: string): Promise<AccessToken[]> {
    const user = await this.getUser(username);
    const rows = await this.db.all<TokenRow>(
      'SELECT id, user_id, name, creation_time, expiry_time FROM auth_tokens WHERE user_id = ? ORDER BY creation_time, id',
      [user.id],
    );
    return rows.map(toToken);
  }

  async revokeToken(username: string, tokenId: string, change: AuthChange): Promise<void> {
    await this.db.transaction(async (tx) => {
      const user = await this.#userRow(tx, username);
      const { changes } = await tx.run('DELETE FROM auth_tokens WHERE id = ? AND user_id = ?', [tokenId, user.id]);
      if (changes === 0) throw new NotFound(`Token '${tokenId}' of user ${username} not found`);
      await this.#audit(tx, change, 'revoke_token', username);
    });
    this.#changed();
  }

  async verifyToken(text: string): Promise<AuthUser | undefined> {
    const m = TOKEN_PATTERN.exec(text);
    if (!m) return undefined;
    const row = await this.db.get<UserRow & { secret_hash: string; expiry_time: number | null }>(
      `SELECT u.*, t.secret_hash, t.expiry_time FROM auth_tokens t JOIN auth_users u ON u.id = t.user_id
       WHERE t.id = ?`,
      [m[1]],
    );
    if (!row) return undefined;
    const expected = Buffer.from(row.secret_hash, 'hex');
    const given = sha256(m[2]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    if (row.expiry_time !== null && Number(row.expiry_time) <= Date.now()) return undefined;
    return toUser(row);
  }

  // --- permissions: one code path for both resource types ---

  async #createPermission(
    type: ResourceType,
    id: string,
    username: string,
    permission: PermissionName,
    change: AuthChange,
  ): Promise<number> {
    const { table, key, label } = RESOURCES[type];
    parsePermission(permission);
    const userId = await this.db.transaction(async (tx) => {
      const user = await this.#userRow(tx, username);
      if (await tx.get(`SELECT 1 AS one FROM ${table} WHERE ${key} = ? AND user_id = ?`, [id, user.id])) {
        throw new AlreadyExists(`Permission on ${label} ${id} for user ${username} already exists.`);
      }
      await tx.run(`INSERT INTO ${table} (${key}, user_id, permission) VALUES (?, ?, ?)`, [id, user.id, permission]);
      await this.#audit(tx, change, `create_${type}_permission`, username, { type, id, permission });
      return Number(user.id);
    });
    this.#changed();
    return userId;
  }

  async #getPermission(
    type: ResourceType,
    id: string,
    username: string,
  ): Promise<{ userId: number; p: PermissionName }> {
    const { table, key, label } = RESOURCES[type];
    const user = await this.getUser(username);
    const row = await this.db.get<{ permission: string }>(
      `SELECT permission FROM ${table} WHERE ${key} = ? AND user_id = ?`,
      [id, user.id],
    );
    if (!row) throw new NotFound(`Permission on ${label} ${id} for user ${username} not found.`);
    return { userId: user.id, p: parsePermission(row.permission) };
  }

  async #updatePermission(
    type: ResourceType,
    id: string,
    username: string,
    permission: PermissionName | null,
    change: AuthChange,
  ): Promise<void> {
    const { table, key, label } = RESOURCES[type];
    if (permission !== null) parsePermission(permission);
    await this.db.transaction(async (tx) => {
      const user = await this.#userRow(tx, username);
      const params: SqlValue[] = [id, user.id];
      const { changes } =
        permission === null
          ? await tx.run(`DELETE FROM ${table} WHERE ${key} = ? AND user_id = ?`, params)
          : await tx.run(`UPDATE ${table} SET permission = ? WHERE ${key} = ? AND user_id = ?`, [
              permission,
              ...params,
            ]);
      if (changes === 0) throw new NotFound(`Permission on ${label} ${id} for user ${username} not found.`);
      const action = permission === null ? `delete_${type}_permission` : `update_${type}_permission`;
      await this.#audit(tx, change, action, username, { type, id, permission });
    });
    this.#changed();
  }

  async #permissionOf(type: ResourceType, userId: number, id: string): Promise<PermissionName | undefined> {
    const { table, key } = RESOURCES[type];
    const row = await this.db.get<{ permission: string }>(
      `SELECT permission FROM ${table} WHERE ${key} = ? AND user_id = ?`,
      [id, userId],
    );
    return row ? parsePermission(row.permission) : undefined;
  }

  async createExperimentPermission(
    experimentId: string,
    username: string,
    permission: PermissionName,
    change: AuthChange,
  ): Promise<ExperimentPermission> {
    validateExperimentId(experimentId);
    const userId = await this.#createPermission('experiment', experimentId, username, permission, change);
    return { experimentId, userId, permission };
  }

  async getExperimentPermission(experimentId: string, username: string): Promise<ExperimentPermission> {
    const { userId, p } = await this.#getPermission('experiment', experimentId, username);
    return { experimentId, userId, permission: p };
  }

  updateExperimentPermission(id: string, username: string, p: PermissionName, change: AuthChange): Promise<void> {
    return this.#updatePermission('experiment', id, username, p, change);
  }

  deleteExperimentPermission(id: string, username: string, change: AuthChange): Promise<void> {
    return this.#updatePermission('experiment', id, username, null, change);
  }

  async listExperimentPermissions(username: string): Promise<ExperimentPermission[]> {
    const user = await this.getUser(username);
    const rows = await this.db.all<{ experiment_id: string; permission: string }>(
      'SELECT experiment_id, permission FROM auth_experiment_permissions WHERE user_id = ? ORDER BY experiment_id',
      [user.id],
    );
    return rows.map((r) => ({
      experimentId: String(r.experiment_id),
      userId: user.id,
      permission: parsePermission(r.permission),
    }));
  }

  experimentPermissionOf(userId: number, experimentId: string): Promise<PermissionName | undefined> {
    return this.#permissionOf('experiment', userId, experimentId);
  }

  async createRegisteredModelPermission(
    name: string,
    username: string,
    permission: PermissionName,
    change: AuthChange,
  ): Promise<RegisteredModelPermission> {
    validateModelName(name);
    const userId = await this.#createPermission('registered_model', name, username, permission, change);
    return { name, userId, permission };
  }

  async getRegisteredModelPermission(name: string, username: string): Promise<RegisteredModelPermission> {
    const { userId, p } = await this.#getPermission('registered_model', name, username);
    return { name, userId, permission: p };
  }

  updateRegisteredModelPermission(name: string, username: string, p: PermissionName, change: AuthChange) {
    return this.#updatePermission('registered_model', name, username, p, change);
  }

  deleteRegisteredModelPermission(name: string, username: string, change: AuthChange): Promise<void> {
    return this.#updatePermission('registered_model', name, username, null, change);
  }

  async listRegisteredModelPermissions(username: string): Promise<RegisteredModelPermission[]> {
    const user = await this.getUser(username);
    const rows = await this.db.all<{ name: string; permission: string }>(
      'SELECT name, permission FROM auth_registered_model_permissions WHERE user_id = ? ORDER BY name',
      [user.id],
    );
    return rows.map((r) => ({ name: r.name, userId: user.id, permission: parsePermission(r.permission) }));
  }

  registeredModelPermissionOf(userId: number, name: string): Promise<PermissionName | undefined> {
    return this.#permissionOf('registered_model', userId, name);
  }

  async renameRegisteredModelPermissions(oldName: string, newName: string, change: AuthChange): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { changes } = await tx.run('UPDATE auth_registered_model_permissions SET name = ? WHERE name = ?', [
        newName,
        oldName,
      ]);
      if (changes > 0) {
        await tx.run(
          `INSERT INTO auth_audit (timestamp, actor, action, username, resource_type, resource_id, permission)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          [Date.now(), change.actor, 'rename_registered_model_permissions', '*', 'registered_model', newName, oldName],
        );
      }
    });
    this.#changed();
  }

  async dropRegisteredModelPermissions(name: string, change: AuthChange): Promise<void> {
    await this.db.transaction(async (tx) => {
      const rows = await tx.all<{ username: string }>(
        `SELECT u.username FROM auth_registered_model_permissions p JOIN auth_users u ON u.id = p.user_id
         WHERE p.name = ?`,
        [name],
      );
      await tx.run('DELETE FROM auth_registered_model_permissions WHERE name = ?', [name]);
      for (const r of rows) {
        await this.#audit(tx, change, 'delete_registered_model_permission', r.username, {
          type: 'registered_model',
          id: name,
        });
      }
    });
    this.#changed();
  }

  async history(limit = 100): Promise<AuthAuditEntry[]> {
    const rows = await this.db.all<Record<string, unknown>>('SELECT * FROM auth_audit ORDER BY id DESC LIMIT ?', [
      limit,
    ]);
    return rows.map((r) => ({
      id: Number(r.id),
      timestamp: Number(r.timestamp),
      actor: String(r.actor),
      action: String(r.action),
      username: String(r.username),
      resourceType: (r.resource_type as AuthAuditEntry['resourceType']) ?? null,
      resourceId: (r.resource_id as string | null) ?? null,
      permission: (r.permission as string | null) ?? null,
    }));
  }
}
