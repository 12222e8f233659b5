// Retry with jittered exponential backoff for transient database conflicts.

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export async function retryTransient<T>(
  fn: () => Promise<T>,
  isTransient: (error: unknown) => boolean,
  options: RetryOptions,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= options.maxAttempts || !isTransient(error)) throw error;
      const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(attempt, 10));
      await sleep(cap / 2 + Math.random() * (cap / 2));
    }
  }
}
