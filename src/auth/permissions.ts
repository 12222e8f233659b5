// MLflow's four permissions (mlflow/server/auth/permissions.py): what each allows, and parsing a name.
import { InvalidParameter } from '../core/errors.js';

export const PERMISSION_NAMES = ['READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS'] as const;
export type PermissionName = (typeof PERMISSION_NAMES)[number];

/** What an endpoint asks of the caller on one resource. */
export type Capability = 'read' | 'update' | 'delete' | 'manage';

const GRANTS: Record<PermissionName, ReadonlySet<Capability>> = {
  READ: new Set(['read']),
  EDIT: new Set(['read', 'update']),
  MANAGE: new Set(['read', 'update', 'delete', 'manage']),
  NO_PERMISSIONS: new Set(),
};

export function allows(permission: PermissionName, capability: Capability): boolean {
  return GRANTS[permission].has(capability);
}

export function isPermissionName(value: unknown): value is PermissionName {
  return typeof value === 'string' && (PERMISSION_NAMES as readonly string[]).includes(value);
}

/** `field` names the request field or flag in the error, e.g. 'permission' or 'default_permission'. */
export function parsePermission(value: unknown, field = 'permission'): PermissionName {
  if (isPermissionName(value)) return value;
  throw new InvalidParameter(
    `Invalid ${field} '${String(value)}'. Valid permissions are: ${PERMISSION_NAMES.join(', ')}.`,
  );
}
