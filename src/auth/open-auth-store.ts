// Opens the auth store a database URI names (sqlite:///…, postgresql://…) on its own connection:
// the registry's tables are brought forward first (model permission changes are written to its
// audit history), then auth's own. `cairn server --auth` and `cairn users|permissions` use it.
import { InvalidParameter } from '../core/errors.js';
import { migrate } from '../db/migrate.js';
import { PostgresDatabase } from '../db/postgres-database.js';
import type { SqlDatabase } from '../db/sql-database.js';
import { openSqliteDatabase } from '../db/sqlite-database.js';
import { migrateRegistrySchema } from '../registry/registry-schema.js';
import { parseTrackingStoreUri } from '../tracking/open-store.js';
import { AUTH_MIGRATIONS } from './auth-migrations.js';
import type { AuthChange } from './auth-store.js';
import { SqlAuthStore, type SqlAuthStoreOptions } from './sql-auth-store.js';

export interface OpenedAuthStore {
  auth: SqlAuthStore;
  close(): Promise<void>;
}

export async function openAuthDatabase(uri: string, poolSize = 4): Promise<SqlDatabase> {
  const parsed = parseTrackingStoreUri(uri);
  if (parsed.kind === 'sqlite') {
    if (parsed.filename === ':memory:') {
      throw new InvalidParameter('Users and permissions need a database file or server, not sqlite://:memory:.');
    }
    return openSqliteDatabase(parsed.filename);
  }
  return new PostgresDatabase(parsed.connectionString, poolSize);
}

export async function openAuthStore(uri: string, options: SqlAuthStoreOptions = {}): Promise<OpenedAuthStore> {
  const db = await openAuthDatabase(uri);
  try {
    await migrateRegistrySchema(db);
    await migrate(db, AUTH_MIGRATIONS);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return { auth: new SqlAuthStore(db, options), close: () => db.close() };
}

/**
 * Makes sure the configured admin exists and is an admin. An existing user keeps its password
 * (as MLflow's create_admin_user): the environment names the first admin, it does not reset one.
 */
export async function ensureAdmin(
  auth: SqlAuthStore,
  admin: { username: string; password: string },
  change: AuthChange = { actor: 'server' },
): Promise<void> {
  const existing = await auth.findUser(admin.username);
  if (!existing) {
    try {
      await auth.createUser(admin.username, admin.password, change, true);
      return;
    } catch (err) {
      // another replica or worker created it at the same moment
      if (!(await auth.findUser(admin.username))) throw err;
    }
  }
  const user = await auth.getUser(admin.username);
  if (!user.isAdmin) await auth.setAdmin(admin.username, true, change);
}
