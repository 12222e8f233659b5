// Seeded generator of malformed MLflow REST requests: wrong types, huge values, bad JSON, unknown
// fields, bad filters, random endpoints and methods, and path traversal on the artifact routes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../src/learn/core/random.js';
import type { RawRequest } from './raw-http.js';

export interface FuzzContext {
  /** An experiment and run the fuzzer may hit (and so may change); never the protected data. */
  experimentId: string;
  runId: string;
  /** File name (no directory) that traversal payloads try to reach outside the artifact root. */
  secretName: string;
  /** Marker put in every body a traversal PUT tries to write. */
  pwnedMarker: string;
}

export interface FuzzCase extends RawRequest {
  kind: string;
}

type Template = { method: 'GET' | 'POST'; endpoint: string; fields: Record<string, unknown> };

const API = '/api/2.0/mlflow';

function templates(ctx: FuzzContext): Template[] {
  const now = Date.now();
  const e = ctx.experimentId;
  const r = ctx.runId;
  return [
    {
      method: 'POST',
      endpoint: 'experiments/create',
      fields: { name: 'fz', artifact_location: '', tags: [{ key: 'k', value: 'v' }] },
    },
    { method: 'GET', endpoint: 'experiments/get', fields: { experiment_id: e } },
    { method: 'GET', endpoint: 'experiments/get-by-name', fields: { experiment_name: 'fz' } },
    {
      method: 'POST',
      endpoint: 'experiments/search',
      fields: { max_results: 10, filter: "name LIKE 'f%'", order_by: ['name'], view_type: 'ALL', page_token: '' },
    },
    { method: 'POST', endpoint: 'experiments/update', fields: { experiment_id: e, new_name: 'fz-renamed' } },
    { method: 'POST', endpoint: 'experiments/delete', fields: { experiment_id: e } },
    { method: 'POST', endpoint: 'experiments/restore', fields: { experiment_id: e } },
    { method: 'POST', endpoint: 'experiments/set-experiment-tag', fields: { experiment_id: e, key: 'k', value: 'v' } },
    {
      method: 'POST',
      endpoint: 'runs/create',
      fields: { experiment_id: e, start_time: now, run_name: 'fz', user_id: 'u', tags: [{ key: 'k', value: 'v' }] },
    },
    {
      method: 'POST',
      endpoint: 'runs/update',
      fields: { run_id: r, status: 'FINISHED', end_time: now, run_name: 'x' },
    },
    { method: 'POST', endpoint: 'runs/delete', fields: { run_id: r } },
    { method: 'POST', endpoint: 'runs/restore', fields: { run_id: r } },
    {
      method: 'POST',
      endpoint: 'runs/log-metric',
      fields: { run_id: r, key: 'm', value: 1.5, timestamp: now, step: 1 },
    },
    { method: 'POST', endpoint: 'runs/log-parameter', fields: { run_id: r, key: 'p', value: 'v' } },
    { method: 'POST', endpoint: 'runs/set-tag', fields: { run_id: r, key: 't', value: 'v' } },
    { method: 'POST', endpoint: 'runs/delete-tag', fields: { run_id: r, key: 't' } },
    {
      method: 'POST',
      endpoint: 'runs/log-batch',
      fields: {
        run_id: r,
        metrics: [{ key: 'm', value: 1, timestamp: now, step: 0 }],
        params: [{ key: 'bp', value: 'v' }],
        tags: [{ key: 'bt', value: 'v' }],
      },
    },
    {
      method: 'POST',
      endpoint: 'runs/log-inputs',
      fields: { run_id: r, datasets: [{ dataset: { name: 'd', digest: 'x', source_type: 'local', source: '{}' } }] },
    },
    { method: 'GET', endpoint: 'runs/get', fields: { run_id: r } },
    {
      method: 'POST',
      endpoint: 'runs/search',
      fields: {
        experiment_ids: [e],
        filter: 'metrics.m > 0',
        run_view_type: 'ALL',
        max_results: 10,
        order_by: ['metrics.m DESC'],
        page_token: '',
      },
    },
    {
      method: 'GET',
      endpoint: 'metrics/get-history',
      fields: { run_id: r, metric_key: 'm', max_results: 10, page_token: '' },
    },
    {
      method: 'GET',
      endpoint: 'metrics/get-history-bulk-interval',
      fields: { run_ids: r, metric_key: 'm', start_step: 0, end_step: 10, max_results: 5 },
    },
    { method: 'GET', endpoint: 'artifacts/list', fields: { run_id: r, path: '', page_token: '' } },
    { method: 'POST', endpoint: 'registered-models/create', fields: { name: 'fz-model', tags: [], description: 'd' } },
    { method: 'GET', endpoint: 'registered-models/get', fields: { name: 'fz-model' } },
    {
      method: 'POST',
      endpoint: 'model-versions/create',
      fields: { name: 'fz-model', source: 'runs:/x/model', run_id: r },
    },
  ];
}

