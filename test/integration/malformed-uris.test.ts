// Every registry, tracking, artifact and Cairn route with a URI-ish field, fed malformed URIs of every
// scheme (test/support/request-fuzzer.ts malformedUriCases) over real HTTP against a real SQLite store:
// no handler may throw anything but a typed error. A URI MLflow accepts may be stored (2xx); anything
// else is a 4xx carrying one of MLflow's error codes with its HTTP status, never a 500 or a stack trace.
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_HTTP_STATUS } from '../../src/core/errors.js';
import { rawRequest } from '../support/raw-http.js';
import { STACK_TRACE_PATTERNS, malformedUriCases } from '../support/request-fuzzer.js';
import { post, startTestServer, type TestServer } from './server-harness.js';

let srv: TestServer;
let port: number;
let ctx: Parameters<typeof malformedUriCases>[0];

beforeAll(async () => {
  srv = await startTestServer();
  port = Number(new URL(srv.url).port);
  const api = (p: string) => `${srv.url}/api/2.0/mlflow${p}`;
  const experimentId = (await post(api('/experiments/create'), { name: 'malformed-uris' })).json
    .experiment_id as string;
  const runId = (await post(api('/runs/create'), { experiment_id: experimentId })).json.run.info.run_id as string;
  const modelName = 'malformed-uris-model';
  await post(api('/registered-models/create'), { name: modelName });
  const version = (
    await post(api('/model-versions/create'), { name: modelName, source: `runs:/${runId}/model`, run_id: runId })
  ).json.model_version.version as string;
  ctx = { experimentId, runId, modelName, version, secretName: 'secret.txt', pwnedMarker: 'PWNED-MALFORMED-URI' };
});
afterAll(async () => {
  await srv?.close();
});

describe('malformed URIs in every URI-ish field', () => {
  it('answer a typed MLflow error (or are accepted as MLflow accepts them), never a 500', async () => {
    const cases = malformedUriCases(ctx);
    expect(cases.length).toBeGreaterThan(1000);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (const c of cases) {
      const res = await rawRequest(port, c);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (STACK_TRACE_PATTERNS.some((p) => p.test(res.body))) failures.push(`${c.kind}: stack trace in body`);
      if (res.status >= 500) {
        failures.push(`${c.kind}: ${res.status} ${res.body.slice(0, 200)}`);
        continue;
      }
      if (res.status < 400) continue;
      let body: { error_code?: string; message?: string } = {};
      try {
        body = JSON.parse(res.body);
      } catch {
        /* reported below */
      }
      const code = body.error_code as keyof typeof ERROR_HTTP_STATUS | undefined;
      if (!code || ERROR_HTTP_STATUS[code] !== res.status || !body.message) {
        failures.push(`${c.kind}: ${res.status} without a matching MLflow error body: ${res.body.slice(0, 200)}`);
      }
    }
    expect(failures, failures.slice(0, 20).join('\n')).toEqual([]);
    // most of these are refused: a sweep that only ever got 200s would be testing nothing
    expect(statuses.get(400) ?? 0).toBeGreaterThan(cases.length / 3);
    expect(await readdir(srv.dir)).not.toContain('PWNED-MALFORMED-URI');
  }, 120_000);

  it('a file: source naming a remote host, or a broken IPv6 host, is a 400 (MLflow: 500)', async () => {
    const mv = (source: string) =>
      post(`${srv.url}/api/2.0/mlflow/model-versions/create`, { name: ctx.modelName, source, run_id: ctx.runId });
    for (const source of ['file://bad host/x', 'file://evil.com/x', 'http://[', 'http://[abc]/x']) {
      const res = await mv(source);
      expect([res.status, res.json.error_code], source).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      expect(res.json.message, source).toContain(source);
    }
  });
});
