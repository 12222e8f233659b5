// Side by side, for the model registry and artifacts: the same raw request to the real MLflow 2.17.2
// server and to Cairn; HTTP status, `error_code` and message must agree. One table of cases, run in
// order (later rows read what earlier rows created); add a row to cover a new request. Same structure
// as mlflow-validation-parity.test.ts (the tracking rows).
//
// Paths and bodies may hold `$RUN_ID` / `$EXPERIMENT_ID`: each server's own run and experiment.
// Messages are normalised the same way on both sides (each server's ids written back as `$RUN_ID` /
// `$EXPERIMENT_ID`). Where Cairn answers differently on purpose (MLflow crashes with a 500, or accepts
// what it should refuse), the row says so in `cairn` and `why`, and MLflow's own answer is still checked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlflowPythonUnavailable } from '../support/cairn-server.js';
import {
  createRunFixture,
  normaliseIds,
  postJson,
  startParitySides,
  substituteIds,
  type Ids,
  type ParitySides,
  type Side,
} from '../support/mlflow-parity.js';
import { rawRequest, type RawResponse } from '../support/raw-http.js';
import { startTestServer } from './server-harness.js';

type Field = 'status' | 'error_code' | 'message' | 'location' | 'json';

interface ParityCase {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Below the server root, sent byte for byte. */
  path: string;
  /** An object is sent as JSON; a string is sent as written, with `contentType` (default JSON). */
  body?: string | Record<string, unknown>;
  contentType?: string;
  /** MLflow's answer, as this row documents it. */
  expect: { status: number; errorCode?: string };
  /** Compared between the two servers. Default: status, error_code, message. */
  compare?: Field[];
  /** For 200 answers with `json` in `compare`: the part of the body both must agree on. */
  pick?: (json: Record<string, any>) => unknown;
  /** Cairn's answer where it deliberately differs from MLflow's (then only `compare` is checked). */
  cairn?: { status: number; errorCode: string; message?: RegExp };
  why?: string;
}

const API = '/api/2.0/mlflow';
const PROXY = '/api/2.0/mlflow-artifacts/artifacts';
const MODEL = 'parity-model';
const FOREIGN_RUN = '0123456789abcdef0123456789abcdef';
const INVALID = { status: 400, errorCode: 'INVALID_PARAMETER_VALUE' };
const OK = { status: 200 };
const create = (source: string, runId?: string) => ({ name: MODEL, source, ...(runId ? { run_id: runId } : {}) });

