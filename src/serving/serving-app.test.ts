// The scoring server in this process on loopback (real HTTP, a real model package, a real SQLite
// prediction log): /predict, /invocations (MLflow's request shapes), validation with a seeded fuzz
// test (never a 500), health/version/metadata/metrics, feedback and the log's contents.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lacks } from '../../test/support/requirements.js';
import { HEART_RECORD, saveHeartModel, type HeartModel } from '../../test/support/serving-model.js';
import { frameToRecords } from '../learn/data/records.js';
import { loadModelFromDir } from '../models/package/load-model.js';
import type { LoadedModel } from '../models/package/load-model.js';
import { PredictionLogStore } from './prediction-log/prediction-log-store.js';
import { startServing, type RunningServing } from './start-serving.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-serving-'));
let model: HeartModel;
let loaded: LoadedModel;
let server: RunningServing;
let strict: RunningServing;
const logUri = `sqlite:///${path.join(tmp, 'predictions.db')}`;

async function post(url: string, body: unknown, type = 'application/json'): Promise<{ status: number; json: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': type },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

const skip = lacks('shared-data');

beforeAll(async () => {
  if (skip) return;
  model = await saveHeartModel(path.join(tmp, 'heart-model'));
  loaded = await loadModelFromDir(model.dir);
  server = await startServing({
    modelUri: model.dir,
    trackingUri: `sqlite:///${path.join(tmp, 'tracking.db')}`,
    host: '127.0.0.1',
    port: 0,
    predictionLogUri: logUri,
    flushIntervalMs: 50,
    maxBatch: 50,
    bodyLimit: 64 * 1024,
    logLevel: 'silent',
  });
  strict = await startServing({
    modelUri: model.dir,
    trackingUri: `sqlite:///${path.join(tmp, 'tracking.db')}`,
    host: '127.0.0.1',
    port: 0,
    predictionLogUri: null,
    validator: { rejectOutOfRange: true },
    riskThresholds: { medium: 0.2, high: 0.9 },
    logLevel: 'silent',
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await strict?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(skip)('POST /predict', () => {
  it('scores one record: the pipeline’s probability bit for bit, class, confidence, risk, model, request id', async () => {
    const { status, json } = await post(`${server.url}/predict`, HEART_RECORD);
    expect(status).toBe(200);
    const p = loaded.predictProba([HEART_RECORD]).data;
    expect(json.probability).toBe(p[1]);
    expect(json.prediction).toBe(p[1] > p[0] ? 1 : 0);
    expect(json.confidence).toBe(Math.max(p[0], p[1]));
    expect(json.risk_level).toBe(p[1] >= 0.7 ? 'high' : p[1] >= 0.3 ? 'medium' : 'low');
    expect(json.model_name).toBe('heart-model');
    expect(json.model_version).toBe(loaded.modelUuid);
    expect(json.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(json.out_of_range).toBeUndefined();
  });

  it('scores an array of training records exactly as the batch pipeline does', async () => {
    const records = frameToRecords(model.heart.X).slice(0, 40);
    const { status, json } = await post(`${server.url}/predict`, records);
    expect(status).toBe(200);
    expect(json).toHaveLength(40);
    const p = loaded.predictProba(records).data;
    json.forEach((r: any, i: number) => expect(r.probability).toBe(p[i * 2 + 1]));
    expect(new Set(json.map((r: any) => r.request_id)).size).toBe(40);
  });

  it('uses the configured risk thresholds', async () => {
    const { json } = await post(`${strict.url}/predict`, HEART_RECORD);
    expect(json.risk_level).toBe(json.probability >= 0.9 ? 'high' : json.probability >= 0.2 ? 'medium' : 'low');
  });

  it.each([
    [
      'a missing required field',
      { ...HEART_RECORD, age: undefined },
      /Field 'age': is required by the model signature and is missing/,
    ],
    ['a wrong type', { ...HEART_RECORD, age: 'sixty' }, /Field 'age': expected a number, got "sixty"/],
    [
      'an object for a category',
      { ...HEART_RECORD, sex: { a: 1 } },
      /Field 'sex': expected a string \(a category\), got object/,
    ],
    [
      'NaN where not allowed',
      { ...HEART_RECORD, age: 'NaN' },
      /Field 'age': is required by the model signature; NaN is not allowed/,
    ],
    ['an infinite number', { ...HEART_RECORD, chol: 'inf' }, /Field 'chol': must be a finite number/],
    [
      'an unknown category',
      { ...HEART_RECORD, cp: 'martian angina' },
      /Field 'cp': unknown category "martian angina" \(known: /,
    ],
    ['a record that is not an object', 42, /must be a JSON object of field values|Invalid request body/],
    [
      'a batch with one bad record',
      [HEART_RECORD, { ...HEART_RECORD, sex: 'x' }],
      /Field 'sex' \(record 1\): unknown category/,
    ],
  ])('refuses %s with 400 naming the field and the rule', async (_what, body, message) => {
    const { status, json } = await post(`${server.url}/predict`, body);
    expect(status).toBe(400);
    expect(json.error_code).toMatch(/INVALID_PARAMETER_VALUE|BAD_REQUEST/);
    expect(json.message).toMatch(message);
  });

  it('flags a value far outside the training range (response and metrics); --reject-out-of-range refuses it', async () => {
    const record = { ...HEART_RECORD, chol: 5000 };
    const flagged = await post(`${server.url}/predict`, record);
    expect(flagged.status).toBe(200);
    expect(flagged.json.out_of_range).toEqual([expect.objectContaining({ field: 'chol', value: 5000 })]);
    const refused = await post(`${strict.url}/predict`, record);
    expect(refused.status).toBe(400);
    expect(refused.json.message).toMatch(
      /Field 'chol': 5000 is far outside the training range \(accepted .* to .*; --reject-out-of-range/,
    );
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/cairn_serving_input_out_of_range_total\{feature="chol"\} [1-9]/);
  });

  it('refuses an oversized batch and an oversized body with 413, a bad JSON body with 400, a CSV body with 415', async () => {
    const batch = await post(`${server.url}/predict`, new Array(51).fill(HEART_RECORD));
    expect(batch.status).toBe(413);
    expect(batch.json.message).toMatch(/51 records; the limit is 50 \(--max-batch\)/);
    const big = await post(`${server.url}/predict`, { ...HEART_RECORD, pad: 'x'.repeat(70 * 1024) });
    expect(big.status).toBe(413);
    expect(big.json.message).toMatch(/larger than the limit of 65536 bytes/);
    const bad = await post(`${server.url}/predict`, '{"age": 63,');
    expect(bad.status).toBe(400);
    expect(bad.json.error_code).toBe('BAD_REQUEST');
    const csv = await post(`${server.url}/predict`, 'age\n63\n', 'text/csv');
    expect(csv.status).toBe(415);
    const xml = await post(`${server.url}/predict`, '<a/>', 'application/xml');
    expect(xml.status).toBe(415);
  });

  it('never answers 500 to bad input (seeded fuzz over 400 bodies)', async () => {
    let seed = 20261207;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const values: unknown[] = [
      null,
      true,
      false,
      0,
      -1,
      1e308,
      -1e308,
      'NaN',
      'inf',
      '',
      ' ',
      'Male',
      'x'.repeat(300),
      [],
      [1],
      {},
      { a: 1 },
      3.5,
      '63',
      '1e400',
    ];
    const keys = Object.keys(HEART_RECORD);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 400; i++) {
      const kind = rand();
      let body: string;
      if (kind < 0.15) {
        const text = JSON.stringify(HEART_RECORD);
        const cut = Math.floor(rand() * text.length);
        body = text.slice(0, cut) + String.fromCharCode(32 + Math.floor(rand() * 90)) + text.slice(cut + 1);
      } else if (kind < 0.25) {
        body = JSON.stringify(values[Math.floor(rand() * values.length)]);
      } else {
        const rec: Record<string, unknown> = { ...HEART_RECORD };
        const n = 1 + Math.floor(rand() * 3);
        for (let k = 0; k < n; k++) {
          const key = rand() < 0.9 ? keys[Math.floor(rand() * keys.length)] : `extra${k}`;
          if (rand() < 0.2) delete rec[key];
          else rec[key] = values[Math.floor(rand() * values.length)];
        }
        body = JSON.stringify(kind < 0.6 ? rec : [rec, HEART_RECORD]);
      }
      const path_ = rand() < 0.7 ? '/predict' : '/invocations';
      const wrapped = path_ === '/invocations' && rand() < 0.7 ? `{"dataframe_records": [${body}]}` : body;
      const { status, json } = await post(`${server.url}${path_}`, wrapped);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      expect(status, `${path_} ${wrapped} → ${JSON.stringify(json)}`).toBeLessThan(500);
      if (status !== 200) expect(json.error_code, wrapped).toMatch(/^[A-Z_]+$/);
    }
    // the fuzzer reached both outcomes
    expect(statuses.get(200)).toBeGreaterThan(10);
    expect(statuses.get(400)).toBeGreaterThan(10);
  }, 120_000);
});

describe.skipIf(skip)('POST /invocations (MLflow scoring protocol)', () => {
  const records = () => frameToRecords(model.heart.X).slice(0, 5);
  const expected = () => Array.from(loaded.predict(records()));

  it('accepts dataframe_split, dataframe_records, instances and inputs (records and columns), with params', async () => {
    const recs = records();
    const columns = Object.keys(recs[0]);
    const bodies = [
      { dataframe_split: { columns, data: recs.map((r) => columns.map((c) => r[c])) } },
      { dataframe_split: { index: [0, 1, 2, 3, 4], columns, data: recs.map((r) => columns.map((c) => r[c])) } },
      { dataframe_records: recs },
      { instances: recs },
      { inputs: recs },
      { inputs: Object.fromEntries(columns.map((c) => [c, recs.map((r) => r[c])])) },
      { instances: Object.fromEntries(columns.map((c) => [c, recs.map((r) => r[c])])) },
      { dataframe_records: recs, params: { ignored: 1 } },
    ];
    for (const body of bodies) {
      const { status, json } = await post(`${server.url}/invocations`, body);
      expect(status, JSON.stringify(json)).toBe(200);
      expect(json).toEqual({ predictions: expected() });
    }
  });

  it('accepts text/csv as pandas writes it (index column, empty cells)', async () => {
    const recs = records();
    const columns = Object.keys(recs[0]);
    const csv = [
      `,${columns.join(',')}`,
      ...recs.map((r, i) => `${i},${columns.map((c) => (r[c] === null ? '' : r[c])).join(',')}`),
    ].join('\n');
    const { status, json } = await post(`${server.url}/invocations`, csv, 'text/csv');
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json).toEqual({ predictions: expected() });
  });

  it.each([
    [{ dataframe_records: [HEART_RECORD], instances: [HEART_RECORD] }, 400, /exactly one of the input fields/],
    [
      { data: [HEART_RECORD] },
      400,
      /exactly one of the input fields.*Received dictionary with input fields: \['data'\]/,
    ],
    [[HEART_RECORD], 400, /Received a list/],
    [{ inputs: [[63, 'Male']] }, 400, /column-based signature/],
    [{ dataframe_split: { columns: ['age'], data: [[63, 1]] } }, 400, /has 2 values for 1 columns/],
    [{ dataframe_records: [{ ...HEART_RECORD, cp: 'nope' }] }, 400, /Field 'cp' ?.*unknown category/],
  ])('refuses %j with %i and MLflow’s error body', async (body, status, message) => {
    const res = await post(`${server.url}/invocations`, body);
    expect(res.status).toBe(status);
    expect(res.json.error_code).toMatch(/BAD_REQUEST|INVALID_PARAMETER_VALUE/);
    expect(res.json.message).toMatch(message);
  });

  it('answers 415 to other content types and content-type parameters', async () => {
    for (const type of ['application/xml', 'text/plain', 'application/json; format=pandas-split']) {
      const res = await post(`${server.url}/invocations`, JSON.stringify({ dataframe_records: [HEART_RECORD] }), type);
      expect(res.status, type).toBe(415);
      expect(res.json.error_code).toBe('BAD_REQUEST');
    }
  });
});

describe.skipIf(skip)('health, version, metadata, metrics', () => {
  it('GET /health, /ping, /version and /metadata describe the served model', async () => {
    const health = await (await fetch(`${server.url}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', model_name: 'heart-model' });
    const ping = await fetch(`${server.url}/ping`);
    expect(ping.status).toBe(200);
    const version = await (await fetch(`${server.url}/version`)).json();
    expect(version).toMatchObject({ model_version: loaded.modelUuid, model_uri: model.dir });
    const meta = await (await fetch(`${server.url}/metadata`)).json();
    expect(meta.signature.inputs.map((c: any) => c.name)).toEqual(loaded.signature.inputs.map((c) => c.name));
    expect(meta.reference_profile.n_rows).toBe(920);
    expect(meta.reference_profile.features.find((f: any) => f.name === 'age')).toMatchObject({ min: 28, max: 77 });
    expect(meta.classes).toEqual([0, 1]);
    expect(Date.parse(meta.loaded_at)).toBeGreaterThan(0);
    const missing = await fetch(`${server.url}/nope`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error_code).toBe('ENDPOINT_NOT_FOUND');
  });

  it('GET /metrics: requests by route and status, latency, predictions by class, probability, model info, inputs, process', async () => {
    await post(`${server.url}/predict`, HEART_RECORD);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/cairn_serving_requests_total\{route="\/predict",method="POST",status="200"\} [1-9]/);
    expect(text).toMatch(/cairn_serving_requests_total\{route="\/predict",method="POST",status="400"\} [1-9]/);
    expect(text).toMatch(/cairn_serving_request_duration_seconds_bucket\{le="0.005",route="\/predict"\}/);
    expect(text).toMatch(/cairn_serving_predictions_total\{model_version="[0-9a-f]+",class="[01]"\} [1-9]/);
    expect(text).toMatch(/cairn_serving_prediction_probability_count\{model_version="[0-9a-f]+"\} [1-9]/);
    expect(text).toMatch(
      /cairn_serving_model_info\{model_name="heart-model",model_version="[0-9a-f]+",model_uri=".*"\} 1/,
    );
    expect(text).toMatch(/cairn_serving_input_value_sum\{feature="age"\} [1-9]/);
    expect(text).toMatch(/cairn_serving_input_missing_total\{feature="/);
    expect(text).toMatch(/cairn_serving_input_category_total\{feature="sex",category="Male"\} [1-9]/);
    expect(text).toMatch(/cairn_serving_process_cpu_seconds_total/);
  });
});

describe.skipIf(skip)('GET /docs', () => {
  it('serves an OpenAPI 3.1 document whose /predict body comes from the signature, and the interactive page', async () => {
    const doc = await (await fetch(`${server.url}/docs/json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Cairn scoring API: heart-model');
    for (const route of [
      '/predict',
      '/invocations',
      '/feedback',
      '/health',
      '/ping',
      '/version',
      '/metadata',
      '/metrics',
    ])
      expect(doc.paths[route], route).toBeDefined();
    const body = doc.paths['/predict'].post.requestBody.content['application/json'].schema;
    const record = body.oneOf[0];
    expect(Object.keys(record.properties)).toEqual(loaded.signature.inputs.map((c) => c.name));
    expect(record.required).toEqual(loaded.signature.inputs.filter((c) => c.required).map((c) => c.name));
    expect(body.oneOf[1]).toMatchObject({ type: 'array' });
    expect(doc.paths['/predict'].post.requestBody.content['application/json'].example).toHaveProperty('age');
    const ok = doc.paths['/predict'].post.responses['200'].content['application/json'].schema;
    expect(JSON.stringify(ok)).toContain('risk_level');
    const page = await fetch(`${server.url}/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/swagger-ui/i);
  });
});

describe.skipIf(skip)('prediction log and feedback', () => {
  it('records every prediction with its inputs and outputs; feedback stores the label beside it', async () => {
    const one = await post(`${server.url}/predict`, { ...HEART_RECORD, age: 41 });
    const id = one.json.request_id;
    // the entry may still be buffered: feedback finds it either way
    const fb = await post(`${server.url}/feedback`, { request_id: id, label: 1 });
    expect(fb.status).toBe(200);
    const unknown = await post(`${server.url}/feedback`, { request_id: 'no-such-id', label: 0 });
    expect(unknown.status).toBe(404);
    const badLabel = await post(`${server.url}/feedback`, { request_id: id, label: 'yes' });
    expect(badLabel.status).toBe(400);
    expect(badLabel.json.message).toMatch(/Field 'label'/);
    await server.logWriter!.flush();
    const store = await PredictionLogStore.open(logUri);
    try {
      const rows = [];
      for await (const r of store.read()) rows.push(r);
      const row = rows.find((r) => r.requestId === id)!;
      expect(row).toMatchObject({
        modelName: 'heart-model',
        endpoint: 'predict',
        probability: one.json.probability,
        prediction: one.json.prediction,
        riskLevel: one.json.risk_level,
        label: 1,
      });
      expect(row.inputs).toEqual({ ...HEART_RECORD, age: 41 });
      expect(row.latencyMs).toBeGreaterThan(0);
      // every 200 from /predict and /invocations so far is in the log (flags included)
      const flagged = rows.filter((r) => r.outOfRange && r.outOfRange.length > 0);
      expect(flagged.length).toBeGreaterThan(0);
      expect(rows.filter((r) => r.endpoint === 'invocations').length).toBeGreaterThanOrEqual(45);
      expect(rows.length).toBe(server.logWriter!.written);
    } finally {
      await store.close();
    }
  });
});
