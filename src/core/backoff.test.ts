// backoffDelay: doubling per retry, the cap, and the jitter range (default and given).
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 5000 };

  it('doubles per retry from the initial delay and stops at the cap', () => {
    const top = () => 1; // the top of the default jitter range: the un-jittered delay
    const delays = [0, 1, 2, 3, 5, 6, 40].map((r) => backoffDelay(policy, r, top));
    expect(delays).toEqual([100, 200, 400, 800, 3200, 5000, 5000]);
    expect(backoffDelay(policy, -3, top)).toBe(100);
  });

  it('jitters within [0.5, 1) of the delay by default, never above the cap', () => {
    expect(backoffDelay(policy, 2, () => 0)).toBe(200);
    expect(backoffDelay(policy, 2, () => 0.5)).toBe(300);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(policy, 10, () => i / 100);
      expect(d).toBeGreaterThanOrEqual(2500);
      expect(d).toBeLessThan(5000);
    }
  });

  it('uses a given jitter range', () => {
    const spread = { ...policy, jitter: [0.75, 1.25] as const };
    expect(backoffDelay(spread, 3, () => 0)).toBe(600);
    expect(backoffDelay(spread, 3, () => 0.5)).toBe(800);
    expect(backoffDelay(spread, 3, () => 0.999999)).toBe(1000);
  });
});