const CASES: ParityCase[] = [
  // ---- model version sources (MLflow's _validate_source) ----
  {
    name: 'a runs:/ source whose run is on another server is stored as given',
    method: 'POST',
    path: `${API}/model-versions/create`,
    body: create(`runs:/${FOREIGN_RUN}/model`, FOREIGN_RUN),
    expect: OK,
    compare: ['status', 'json'],
    pick: (j) => [j.model_version.version, j.model_version.source, j.model_version.run_id],
  },
  {
    name: 'get-download-uri returns a runs:/ source unchanged',
    method: 'GET',
    path: `${API}/model-versions/get-download-uri?name=${MODEL}&version=1`,
    expect: OK,
    compare: ['status', 'json'],
    pick: (j) => j,
  },
  {
    name: 'get-artifact of a version whose run is not on this server',
    method: 'GET',
    path: `/model-versions/get-artifact?name=${MODEL}&version=1&path=MLmodel`,
    expect: { status: 404, errorCode: 'RESOURCE_DOES_NOT_EXIST' },
    compare: ['status', 'error_code'],
    why: "MLflow: \"Run '<id>' not found\"; Cairn adds that the registry may live apart from the run's server",
  },
  {
    name: 'a file: source naming a remote host',
    method: 'POST',
    path: `${API}/model-versions/create`,
    body: create('file://bad host/x', '$RUN_ID'),
    expect: { status: 500, errorCode: 'INTERNAL_ERROR' },
    compare: ['message'],
    cairn: { status: 400, errorCode: 'INVALID_PARAMETER_VALUE' },
    why: 'MLflow raises a bare MlflowException (500) from is_local_uri; a bad source is a client error',
  },
  {
    name: 'a source with an unbalanced IPv6 bracket',
    method: 'POST',
    path: `${API}/model-versions/create`,
    body: create('http://[abc/x'),
    expect: { status: 500 },
    compare: [],
    cairn: { status: 400, errorCode: 'INVALID_PARAMETER_VALUE', message: /'http:\/\/\[abc\/x' is not a valid URI/ },
    why: "MLflow's urlparse raises ValueError, answered with Flask's HTML 500 page",
  },
  {
    name: 'a bucket with no path is not an absolute path',
    method: 'POST',
    path: `${API}/model-versions/create`,
    body: create('s3://bucket'),
    expect: INVALID,
  },
  {
    name: 'a relative reference hidden by percent-encoding',
    method: 'POST',
    path: `${API}/model-versions/create`,
    body: create('mlflow-artifacts:/1/..%2f..%2fetc'),
    expect: INVALID,
  },
  {
    name: 'a local path without a run',
    method: 'POST',
    path: `${API}/model-versions/create`,
    body: create('/tmp/x'),
    expect: INVALID,
  },
  {
    name: 'a Windows drive letter is not local on a POSIX server',
    method: 'POST',
    path: `${API}/model-versions/create`,
    body: create('C:/x/y'),
    expect: OK,
    compare: ['status', 'json'],
    pick: (j) => j.model_version.source,
  },
  {
    name: 'percent-escapes that are not ".." stay as given',
    method: 'POST',
    path: `${API}/model-versions/create`,
    body: create('runs:/a%2e%2e/x'),
    expect: OK,
    compare: ['status', 'json'],
    pick: (j) => j.model_version.source,
  },

  // ---- doubled slashes (Werkzeug's merge_slashes) ----
  {
    name: 'a leading doubled slash is merged and the request answered',
    method: 'GET',
    path: `//model-versions/get-artifact?name=${MODEL}&version=1&path=../x`,
    expect: INVALID,
  },
  {
    name: 'a doubled slash further in is a 308 to the merged path',
    method: 'GET',
    path: `${API}//registered-models/get?name=${MODEL}`,
    expect: { status: 308 },
    compare: ['status', 'location'],
  },
  {
    name: 'a doubled slash in a POST is a 308 too (clients resend the body)',
    method: 'POST',
    path: '/api/2.0//mlflow/registered-models/create',
    body: { name: 'parity-redirected' },
    expect: { status: 308 },
    compare: ['status', 'location'],
  },

  // ---- artifact uploads ----
  {
    name: 'upload-artifact without run_uuid',
    method: 'POST',
    path: '/ajax-api/2.0/mlflow/upload-artifact?path=a.txt',
    body: 'x',
    contentType: 'application/octet-stream',
    expect: INVALID,
  },
  {
    name: 'upload-artifact without path',
    method: 'POST',
    path: '/ajax-api/2.0/mlflow/upload-artifact?run_uuid=$RUN_ID',
    body: 'x',
    contentType: 'application/octet-stream',
    expect: INVALID,
  },
  {
    name: 'a proxied upload into a new directory',
    method: 'PUT',
    path: `${PROXY}/parity-dir/f.txt`,
    body: 'x',
    contentType: 'application/octet-stream',
    expect: OK,
    compare: ['status'],
  },
  {
    name: 'a proxied upload onto an existing directory',
    method: 'PUT',
    path: `${PROXY}/parity-dir`,
    body: 'x',
    contentType: 'application/octet-stream',
    expect: OK,
    compare: [],
    cairn: { status: 400, errorCode: 'INVALID_PARAMETER_VALUE', message: /'parity-dir': the path is a directory/ },
    why: "MLflow copies the upload inside the directory under the directory's own name; Cairn says what is wrong",
  },
  {
    name: 'a proxied upload whose name is over 255 bytes',
    method: 'PUT',
    path: `${PROXY}/${'a'.repeat(300)}`,
    body: 'x',
    contentType: 'application/octet-stream',
    expect: { status: 500 },
    compare: [],
    cairn: { status: 400, errorCode: 'INVALID_PARAMETER_VALUE', message: /at most 255 bytes/ },
    why: 'MLflow fails with ENAMETOOLONG and answers an HTML 500 page',
  },
];

