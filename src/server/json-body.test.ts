import Fastify from 'fastify';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnError } from '../core/errors.js';
import { parseJsonBody, quoteNonFiniteTokens } from './json-body.js';
import { startServer, type RunningServer } from './start.js';

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

describe('prototype poisoning', () => {
  const error = (text: string) => { try { parseJsonBody(text); } catch (e) { return e as CairnError; } return null; };
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
  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-json-body-'));
    server = await startServer({
      backendStoreUri: `sqlite:///${dir}/cairn.db`, artifactsDestination: path.join(dir, 'artifacts'),
      serveArtifacts: true, host: '127.0.0.1', port: 0, logLevel: 'silent',
    });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const post = async (endpoint: string, body: string) => {
    const res = await fetch(`${server.url}/api/2.0/mlflow${endpoint}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body,
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  it('answers 400 INVALID_PARAMETER_VALUE and stores nothing', async () => {
    const name = 'poisoned-experiment';
    const res = await post('/experiments/create', `{"name": "${name}", "__proto__": {"artifact_location": "/etc"}}`);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringMatching(/parameter '__proto__'.*prototype poisoning/),
    });
    const lookup = await fetch(`${server.url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${name}`);
    expect(lookup.status).toBe(404);

    const created = await post('/experiments/create', JSON.stringify({ name }));
    expect(created.status).toBe(200);
    const run = await post('/runs/create', JSON.stringify({ experiment_id: created.json.experiment_id }));
    const runId = (run.json.run as { info: { run_id: string } }).info.run_id;
    const batch = `{"run_id": "${runId}", "metrics": [{"key": "m", "value": 1, "timestamp": 1, "step": 0}],`
      + ' "tags": [{"key": "t", "value": "v", "constructor": {"prototype": {"polluted": "yes"}}}]}';
    const refused = await post('/runs/log-batch', batch);
    expect(refused).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(refused.json.message).toContain("'tags[0].constructor'");
    const got = await fetch(`${server.url}/api/2.0/mlflow/runs/get?run_id=${runId}`);
    type RunData = { metrics?: unknown[]; tags: Array<{ key: string }> };
    const data = ((await got.json()) as { run: { data: RunData } }).run.data;
    expect(data.metrics).toBeUndefined();
    expect(data.tags.map((t) => t.key)).toEqual(['mlflow.runName']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