const BAD_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  -0.0,
  1e308,
  -1e308,
  2 ** 53 + 1,
  '',
  ' ',
  'x',
  '-1',
  '1e999',
  'NaN',
  [],
  [1, 2],
  [null],
  {},
  { nested: { deep: [1, { a: 'b' }] } },
  "'; DROP TABLE runs; --",
  '\u0000',
  '../../etc/passwd',
  '%00',
  '\u202e\ud83d\ude00',
  'A'.repeat(6000),
  'B'.repeat(70_000),
];

const BAD_FILTERS = [
  'metrics.x >',
  'params.p = a',
  'tags.`unclosed = 1',
  'attributes.nope = 1',
  "metrics.x > 'str'",
  'params.p > 1',
  'x = 1',
  'metrics. = 1',
  'metrics.x = 1 OR metrics.y = 2',
  '((',
  ')',
  'metrics.x IN (1,2)',
  'attributes.status LIKE 5',
  "params.p = 'a' AND",
  'AND',
  'and and',
  "tags.t = 'a' and and tags.u = 'b'",
  "attributes.start_time > 'abc'",
  'metrics."x" > 1',
  'metrics.x > 1e999',
  "name = 'x' ;",
  '\u0000',
  "params.p LIKE '%",
  "tags.t = '\\'",
  'metrics.x >>= 1',
  'attributes.run_id IN ()',
  "attributes.run_id IN ('a'",
  'metrics.`` > 1',
  "params.`a`b` = 'c'",
  'metrics.x = 1 AND metrics.x = ',
  'SELECT * FROM runs',
  'name LIKE',
  "tags.t = 'x' -- comment",
  'metrics.x < -',
  "datasets.name = 'x'",
  'attributes.created > 1',
  'C'.repeat(20_000),
  Array.from({ length: 250 }, (_, i) => `metrics.m${i} > 0`).join(' AND '),
  Array.from({ length: 250 }, (_, i) => `params.p${i} = 'a'`).join(' and '),
];

const BAD_ORDER = [
  ['metrics.x SIDEWAYS'],
  ['nope'],
  [''],
  [123],
  'metrics.x',
  ['metrics.'],
  ['params.p ASC DESC'],
  ['tags.`x'],
  [null],
  ['attributes.unknown'],
  Array.from({ length: 200 }, (_, i) => `metrics.m${i}`),
];

const BAD_TOKENS = [
  'garbage',
  '!!!',
  Buffer.from('{"offset": -5}').toString('base64'),
  Buffer.from('{"offset": 1e30}').toString('base64'),
  Buffer.from('not json').toString('base64'),
  Buffer.from('{"offset": "x"}').toString('base64'),
  'eyJvZmZzZXQiOg==',
  '%%%%',
  'A'.repeat(5000),
];

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const PREFIXES = [
  API,
  '/ajax-api/2.0/mlflow',
  '/api/2.0/mlflow-artifacts',
  '/api/2.0/cairn',
  '/api/2.1/mlflow',
  '/api',
  '',
  '/static-files',
  '/get-artifact',
];

