// The compiled `protoType` keyword inside the real server: the inline common case, the slow path that
// normalises (numeric strings, bigints) in place, and the error it reports (field path, value, reason).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTrackingStore } from '../tracking/open-store.js';
import type { TrackingStore } from '../tracking/store.js';
import { buildApp } from './app.js';

const API = '/api/2.0/mlflow';
const HINT = 'See the API docs for more information about request parameters.';
const INT64_REASON = 'it must be a 64-bit integer (between -2^63 and 2^63-1).';

let dir: string;
let store: TrackingStore;
let app: FastifyInstance;
let runId: string;

const post = async (endpoint: string, body: string) => {
  const res = await app.inject({
    method: 'POST',
    url: `${API}/${endpoint}`,
    payload: body.replaceAll('$RUN_ID', runId),
    headers: { 'content-type': 'application/json' },
  });
  return { status: res.statusCode, json: res.json() as Record<string, any> };
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-proto-type-'));
  store = await openTrackingStore(`sqlite:///${path.join(dir, 'cairn.db')}`, {
    defaultArtifactRoot: path.join(dir, 'artifacts'),
  });
  app = await buildApp({ store, serveArtifacts: false, logger: pino({ level: 'silent' }) });
  await app.ready();
  runId = (await store.createRun({ experimentId: '0' })).info.runId;
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('protoType in the compiled validator', () => {
  it('normalises int64 and double strings and bigints in place, as the handler reads them', async () => {
    const body =
      '{"run_id":"$RUN_ID","metrics":[{"key":"a","value":"1.5","timestamp":"7","step":"12"},' +
      '{"key":"b","value":2,"timestamp":8,"step":4611686018427387905}]}';
    expect((await post('runs/log-batch', body)).status).toBe(200);
    const metrics = (await store.getRun(runId)).data.metrics;
    expect(metrics).toEqual([
      { key: 'a', value: 1.5, timestamp: 7, step: 12 },
      { key: 'b', value: 2, timestamp: 8, step: 4611686018427387905n },
    ]);
  });

  it.each([
    [
      'a fraction for an int64',
      '"step":1.5',
      `Invalid value 1.5 for parameter 'metrics[1].step' supplied: ${INT64_REASON} ${HINT}`,
    ],
    [
      'an int64 past 2^63 - 1',
      '"step":9223372036854775808',
      `Invalid value 9223372036854775808 for parameter 'metrics[1].step' supplied: ${INT64_REASON} ${HINT}`,
    ],
    [
      'a text that is not a decimal integer',
      '"step":"0x10"',
      `Invalid value "0x10" for parameter 'metrics[1].step' supplied:  Hint: Value was of type 'str'. ${HINT}`,
    ],
    [
      'a double written as hexadecimal',
      '"value":"0x10"',
      `Invalid value "0x10" for parameter 'metrics[1].value' supplied:  Hint: Value was of type 'str'. ${HINT}`,
    ],
    [
      'a list for a string',
      '"key":["a"]',
      `Invalid value ["a"] for parameter 'metrics[1].key' supplied:  Hint: Value was of type 'list'. ${HINT}`,
    ],
  ])('refuses %s, naming the field and the rule', async (_name, field, message) => {
    const body = `{"run_id":"$RUN_ID","metrics":[{"key":"a","value":1,"timestamp":1},{"key":"b","value":1,"timestamp":1,${field}}]}`;
    expect(await post('runs/log-batch', body)).toEqual({
      status: 400,
      json: { error_code: 'INVALID_PARAMETER_VALUE', message },
    });
  });

  it('takes an int32 as a number or decimal text, and says why one past 2^31 - 1 is refused', async () => {
    expect((await post('runs/search', '{"experiment_ids":["0"],"max_results":"5"}')).status).toBe(200);
    expect(await post('runs/search', '{"experiment_ids":["0"],"max_results":2147483648}')).toEqual({
      status: 400,
      json: {
        error_code: 'INVALID_PARAMETER_VALUE',
        message: `Invalid value 2147483648 for parameter 'max_results' supplied: it must be a 32-bit integer. ${HINT}`,
      },
    });
  });
});
