// MLflow 2.17 limits and key rules: path tricks, characters, lengths, batch sizes, max_results.
import { describe, expect, it } from 'vitest';
import { InvalidParameter } from '../core/errors.js';
import {
  MAX_PARAM_VAL_LENGTH,
  MAX_TAG_VAL_LENGTH,
  pathNotUnique,
  posixNormpath,
  resolveMaxResults,
  validateBatchLimits,
  pythonFloatRepr,
  validateExperimentTag,
  validateMetric,
  validateParam,
  validateRunId,
  validateTag,
} from './validation.js';

describe('key rules', () => {
  it('normalises paths like Python posixpath.normpath', () => {
    expect(posixNormpath('a/./b/../c')).toBe('a/c');
    expect(posixNormpath('../a')).toBe('../a');
    expect(posixNormpath('/../a')).toBe('/a');
    expect(posixNormpath('a/')).toBe('a');
    expect(posixNormpath('//a')).toBe('//a');
    expect(posixNormpath('')).toBe('.');
  });
  it.each(['a/../b', './a', '/abs', '..', '.', 'a//b', 'a/'])('rejects path-like key %j', (key) => {
    expect(pathNotUnique(key)).toBe(true);
    expect(() => validateParam({ key, value: 'v' })).toThrow(/Invalid param name/);
  });
  it('decides slash-free keys (its shortcut) as the normpath rule does', () => {
    for (const key of ['', '.', '..', '...', '..a', '.a', 'a..', 'a.', 'lr', ' ', '. .', 'a b']) {
      const norm = posixNormpath(key);
      expect(pathNotUnique(key)).toBe(norm !== key || norm === '.' || norm.startsWith('..') || norm.startsWith('/'));
    }
  });
  it.each(['lr', 'a.b-c_d', 'loss/train', 'my metric', 'ünïcode', '0.5x'])('accepts key %j', (key) => {
    expect(() => validateMetric({ key, value: 1, timestamp: 1, step: 0 })).not.toThrow();
  });
  it.each(['a!b', 'a:b', 'tab\tkey', 'a$'])('rejects bad characters in %j', (key) => {
    expect(() => validateTag({ key, value: 'v' })).toThrow(/Names may only contain alphanumerics/);
  });
  it('limits key and value lengths', () => {
    expect(() => validateParam({ key: 'k'.repeat(251), value: 'v' })).toThrow(/exceeded length limit of 250/);
    expect(() => validateParam({ key: 'k', value: 'v'.repeat(MAX_PARAM_VAL_LENGTH) })).not.toThrow();
    expect(() => validateParam({ key: 'k', value: 'v'.repeat(MAX_PARAM_VAL_LENGTH + 1) })).toThrow(
      /Param value .* exceeded length limit of 6000/,
    );
    expect(() => validateTag({ key: 'k', value: 'v'.repeat(MAX_TAG_VAL_LENGTH + 1) })).toThrow(/limit of 8000/);
    expect(() => validateExperimentTag({ key: 'k', value: 'v'.repeat(5001) })).toThrow(/limit of 5000/);
  });
});

describe('metric values', () => {
  it('allows NaN and infinities but requires integer timestamps and steps', () => {
    for (const value of [NaN, Infinity, -Infinity, 0, -1.5])
      expect(() => validateMetric({ key: 'm', value, timestamp: 1, step: 0 })).not.toThrow();
    expect(() => validateMetric({ key: 'm', value: '1' as unknown as number, timestamp: 1, step: 0 })).toThrow(
      /valid double/,
    );
    expect(() => validateMetric({ key: 'm', value: 1, timestamp: 1.5, step: 0 })).toThrow("parameter 'timestamp'");
    expect(() => validateMetric({ key: 'm', value: 1, timestamp: 1, step: 0.5 })).toThrow("parameter 'step'");
  });

  it("words failures as MLflow's _validate_metric, naming the metric's place in a batch", () => {
    expect(() => validateMetric({ key: 'm', value: 1, timestamp: -5, step: 0 })).toThrow(
      "Invalid value -5 for parameter 'timestamp' supplied: metric 'm' (value=1.0). Timestamp must be a nonnegative long (64-bit integer) ",
    );
    expect(() => validateMetric({ key: 'm', value: 2.5, timestamp: -1, step: 0 }, 3)).toThrow(
      "Invalid value -1 for parameter 'metrics[3].timestamp' supplied: metric 'm' (value=2.5).",
    );
    expect(() => validateMetric({ key: 'm', value: null as unknown as number, timestamp: 1, step: 0 })).toThrow(
      "Missing value for required parameter 'value'.",
    );
  });

  it('takes int64 steps and timestamps as bigints over the whole range, not rounded numbers', () => {
    for (const step of [2n ** 62n, 2n ** 63n - 1n, -(2n ** 63n)]) {
      expect(() => validateMetric({ key: 'm', value: 1, timestamp: 2n ** 60n, step })).not.toThrow();
    }
    expect(() => validateMetric({ key: 'm', value: 1, timestamp: 1, step: 2n ** 63n })).toThrow("parameter 'step'");
    expect(() => validateMetric({ key: 'm', value: 1, timestamp: -1n, step: 0 })).toThrow("parameter 'timestamp'");
    // 2^60 as a number may already be rounded: the exact form is a bigint
    expect(() => validateMetric({ key: 'm', value: 1, timestamp: 1, step: 2 ** 60 })).toThrow("parameter 'step'");
  });

  it("prints values as Python's float repr", () => {
    expect([1, 1.5, NaN, -Infinity, 1e16, 1.5e-5, 0].map(pythonFloatRepr)).toEqual([
      '1.0',
      '1.5',
      'nan',
      '-inf',
      '1e+16',
      '1.5e-05',
      '0.0',
    ]);
  });
});

describe('limits', () => {
  it('checks log-batch sizes', () => {
    expect(() => validateBatchLimits(1000, 0, 0)).not.toThrow();
    expect(() => validateBatchLimits(1001, 0, 0)).toThrow(/at most 1000 metrics/);
    expect(() => validateBatchLimits(0, 101, 0)).toThrow(/at most 100 params/);
    expect(() => validateBatchLimits(0, 0, 101)).toThrow(/at most 100 tags/);
    expect(() => validateBatchLimits(900, 100, 1)).toThrow(/at most 1000 metrics, params, and tags/);
  });
  it('resolves max_results with a named error', () => {
    expect(resolveMaxResults(undefined, 1000, 50000)).toBe(1000);
    expect(resolveMaxResults(50000, 1000, 50000)).toBe(50000);
    for (const bad of [0, -1, 50001, 1.5]) {
      const fn = () => resolveMaxResults(bad, 1000, 50000);
      expect(fn).toThrow(InvalidParameter);
      expect(fn).toThrow(`Invalid value ${bad} for parameter 'max_results' supplied`);
    }
  });
  it('validates run ids', () => {
    expect(() => validateRunId('0123456789abcdef0123456789abcdef')).not.toThrow();
    expect(() => validateRunId('../etc')).toThrow("Invalid run ID: '../etc'");
  });
});
