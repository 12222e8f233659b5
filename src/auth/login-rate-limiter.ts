// Failed logins, counted per username and per client address in a sliding window: past the limit,
// further attempts are refused (429) without checking the password, until the window moves on.
// A success does not reset the address's count (an attacker with one valid account could otherwise
// keep guessing others' passwords); it resets the username's.
export interface RateLimitOptions {
  /** Failures allowed per username within the window. */
  perUser: number;
  /** Failures allowed per client address within the window. */
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perUser: 10, perAddress: 50, windowMs: 5 * 60_000 };
const MAX_KEYS = 100_000;

export class LoginRateLimiter {
  readonly #failures = new Map<string, number[]>();

  constructor(
    readonly options: RateLimitOptions = DEFAULT_RATE_LIMIT,
    private readonly now: () => number = Date.now,
  ) {}

  #recent(key: string): number[] {
    const cutoff = this.now() - this.options.windowMs;
    const times = (this.#failures.get(key) ?? []).filter((t) => t > cutoff);
    if (times.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, times);
    return times;
  }

  /** Milliseconds until another attempt is allowed, or 0 when it is allowed now. */
  retryAfter(username: string | undefined, address: string): number {
    const checks: Array<[string, number]> = [[`a:${address}`, this.options.perAddress]];
    if (username !== undefined) checks.push([`u:${username}`, this.options.perUser]);
    let wait = 0;
    for (const [key, limit] of checks) {
      const times = this.#recent(key);
      if (times.length >= limit) {
        wait = Math.max(wait, times[times.length - limit] + this.options.windowMs - this.now());
      }
    }
    return Math.max(0, wait);
  }

  recordFailure(username: string | undefined, address: string): void {
    if (this.#failures.size > MAX_KEYS) this.#failures.clear();
    const keys = [`a:${address}`, ...(username !== undefined ? [`u:${username}`] : [])];
    for (const key of keys) this.#failures.set(key, [...this.#recent(key), this.now()]);
  }

  recordSuccess(username: string): void {
    this.#failures.delete(`u:${username}`);
  }
}
