// Where `cairn server --auth` gets its first admin and default permission: CAIRN_ADMIN_USERNAME /
// CAIRN_ADMIN_PASSWORD, else MLflow's basic_auth.ini named by MLFLOW_AUTH_CONFIG_PATH (its
// admin_username, admin_password and default_permission keys, so an MLflow deployment's file works
// unchanged). There is no built-in default admin: with none configured, the server refuses to start.
import { readFileSync } from 'node:fs';
import { InvalidParameter } from '../core/errors.js';
import { parsePermission, type PermissionName } from './permissions.js';

export interface AuthConfig {
  admin: { username: string; password: string };
  defaultPermission: PermissionName;
}

export const NO_ADMIN_MESSAGE =
  '--auth needs an initial admin: set CAIRN_ADMIN_USERNAME and CAIRN_ADMIN_PASSWORD (at least 8 characters), ' +
  'or MLFLOW_AUTH_CONFIG_PATH to an MLflow basic_auth.ini with admin_username and admin_password under [mlflow].';

/** The keys of an INI file's section (MLflow's configparser reads `key = value` and `key: value`). */
export function readIniSection(text: string, section: string): Record<string, string> {
  const out: Record<string, string> = {};
  let current: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = header[1].trim();
      continue;
    }
    if (current !== section) continue;
    const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (m) out[m[1].toLowerCase()] = m[2];
  }
  return out;
}

export function authConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  let username = env.CAIRN_ADMIN_USERNAME?.trim() || undefined;
  let password = env.CAIRN_ADMIN_PASSWORD || undefined;
  let defaultPermission: PermissionName = 'READ';
  const file = env.MLFLOW_AUTH_CONFIG_PATH;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new InvalidParameter(`MLFLOW_AUTH_CONFIG_PATH: cannot read ${file}: ${(err as Error).message}`);
    }
    const ini = readIniSection(text, 'mlflow');
    if (ini.default_permission !== undefined) {
      defaultPermission = parsePermission(ini.default_permission.trim(), `default_permission in ${file}`);
    }
    if (!username && !password) {
      username = ini.admin_username?.trim() || undefined;
      password = ini.admin_password || undefined;
    }
  }
  if (env.CAIRN_AUTH_DEFAULT_PERMISSION) {
    defaultPermission = parsePermission(env.CAIRN_AUTH_DEFAULT_PERMISSION, 'CAIRN_AUTH_DEFAULT_PERMISSION');
  }
  if (!username || !password) throw new InvalidParameter(NO_ADMIN_MESSAGE);
  if (username === 'admin' && password === 'password') {
    // MLflow's shipped basic_auth.ini: a password every scanner tries first
    throw new InvalidParameter(
      "The admin password is MLflow's published default ('password'); choose another. " + NO_ADMIN_MESSAGE,
    );
  }
  if (password.length < 8) {
    throw new InvalidParameter('The admin password must be at least 8 characters. ' + NO_ADMIN_MESSAGE);
  }
  return { admin: { username, password }, defaultPermission };
}