function traversalPaths(ctx: FuzzContext): string[] {
  const s = ctx.secretName;
  return [
    `../${s}`,
    `../../${s}`,
    `../../../../../../${s}`,
    `%2e%2e/${s}`,
    `%2e%2e%2f${s}`,
    `%2E%2E%2F%2E%2E%2F${s}`,
    `..%2f..%2f${s}`,
    `..%5c..%5c${s}`,
    `..\\..\\${s}`,
    `\\..\\..\\${s}`,
    '/etc/passwd',
    '%2fetc%2fpasswd',
    '//etc/passwd',
    `${ctx.experimentId}/${ctx.runId}/artifacts/../../../${s}`,
    `${ctx.experimentId}/${ctx.runId}/artifacts/%2e%2e/%2e%2e/%2e%2e/${s}`,
    'file%00.txt',
    `a/%00/../../${s}`,
    `....//....//${s}`,
    `%252e%252e/${s}`,
    'C:\\Windows\\win.ini',
    'C:/Windows/win.ini',
    `./././../${s}`,
    `..%00/${s}`,
    `%c0%ae%c0%ae/${s}`,
    `..;/${s}`,
    `${'a/'.repeat(300)}x`,
    '%',
    '%zz',
    '.',
    '..',
    '',
  ];
}

export class RequestFuzzer {
  private readonly rng: Rng;
  private readonly tpl: Template[];
  private readonly trav: string[];
  private n = 0;

  constructor(
    seed: number,
    private readonly ctx: FuzzContext,
  ) {
    this.rng = new Rng(seed);
    this.tpl = templates(ctx);
    this.trav = traversalPaths(ctx);
  }

  private int(n: number): number {
    return Math.floor(this.rng.random() * n);
  }
  private pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  private chance(p: number): boolean {
    return this.rng.random() < p;
  }

  next(): FuzzCase {
    this.n++;
    const r = this.rng.random();
    if (r < 0.32) return this.mutatedBody();
    if (r < 0.45) return this.badJson();
    if (r < 0.6) return this.badSearch();
    if (r < 0.75) return this.randomEndpoint();
    return this.traversal();
  }

  /** A valid request template with one or more fields replaced, dropped or added. */
  private mutatedBody(): FuzzCase {
    const t = this.pick(this.tpl);
    const fields: Record<string, unknown> = structuredClone(t.fields);
    const keys = Object.keys(fields);
    const edits = 1 + this.int(3);
    for (let i = 0; i < edits; i++) {
      const op = this.int(5);
      const k = this.pick(keys);
      if (op === 0) delete fields[k];
      else if (op === 1) fields[`unknown_${this.int(100)}`] = this.pick(BAD_VALUES);
      else if (op === 2 && Array.isArray(fields[k]) && (fields[k] as unknown[]).length) {
        // break one element of a list field (metrics/params/tags)
        const list = fields[k] as Record<string, unknown>[];
        const el = { ...list[0] };
        el[this.pick(Object.keys(el))] = this.pick(BAD_VALUES);
        fields[k] = this.chance(0.2) ? Array.from({ length: 1200 }, () => el) : [el];
      } else fields[k] = this.pick(BAD_VALUES);
    }
    if (t.method === 'GET' && this.chance(0.8)) {
      const qs = Object.entries(fields)
        .map(
          ([k, v]) =>
            `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))}`,
        )
        .join('&');
      return { kind: `mutated-get ${t.endpoint}`, method: 'GET', path: `${API}/${t.endpoint}?${qs}` };
    }
    return {
      kind: `mutated ${t.endpoint}`,
      method: t.method === 'GET' ? 'POST' : t.method,
      path: `${API}/${t.endpoint}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fields),
    };
  }

  /** Syntactically broken or mislabelled bodies. */
  private badJson(): FuzzCase {
    const t = this.pick(this.tpl.filter((x) => x.method === 'POST'));
    const valid = JSON.stringify(t.fields);
    const variants: Array<[string, string | Buffer, string]> = [
      ['truncated', valid.slice(0, Math.max(1, this.int(valid.length))), 'application/json'],
      ['garbage', '{"run_id": ,,, }', 'application/json'],
      ['empty', '', 'application/json'],
      ['not-object', this.pick(['[]', '"str"', '42', 'null', 'true']), 'application/json'],
      ['nan-literal', valid.replace(/1\.5|0(?=[,}])/, 'NaN'), 'application/json'],
      ['deep', `${'['.repeat(5000)}${']'.repeat(5000)}`, 'application/json'],
      ['deep-object', `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`, 'application/json'],
      ['binary', Buffer.from(Array.from({ length: 64 }, () => this.int(256))), 'application/json'],
      [
        'wrong-content-type',
        valid,
        this.pick([
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
        ]),
      ],
      ['no-content-type', valid, ''],
      ['huge', `{"run_id":"${'x'.repeat(3 * 1024 * 1024)}"}`, 'application/json'],
      ['dup-keys', '{"run_id":"a","run_id":{"x":1}}', 'application/json'],
      [
        'bad-utf8',
        Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]),
        'application/json',
      ],
    ];
    const [name, body, ct] = this.pick(variants);
    return {
      kind: `bad-json:${name} ${t.endpoint}`,
      method: 'POST',
      path: `${API}/${t.endpoint}`,
      headers: ct ? { 'content-type': ct } : {},
      body,
    };
  }

  /** Search endpoints with broken filters, order clauses, page tokens and limits. */
  private badSearch(): FuzzCase {
    const runs = this.chance(0.7);
    const body: Record<string, unknown> = runs
      ? { experiment_ids: [this.ctx.experimentId], max_results: 10 }
      : { max_results: 10 };
    const what = this.int(4);
    if (what === 0 || this.chance(0.3)) body.filter = this.pick(BAD_FILTERS);
    if (what === 1) body.order_by = this.pick(BAD_ORDER);
    if (what === 2) body.page_token = this.pick(BAD_TOKENS);
    if (what === 3) {
      body.max_results = this.pick([-1, 0, 1e9, 'abc', 50_001, 1.5, null]);
      if (runs && this.chance(0.5)) body.experiment_ids = this.pick([[], 'x', [null], ['-1'], [1e30], ['abc']]);
      if (this.chance(0.3)) body[runs ? 'run_view_type' : 'view_type'] = this.pick(['SOMETIMES', 7, null]);
    }
    const endpoint = runs ? 'runs/search' : 'experiments/search';
    if (!runs && this.chance(0.4)) {
      const qs = new URLSearchParams(
        Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      );
      return { kind: `bad-search-get ${endpoint}`, method: 'GET', path: `${API}/${endpoint}?${qs}` };
    }
    return {
      kind: `bad-search ${endpoint}`,
      method: 'POST',
      path: `${API}/${endpoint}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    };
  }

