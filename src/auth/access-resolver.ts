// A user's effective permission on one experiment or registered model: the stored one, else the
// server's default permission (MLflow's rule); admins are decided before this is asked. Answers
// are kept for a few seconds, and dropped at once when this process changes any permission (the
// store's generation), so a request path pays for one indexed lookup per resource at most every
// TTL; a change made through another replica is seen within the TTL.
import type { AuthStore, AuthUser } from './auth-store.js';
import type { PermissionName } from './permissions.js';

export type ResourceType = 'experiment' | 'registered_model';
export const DEFAULT_PERMISSION_TTL_MS = 5_000;
const MAX_ENTRIES = 50_000;

interface Entry {
  permission: PermissionName;
  generation: number;
  expires: number;
}

export class AccessResolver {
  readonly #cache = new Map<string, Entry>();

  constructor(
    readonly store: AuthStore,
    readonly defaultPermission: PermissionName,
    private readonly ttlMs = DEFAULT_PERMISSION_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async permissionOn(user: AuthUser, type: ResourceType, id: string): Promise<PermissionName> {
    const key = `${user.id}|${type}|${id}`;
    const cached = this.#cache.get(key);
    const generation = this.store.generation;
    if (cached && cached.generation === generation && cached.expires > this.now()) return cached.permission;
    const stored =
      type === 'experiment'
        ? await this.store.experimentPermissionOf(user.id, id)
        : await this.store.registeredModelPermissionOf(user.id, id);
    const permission = stored ?? this.defaultPermission;
    if (this.#cache.size >= MAX_ENTRIES) this.#cache.clear();
    this.#cache.set(key, { permission, generation, expires: this.now() + this.ttlMs });
    return permission;
  }
}
