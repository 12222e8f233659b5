import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, post, startTestServer, type TestServer } from '../../test/integration/server-harness.js';
import { CairnError } from '../core/errors.js';
import { parseJsonBody, quoteNonFiniteTokens } from './json-body.js';

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
    const malformed = (() => {
      try {
        parseJsonBody('{"a":');
      } catch (e) {
        return e;
      }
    })() as CairnError;
    expect(malformed.errorCode).toBe('MALFORMED_REQUEST');
    const array = (() => {
      try {
        parseJsonBody('[1]');
      } catch (e) {
        return e;
      }
    })() as CairnError;
    expect(array.errorCode).toBe('INVALID_PARAMETER_VALUE');
  });
});

describe('integers beyond 2^53', () => {
  it('reads them exactly (a bigint) outside strings, leaving strings, fractions and small numbers alone', () => {
    const body = parseJsonBody(
      '{"a":4611686018427387905,"b":"12345678901234567890","c":1.12345678901234567,' +
        '"d":[-9223372036854775808],"e":1234567890123456,"f":1e300}',
    );
    expect(body).toEqual({
      a: 4611686018427387905n,
      b: '12345678901234567890',
      // biome-ignore lint/correctness/noPrecisionLoss: the literal the parser reads, rounded the same way
      c: 1.12345678901234567,
      d: [-9223372036854775808n],
      e: 1234567890123456,
      f: 1e300,
    });
  });
});

describe('NUL characters', () => {
  const error = (text: string) => {
    try {
      parseJsonBody(text);
    } catch (e) {
      return e as CairnError;
    }
    return null;
  };

  it('refuses text holding U+0000 anywhere in the body, naming the field', () => {
    expect(error('{"name": "a\\u0000b"}')).toMatchObject({
      errorCode: 'INVALID_PARAMETER_VALUE',
      message: expect.stringMatching(/parameter 'name': text may not contain the NUL character/),
    });
    expect(error('{"metrics": [{"key": "ok", "value": 1}, {"key": "k\\u0000", "value": 2}]}')?.message).toContain(
      "'metrics[1].key'",
    );
    expect(error('{"tags": {"x\\u0000": "v"}}')?.message).toContain("'tags.x\u0000'");
    // double-encoded bodies are checked after the second decoding
    expect(error(JSON.stringify(JSON.stringify({ run_id: 'r\u0000' })))?.message).toContain("'run_id'");
  });

  it('accepts an escaped backslash followed by u0000 (no NUL) and bodies without any', () => {
    expect(parseJsonBody('{"name": "C:\\\\u0000dir"}')).toEqual({ name: 'C:\\u0000dir' });
    expect(parseJsonBody('{"name": "plain"}')).toEqual({ name: 'plain' });
  });
});

describe('prototype poisoning', () => {
  const error = (text: string) => {
    try {
      parseJsonBody(text);
    } catch (e) {
      return e as CairnError;
    }
    return null;
  };
  const poisoned = [
    ['{"__proto__": {"polluted": "yes"}}', '__proto__'],
    ['{"run_id": "r", "tags": [{"key": "k", "value": "v", "__proto__": {"isAdmin": true}}]}', 'tags[0].__proto__'],
    ['{"\\u005f_proto__": {"polluted": "yes"}}', '__proto__'], // an escaped letter spells the same key
    ['{"a": {"constructor": {"prototype": {"polluted": "yes"}}}}', 'a.constructor'],
    ['{"a": {"c\\u006fnstructor": {"prototype": {}}}}', 'a.constructor'],
    [JSON.stringify('{"__proto__": {"polluted": "yes"}}'), '__proto__'], // double-encoded
  ] as const;
  const harmless = [
    '{"constructor": "x", "key": "__proto__"}', // a constructor without a prototype, __proto__ as a value
    '{"tags": [{"key": "constructor", "value": "__proto__"}]}',
    '{"name": "caf\\u00e9", "k": "\\u005fx"}', // escapes, but of nothing refused
  ];

  it('refuses __proto__ keys and constructor.prototype anywhere, naming the field', () => {
    for (const [text, field] of poisoned) {
      expect(error(text), text).toMatchObject({
        errorCode: 'INVALID_PARAMETER_VALUE',
        message: expect.stringContaining(`parameter '${field}': a key may not be '__proto__'`),
      });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('accepts the same words as values, a constructor without a prototype, and other escapes', () => {
    expect(parseJsonBody(harmless[0])).toEqual({ constructor: 'x', key: '__proto__' });
    for (const text of harmless) expect(error(text), text).toBeNull();
  });

  it("refuses exactly what Fastify's default JSON parser refuses", async () => {
    const app = Fastify();
    app.post('/x', async () => ({}));
    for (const text of [...poisoned.map(([t]) => t).slice(0, 5), ...harmless]) {
      const headers = { 'content-type': 'application/json' };
      const res = await app.inject({ method: 'POST', url: '/x', headers, payload: text });
      expect(res.statusCode === 400, text).toBe(error(text) !== null);
    }
    await app.close();
  });
});

describe('a poisoned body over HTTP', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer();
  });
  afterAll(async () => {
    await srv?.close();
  });
  const api = (endpoint: string) => `${srv.url}/api/2.0/mlflow${endpoint}`;

  it('answers 400 INVALID_PARAMETER_VALUE and stores nothing', async () => {
    const name = 'poisoned-experiment';
    const poisoned = `{"name": "${name}", "__proto__": {"artifact_location": "/etc"}}`;
    const res = await post(api('/experiments/create'), poisoned);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringMatching(/parameter '__proto__'.*prototype poisoning/),
    });
    expect((await get(api('/experiments/get-by-name'), { experiment_name: name })).status).toBe(404);

    const created = await post(api('/experiments/create'), { name });
    expect(created.status).toBe(200);
    const runId = (await post(api('/runs/create'), { experiment_id: created.json.experiment_id })).json.run.info.run_id;
    const batch =
      `{"run_id": "${runId}", "metrics": [{"key": "m", "value": 1, "timestamp": 1, "step": 0}],` +
      ' "tags": [{"key": "t", "value": "v", "constructor": {"prototype": {"polluted": "yes"}}}]}';
    const refused = await post(api('/runs/log-batch'), batch);
    expect(refused).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(refused.json.message).toContain("'tags[0].constructor'");
    const data = (await get(api('/runs/get'), { run_id: runId })).json.run.data;
    expect(data.metrics).toBeUndefined();
    expect(data.tags.map((t: { key: string }) => t.key)).toEqual(['mlflow.runName']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