  /** Unknown paths, known paths with the wrong method, odd query strings. */
  private randomEndpoint(): FuzzCase {
    const method = this.pick(METHODS);
    const seg = () =>
      this.pick([
        'runs',
        'experiments',
        'metrics',
        'artifacts',
        'x',
        'get',
        'create',
        'search',
        'log-batch',
        'registered-models',
        '..',
        '%2e',
        'ü',
        '%ff',
        '%',
        String(this.int(1e6)),
        'a'.repeat(this.int(300)),
      ]);
    const depth = this.int(4);
    let p = this.pick(PREFIXES);
    for (let i = 0; i < depth; i++) p += `/${seg()}`;
    if (this.chance(0.3)) p = `${API}/${this.pick(this.tpl).endpoint}`;
    if (this.chance(0.3))
      p += `?${this.pick(['run_id=', 'run_id[]=1&run_id[]=2', 'a=%ff', 'x=1&x=2', '=', '&&&', 'run_id=%00'])}`;
    // A raw non-ASCII byte makes the request line unparseable; a HEAD client then cannot frame
    // whatever error body comes back, so HEAD gets the percent-encoded form.
    if (method === 'HEAD') p = p.replace(/[^\x21-\x7e]/g, (ch) => encodeURIComponent(ch));
    const body =
      method === 'GET' || method === 'HEAD' || this.chance(0.5) ? undefined : JSON.stringify({ x: this.int(10) });
    return {
      kind: `random ${method}`,
      method,
      path: p || '/',
      headers: body ? { 'content-type': 'application/json' } : {},
      body,
    };
  }

