import { describe, expect, it } from 'vitest';
import { CairnError } from '../core/errors.js';
import { parseJsonBody, quoteNonFiniteTokens } from './json-body.js';
import { doubleToJson, parseDouble } from './mlflow-json.js';

describe('parseJsonBody', () => {
  it('parses objects, treats an empty body as {} and decodes double-encoded JSON', () => {
    expect(parseJsonBody('{"a": 1}')).toEqual({ a: 1 });
    expect(parseJsonBody('  ')).toEqual({});
    expect(parseJsonBody(JSON.stringify('{"name":"x"}'))).toEqual({ name: 'x' });
  });

  it("accepts Python's bare NaN / Infinity tokens but leaves strings alone", () => {
    const body = parseJsonBody('{"value": NaN, "b": [Infinity, -Infinity], "s": "NaN Infinity \\" NaN"}');
    expect(body).toEqual({ value: 'NaN', b: ['Infinity', '-Infinity'], s: 'NaN Infinity " NaN' });
    expect(quoteNonFiniteTokens('{"k": "-Infinity"}')).toBe('{"k": "-Infinity"}');
  });

  it('rejects malformed JSON as MALFORMED_REQUEST and non-objects as INVALID_PARAMETER_VALUE', () => {
    const malformed = (() => { try { parseJsonBody('{"a":'); } catch (e) { return e; } })() as CairnError;
    expect(malformed.errorCode).toBe('MALFORMED_REQUEST');
    const array = (() => { try { parseJsonBody('[1]'); } catch (e) { return e; } })() as CairnError;
    expect(array.errorCode).toBe('INVALID_PARAMETER_VALUE');
  });
});

describe('integers beyond 2^53', () => {
  it('reads them exactly (a bigint) outside strings, leaving strings, fractions and small numbers alone', () => {
    const body = parseJsonBody('{"a":4611686018427387905,"b":"12345678901234567890","c":1.12345678901234567,'
      + '"d":[-9223372036854775808],"e":1234567890123456,"f":1e300}');
    expect(body).toEqual({
      a: 4611686018427387905n, b: '12345678901234567890', c: 1.12345678901234567, d: [-9223372036854775808n],
      e: 1234567890123456, f: 1e300,
    });
  });
});

describe('NUL characters', () => {
  const error = (text: string) => { try { parseJsonBody(text); } catch (e) { return e as CairnError; } return null; };

  it('refuses text holding U+0000 anywhere in the body, naming the field', () => {
    expect(error('{"name": "a\\u0000b"}')).toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE', message: expect.stringMatching(/parameter 'name': text may not contain the NUL character/) });
    expect(error('{"metrics": [{"key": "ok", "value": 1}, {"key": "k\\u0000", "value": 2}]}')?.message).toContain("'metrics[1].key'");
    expect(error('{"tags": {"x\\u0000": "v"}}')?.message).toContain("'tags.x\u0000'");
    // double-encoded bodies are checked after the second decoding
    expect(error(JSON.stringify(JSON.stringify({ run_id: 'r\u0000' })))?.message).toContain("'run_id'");
  });

  it('accepts an escaped backslash followed by u0000 (no NUL) and bodies without any', () => {
    expect(parseJsonBody('{"name": "C:\\\\u0000dir"}')).toEqual({ name: 'C:\\u0000dir' });
    expect(parseJsonBody('{"name": "plain"}')).toEqual({ name: 'plain' });
  });
});

describe('double conversion', () => {
  it('round-trips non-finite values through protobuf JSON strings', () => {
    for (const v of [NaN, Infinity, -Infinity, 0.5, -3]) {
      const back = parseDouble(doubleToJson(v), 'value');
      expect(Object.is(back, v) || (Number.isNaN(v) && Number.isNaN(back))).toBe(true);
    }
    expect(parseDouble('1.25', 'value')).toBe(1.25);
    expect(() => parseDouble('abc', 'value')).toThrow(/value/);
    expect(() => parseDouble('', 'value')).toThrow();
  });
});
