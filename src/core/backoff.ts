// Exponential backoff with jitter, for every retry loop: the client's HTTP calls and batch logger,
// and the webhook delivery worker.

export interface BackoffPolicy {
  /** Delay before the first retry, before jitter. */
  initialDelayMs: number;
  /** Cap on the delay, before jitter. */
  maxDelayMs: number;
  /**
   * The capped delay is multiplied by a factor drawn uniformly from [low, high). The default,
   * [0.5, 1), never exceeds the cap and spreads clients that failed together so they do not retry in step.
   */
  jitter?: readonly [number, number];
}

const DEFAULT_JITTER: readonly [number, number] = [0.5, 1];
/** 2^30 times any sensible initial delay is past every cap; larger exponents only risk Infinity·0. */
const MAX_EXPONENT = 30;

/**
 * Delay before retry `retry` (0 for the first): initialDelayMs·2^retry, capped at maxDelayMs, times
 * the jitter factor, in whole milliseconds.
 */
export function backoffDelay(policy: BackoffPolicy, retry: number, random: () => number = Math.random): number {
  const [low, high] = policy.jitter ?? DEFAULT_JITTER;
  const exponent = Math.min(Math.max(retry, 0), MAX_EXPONENT);
  const capped = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
  return Math.round(capped * (low + random() * (high - low)));
}