  /** Path traversal against every artifact route (proxy download/upload/list/delete, list, UI). */
  private traversal(): FuzzCase {
    const p = this.pick(this.trav);
    const q = encodeURIComponent(p);
    const forms: Array<() => FuzzCase> = [
      () => ({ kind: 'trav proxy-get', method: 'GET', path: `/api/2.0/mlflow-artifacts/artifacts/${p}` }),
      () => ({ kind: 'trav proxy-list', method: 'GET', path: `/api/2.0/mlflow-artifacts/artifacts?path=${q}` }),
      () => ({
        kind: 'trav proxy-list-raw',
        method: 'GET',
        path: `/api/2.0/mlflow-artifacts/artifacts?path=${p.replace(/[\s#]/g, '')}`,
      }),
      () => ({
        kind: 'trav proxy-put',
        method: 'PUT',
        path: `/api/2.0/mlflow-artifacts/artifacts/${p.replace(this.ctx.secretName, `pwned-${this.n}.txt`)}`,
        headers: { 'content-type': 'application/octet-stream' },
        body: this.ctx.pwnedMarker,
      }),
      () => ({ kind: 'trav proxy-delete', method: 'DELETE', path: `/api/2.0/mlflow-artifacts/artifacts/${p}` }),
      () => ({ kind: 'trav list', method: 'GET', path: `${API}/artifacts/list?run_id=${this.ctx.runId}&path=${q}` }),
      () => ({
        kind: 'trav ajax-list',
        method: 'GET',
        path: `/ajax-api/2.0/mlflow/artifacts/list?run_id=${this.ctx.runId}&path=${q}`,
      }),
      () => ({ kind: 'trav get-artifact', method: 'GET', path: `/get-artifact?path=${q}&run_uuid=${this.ctx.runId}` }),
      () => ({ kind: 'trav ajax-proxy-get', method: 'GET', path: `/ajax-api/2.0/mlflow-artifacts/artifacts/${p}` }),
      () => ({
        kind: 'trav run-artifact',
        method: 'GET',
        path: `/api/2.0/mlflow-artifacts/artifacts/${this.ctx.experimentId}/${this.ctx.runId}/artifacts/${p}`,
      }),
    ];
    return this.pick(forms)();
  }
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Lines that betray a stack trace or an internal file path in a response body. */
export const STACK_TRACE_PATTERNS: RegExp[] = [
  /\n\s*at [^\n]*\(?[^\s()]+:\d+:\d+\)?/, // V8 frames
  /\bat (?:async )?[\w$.<>]+ \((?:file:\/\/)?\/[^)]*\)/,
  /Traceback \(most recent call last\)/,
  /node_modules\//,
  new RegExp(`${escapeRegExp(REPO_ROOT)}/`), // the checkout's own path, wherever it lives
  /\bsrc\/[\w/-]+\.ts\b/,
  /\bSqliteError\b|\bSQLITE_[A-Z]+\b/,
];

/** Malformed or hostile URIs of every scheme a URI-ish field may meet (see malformedUriCases). */
export const MALFORMED_URIS: string[] = [
  'file://bad host/x',
  'file://evil.com/etc/passwd',
  'file://localhost/../etc',
  'file:',
  'file:///%00',
  'file://[::1/x',
  's3:',
  's3://',
  's3://[x/y',
  's3://b/../../x',
  'runs:',
  'runs:/',
  'runs://',
  'runs:/%zz/model',
  'runs:/../../etc/model',
  'runs:/x/a;b/../c',
  'models:/',
  'models:/x/../..',
  'models:/nope/1',
  'models:/%ff@x',
  'mlflow-artifacts:',
  'mlflow-artifacts://h:99999/x',
  'mlflow-artifacts:/..%2f..%2fetc',
  'http://[',
  'http://[::1',
  'https://a]b/x',
  'http://[abc]/x',
  'http://user:pass@host:port/x',
  'javascript:alert(1)',
  'dbfs:/x',
  '%',
  '%zz%',
  '%ff%fe',
  '%252e%252e/%252e%252e',
  'x\u0000y',
  '\u0000',
  'C:\\Windows\\x',
  '\\\\server\\share\\x',
  ':',
  '//',
  '///etc',
  ' ',
  `s3://b/${'a/'.repeat(3000)}`,
  `runs:/${'r'.repeat(5000)}/model`,
  'a'.repeat(300),
  `http://h/${'%'.repeat(2000)}`,
];

const REG = '/api/2.0/mlflow';

/**
 * Every registry, tracking, artifact and Cairn route with a URI-ish field (sources, artifact locations,
 * artifact paths, run ids, webhook URLs), fed each of MALFORMED_URIS in that field: a deterministic
 * sweep, not a random sample. Each case names the route and field.
 */
