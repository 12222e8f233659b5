// MLflow 2.17 limits and key rules: path tricks, characters, lengths, batch sizes, max_results.
import { describe, expect, it } from 'vitest';
import { InvalidParameter } from '../core/errors.js';
import {
  MAX_PARAM_VAL_LENGTH, MAX_TAG_VAL_LENGTH, pathNotUnique, posixNormpath, resolveMaxResults, validateBatchLimits,
  validateExperimentTag, validateMetric, validateParam, validateRunId, validateTag,
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
    expect(() => validateParam({ key: 'k', value: 'v'.repeat(MAX_PARAM_VAL_LENGTH + 1) })).toThrow(/Param value .* exceeded length limit of 6000/);
    expect(() => validateTag({ key: 'k', value: 'v'.repeat(MAX_TAG_VAL_LENGTH + 1) })).toThrow(/limit of 8000/);
    expect(() => validateExperimentTag({ key: 'k', value: 'v'.repeat(5001) })).toThrow(/limit of 5000/);
  });
});

describe('metric values', () => {
  it('allows NaN and infinities but requires integer timestamps and steps', () => {
    for (const value of [NaN, Infinity, -Infinity, 0, -1.5]) expect(() => validateMetric({ key: 'm', value, timestamp: 1, step: 0 })).not.toThrow();
    expect(() => validateMetric({ key: 'm', value: '1' as unknown as number, timestamp: 1, step: 0 })).toThrow(/valid double/);
    expect(() => validateMetric({ key: 'm', value: 1, timestamp: 1.5, step: 0 })).toThrow(/invalid timestamp/);
    expect(() => validateMetric({ key: 'm', value: 1, timestamp: 1, step: 0.5 })).toThrow(/invalid step/);
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