const unavailable = mlflowPythonUnavailable();
if (unavailable) {
  console.warn(
    `SKIPPED mlflow-registry-parity: the MLflow 2.17.2 anchor is unavailable (${unavailable}). ` +
      'Enable it with `bash ../shared/anchors/mlflow/start_mlflow.sh prepare` (or set CAIRN_SHARED).',
  );
}

function send(side: Side, c: ParityCase): Promise<RawResponse> {
  const body =
    c.body === undefined
      ? undefined
      : substituteIds(typeof c.body === 'string' ? c.body : JSON.stringify(c.body), side.ids);
  const headers: Record<string, string> =
    body !== undefined ? { 'content-type': c.contentType ?? 'application/json' } : {};
  return rawRequest(side.port, { method: c.method, path: substituteIds(c.path, side.ids), body, headers });
}

type Answer = Partial<Record<Field, unknown>> & { status: number };

function answerOf(res: RawResponse, side: Side, c: ParityCase): Answer {
  const location =
    typeof res.headers.location === 'string' ? res.headers.location.replace(/^https?:\/\/[^/]+/, '') : undefined;
  let json: Record<string, any> | undefined;
  try {
    json = JSON.parse(res.body);
  } catch {
    return { status: res.status, location, message: `(not JSON) ${res.body.slice(0, 200)}` };
  }
  const message = normaliseIds(json?.message as string | undefined, side.ids);
  return {
    status: res.status,
    error_code: json?.error_code,
    message,
    location,
    json: c.pick && res.status === 200 && json ? c.pick(json) : undefined,
  };
}

async function createFixture(port: number): Promise<Ids> {
  const ids = await createRunFixture(port, 'registry-parity');
  await postJson(port, 'registered-models/create', { name: MODEL });
  return ids;
}

describe.skipIf(unavailable !== null)('registry and artifact requests: MLflow 2.17.2 and Cairn answer alike', () => {
  let sides: ParitySides | undefined;

  beforeAll(async () => {
    sides = await startParitySides(() => startTestServer(), createFixture);
  }, 300_000);

  afterAll(async () => {
    await sides?.close();
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const [fromMlflow, fromCairn] = await Promise.all([send(sides!.mlflow, c), send(sides!.cairn, c)]);
    const mlflow = answerOf(fromMlflow, sides!.mlflow, c);
    const ours = answerOf(fromCairn, sides!.cairn, c);
    const context = `MLflow answered ${fromMlflow.status} ${fromMlflow.body.slice(0, 600)}\nCairn answered ${fromCairn.status} ${fromCairn.body.slice(0, 600)}`;
    expect(mlflow.status, `the row documents MLflow. ${context}`).toBe(c.expect.status);
    if (c.expect.errorCode) expect(mlflow.error_code, context).toBe(c.expect.errorCode);
    const fields = c.compare ?? ['status', 'error_code', 'message'];
    const pick = (a: Answer) => Object.fromEntries(fields.map((f) => [f, a[f]]));
    expect(pick(ours), context).toEqual(pick(mlflow));
    if (c.cairn) {
      expect([ours.status, ours.error_code], context).toEqual([c.cairn.status, c.cairn.errorCode]);
      if (c.cairn.message) expect(ours.message, context).toMatch(c.cairn.message);
    }
  });
});
