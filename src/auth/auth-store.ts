// The auth entities and the AuthStore interface: users, per-experiment and per-registered-model
// permissions, access tokens, and the history of every change to them.
import type { PermissionName } from './permissions.js';

export interface AuthUser {
  id: number;
  username: string;
  isAdmin: boolean;
  creationTime: number;
}

export interface ExperimentPermission {
  experimentId: string;
  userId: number;
  permission: PermissionName;
}

export interface RegisteredModelPermission {
  name: string;
  userId: number;
  permission: PermissionName;
}

export interface AccessToken {
  id: string;
  userId: number;
  name: string;
  creationTime: number;
  /** Milliseconds since the epoch after which the token is refused; null for none. */
  expiryTime: number | null;
}

export interface AuthAuditEntry {
  id: number;
  timestamp: number;
  actor: string;
  action: string;
  username: string;
  resourceType: 'experiment' | 'registered_model' | null;
  resourceId: string | null;
  permission: string | null;
}

/** Who made a change, for the history ('cli' or the authenticated user of a request). */
export interface AuthChange {
  actor: string;
}

export interface AuthStore {
  createUser(username: string, password: string, change: AuthChange, isAdmin?: boolean): Promise<AuthUser>;
  /** The user, or RESOURCE_DOES_NOT_EXIST. */
  getUser(username: string): Promise<AuthUser>;
  findUser(username: string): Promise<AuthUser | undefined>;
  listUsers(): Promise<AuthUser[]>;
  deleteUser(username: string, change: AuthChange): Promise<void>;
  setPassword(username: string, password: string, change: AuthChange): Promise<void>;
  setAdmin(username: string, isAdmin: boolean, change: AuthChange): Promise<void>;
  /** The user when the password is theirs; undefined otherwise (taking as long when the user is unknown). */
  verifyPassword(username: string, password: string): Promise<AuthUser | undefined>;

  /** A new token for the user; its secret text is returned once and stored only hashed. */
  createToken(
    username: string,
    name: string,
    change: AuthChange,
    expiryTime?: number | null,
  ): Promise<{ token: AccessToken; secret: string }>;
  listTokens(username: string): Promise<AccessToken[]>;
  revokeToken(username: string, tokenId: string, change: AuthChange): Promise<void>;
  /** The token's user when the text is a live token; undefined otherwise. */
  verifyToken(text: string): Promise<AuthUser | undefined>;

  createExperimentPermission(
    experimentId: string,
    username: string,
    permission: PermissionName,
    change: AuthChange,
  ): Promise<ExperimentPermission>;
  /** The stored permission, or RESOURCE_DOES_NOT_EXIST. */
  getExperimentPermission(experimentId: string, username: string): Promise<ExperimentPermission>;
  updateExperimentPermission(
    experimentId: string,
    username: string,
    permission: PermissionName,
    change: AuthChange,
  ): Promise<void>;
  deleteExperimentPermission(experimentId: string, username: string, change: AuthChange): Promise<void>;
  listExperimentPermissions(username: string): Promise<ExperimentPermission[]>;
  /** The stored permission of a user id (undefined when there is none): the request path's lookup. */
  experimentPermissionOf(userId: number, experimentId: string): Promise<PermissionName | undefined>;

  createRegisteredModelPermission(
    name: string,
    username: string,
    permission: PermissionName,
    change: AuthChange,
  ): Promise<RegisteredModelPermission>;
  getRegisteredModelPermission(name: string, username: string): Promise<RegisteredModelPermission>;
  updateRegisteredModelPermission(
    name: string,
    username: string,
    permission: PermissionName,
    change: AuthChange,
  ): Promise<void>;
  deleteRegisteredModelPermission(name: string, username: string, change: AuthChange): Promise<void>;
  listRegisteredModelPermissions(username: string): Promise<RegisteredModelPermission[]>;
  registeredModelPermissionOf(userId: number, name: string): Promise<PermissionName | undefined>;
  /** Every user's permissions on a model follow it to its new name. */
  renameRegisteredModelPermissions(oldName: string, newName: string, change: AuthChange): Promise<void>;
  /** Removes every permission on a deleted model, so a new model of that name starts clean. */
  dropRegisteredModelPermissions(name: string, change: AuthChange): Promise<void>;

  /** Newest first. */
  history(limit?: number): Promise<AuthAuditEntry[]>;
  /**
   * A number that changes whenever this process changes a password, a token, a user or a
   * permission: caches of verified credentials and looked-up permissions compare against it.
   */
  readonly generation: number;
}
