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
