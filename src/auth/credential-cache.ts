// Verified credentials kept briefly so a request does not pay for scrypt: keyed by SHA-256 of the
// whole Authorization header (a fast hash: the key only has to be unguessable from memory dumps
// and fixed-size, the credential was already checked by the KDF before it was cached). An entry is
// trusted only while the store's generation is the one it was verified under, so a password
// change, a revoked token or a deleted user in this process drops every entry at once; another
// replica's change is seen within the TTL.
import { createHash } from 'node:crypto';
import type { AuthUser } from './auth-store.js';

export const DEFAULT_CREDENTIAL_TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  user: AuthUser;
  generation: number;
  expires: number;
}

export class CredentialCache {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly generation: () => number,
    private readonly ttlMs = DEFAULT_CREDENTIAL_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  static keyOf(credential: string): string {
    return createHash('sha256').update(credential).digest('base64');
  }

  get(key: string): AuthUser | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.generation !== this.generation() || entry.expires <= this.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.user;
  }

  /** `generation` is the store's, read before the credential was verified (a change meanwhile voids the entry). */
  set(key: string, user: AuthUser, generation: number): void {
    if (this.#entries.size >= MAX_ENTRIES) {
      // Map iterates in insertion order: drop the oldest
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { user, generation, expires: this.now() + this.ttlMs });
  }

  get size(): number {
    return this.#entries.size;
  }
}
