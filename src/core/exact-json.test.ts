import { describe, expect, it } from 'vitest';
import { mayHoldLongInteger, parseExactJson, stringifyExactJson } from './exact-json.js';

describe('parseExactJson', () => {
  it('reads integers beyond 2^53 exactly, as bigints, wherever a number may stand', () => {
    const text =
      '{"a":1152921504606846976,"b":[ -9223372036854775808 ,9223372036854775807],\n"c":\t1152921504606846977}';
    expect(parseExactJson(text)).toEqual({
      a: 2n ** 60n,
      b: [-(2n ** 63n), 2n ** 63n - 1n],
      c: 2n ** 60n + 1n,
    });
    expect(parseExactJson('1152921504606846977')).toBe(2n ** 60n + 1n);
  });

  it('gives a bigint only beyond ±(2^53 - 1) and leaves other numbers to JSON.parse', () => {
    expect(parseExactJson('[9007199254740991,-9007199254740991,9007199254740992,1234567890123456]')).toEqual([
      9007199254740991,
      -9007199254740991,
      9007199254740992n,
      1234567890123456,
    ]);
    expect(parseExactJson('[0.53274187259376052,1.5e300,-12345678901234567.5]')).toEqual([
      // biome-ignore lint/correctness/noPrecisionLoss: the literal the parser reads, rounded the same way
      0.53274187259376052, 1.5e300, -12345678901234567.5,
    ]);
  });

  it('leaves digits inside strings alone, escaped quotes included', () => {
    const text = '{"s":"x\\":1152921504606846977,","t":"1152921504606846977","n":1152921504606846977}';
    expect(parseExactJson(text)).toEqual({ s: 'x":1152921504606846977,', t: '1152921504606846977', n: 2n ** 60n + 1n });
  });

  it('throws what JSON.parse throws on malformed text, on either path', () => {
    expect(() => parseExactJson('{"a":1152921504606846977')).toThrow(SyntaxError);
    expect(() => parseExactJson('{"a":1')).toThrow(SyntaxError);
  });
});

describe('mayHoldLongInteger', () => {
  it('is false for long fractions, exponents and short integers, so metric batches skip the slow path', () => {
    expect(mayHoldLongInteger('{"value":0.53274187259376052,"timestamp":1765125600000,"step":9}')).toBe(false);
    expect(mayHoldLongInteger('[1e1234567890123456, 123456789012345]')).toBe(false);
  });

  it('is true for any integer token of 16 or more digits', () => {
    for (const text of [
      '1234567890123456',
      '[1234567890123456]',
      '{"a": -1234567890123456}',
      '{"a":1234567890123456 }',
    ]) {
      expect(mayHoldLongInteger(text), text).toBe(true);
    }
  });
});

describe('stringifyExactJson', () => {
  it('writes bigints as exact JSON numbers, which parseExactJson reads back', () => {
    const value = {
      run_id: 'r',
      start_time: 2n ** 60n + 1n,
      steps: [-(2n ** 63n), 1, 'text'],
      s: '1152921504606846977',
    };
    const text = stringifyExactJson(value);
    expect(text).toBe(
      '{"run_id":"r","start_time":1152921504606846977,"steps":[-9223372036854775808,1,"text"],"s":"1152921504606846977"}',
    );
    expect(parseExactJson(text)).toEqual(value);
  });

  it('is JSON.stringify for values without a bigint, and still refuses a cycle', () => {
    expect(stringifyExactJson({ a: [1, 'b', null], c: 0.5 })).toBe(JSON.stringify({ a: [1, 'b', null], c: 0.5 }));
    const cycle: Record<string, unknown> = { n: 1n };
    cycle.self = cycle;
    expect(() => stringifyExactJson(cycle)).toThrow(TypeError);
  });
});