export function malformedUriCases(ctx: FuzzContext & { modelName: string; version: string }): FuzzCase[] {
  const json = (method: string, path: string, body: Record<string, unknown>, kind: string): FuzzCase => ({
    kind,
    method,
    path,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const get = (path: string, query: Record<string, string>, kind: string): FuzzCase => ({
    kind,
    method: 'GET',
    path: `${path}?${new URLSearchParams(query)}`,
  });
  const { runId: r, modelName: name, version } = ctx;
  const perUri = (u: string): FuzzCase[] => [
    json('POST', `${REG}/model-versions/create`, { name, source: u }, 'model-versions/create source'),
    json('POST', `${REG}/model-versions/create`, { name, source: u, run_id: r }, 'model-versions/create source+run_id'),
    json(
      'POST',
      `${REG}/model-versions/create`,
      { name, source: 's3://b/m', run_id: u },
      'model-versions/create run_id',
    ),
    json(
      'POST',
      `${REG}/model-versions/create`,
      { name, source: 's3://b/m', run_link: u },
      'model-versions/create run_link',
    ),
    json('POST', `${REG}/registered-models/create`, { name: u }, 'registered-models/create name'),
    get(`${REG}/model-versions/get-download-uri`, { name: u, version }, 'model-versions/get-download-uri name'),
    get('/model-versions/get-artifact', { name, version, path: u }, 'get-artifact (model version) path'),
    json(
      'POST',
      `${REG}/experiments/create`,
      { name: `uri-${u.slice(0, 200)}`, artifact_location: u },
      'experiments/create artifact_location',
    ),
    json('POST', `${REG}/runs/create`, { experiment_id: u }, 'runs/create experiment_id'),
    get(`${REG}/runs/get`, { run_id: u }, 'runs/get run_id'),
    json(
      'POST',
      `${REG}/runs/log-inputs`,
      {
        run_id: r,
        datasets: [{ dataset: { name: 'd', digest: 'x', source_type: 'http', source: JSON.stringify({ url: u }) } }],
      },
      'runs/log-inputs dataset source',
    ),
    json(
      'POST',
      `${REG}/runs/log-model`,
      {
        run_id: r,
        model_json: JSON.stringify({ artifact_path: u, flavors: {}, utc_time_created: 'x', run_id: r }),
      },
      'runs/log-model artifact_path',
    ),
    get(`${REG}/artifacts/list`, { run_id: r, path: u }, 'artifacts/list path'),
    get(`${REG}/artifacts/list`, { run_id: u }, 'artifacts/list run_id'),
    get('/get-artifact', { run_uuid: r, path: u }, 'get-artifact path'),
    get('/get-artifact', { run_uuid: u, path: 'x' }, 'get-artifact run_uuid'),
    {
      kind: 'upload-artifact path',
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: 'x',
      path: `/ajax-api/2.0/mlflow/upload-artifact?${new URLSearchParams({ run_uuid: r, path: u })}`,
    },
    {
      kind: 'upload-artifact run_uuid',
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: 'x',
      path: `/ajax-api/2.0/mlflow/upload-artifact?${new URLSearchParams({ run_uuid: u, path: 'x.txt' })}`,
    },
    get('/api/2.0/mlflow-artifacts/artifacts', { path: u }, 'mlflow-artifacts list path'),
    {
      kind: 'mlflow-artifacts get path',
      method: 'GET',
      path: `/api/2.0/mlflow-artifacts/artifacts/${encodeURIComponent(u)}`,
    },
    {
      kind: 'mlflow-artifacts put path',
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: ctx.pwnedMarker,
      path: `/api/2.0/mlflow-artifacts/artifacts/${encodeURIComponent(u)}`,
    },
    json(
      'POST',
      '/api/2.0/cairn/registry/webhooks',
      { url: u, events: ['MODEL_VERSION_CREATED'] },
      'cairn webhooks url',
    ),
    get('/api/2.0/cairn/registry/history', { name: u }, 'cairn registry/history name'),
    json(
      'POST',
      '/api/2.0/cairn/registry/policies/check',
      { name, version: u, target: 'Production' },
      'cairn policies/check version',
    ),
  ];
  return MALFORMED_URIS.flatMap((u) =>
    perUri(u).map((c) => ({ ...c, kind: `${c.kind} ← ${JSON.stringify(u.slice(0, 60))}` })),
  );
}
