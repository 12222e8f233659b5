// Model registry benchmark: the real MLflow 2.17.2 server and Cairn (`--workers 2`, fresh SQLite)
// in one run. Creates versions across registered models (creation req/s), then times
// model-versions/search (`name='model-3'`, max_results 100) and get-model-version-by-alias at C
// concurrent clients × N requests each. The load generator is Node in this process with keep-alive
// connections, as real clients use; MLflow's gunicorn closes each one, Cairn keeps them.
// Prints Markdown for BENCHMARKS.md, writes raw JSON to bench/out/.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, startCairnServer } from '../test/support/cairn-server.js';
import { withMlflowServer } from './support/mlflow-anchor.js';

const RATIO_TARGET = 10;
const PHASES = ['create', 'search', 'alias'] as const;
type Phase = (typeof PHASES)[number];
const PHASE_LABEL: Record<Phase, string> = {
  create: 'model-versions/create',
  search: "model-versions/search name='model-3' (100 rows)",
  alias: 'registered-models/alias (get by alias)',
};

interface Options {
  models: number;
  versions: number;
  clients: number;
  requests: number;
  workers: number;
  warmup: number;
  reps: number;
  mlflow: boolean;
  cairn: boolean;
  ceiling: boolean;
}
interface PhaseResult {
  requests: number;
  errors: number;
  wall_s: number;
  throughput_rps: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  error_samples: string[];
}
interface ServerResult {
  label: string;
  phases: Record<Phase, PhaseResult>;
  checks: Record<string, boolean>;
}

const log = (msg: string) =>
  process.stderr.write(`[bench registry ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const loadavg = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

// Clients keep connections alive, as MLflow's Python client (a requests.Session) and
// bench_tracking.py do; MLflow's gunicorn sync workers close them after each response anyway.
const keepAliveAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One request on a pooled keep-alive connection. */
function request(
  base: string,
  method: 'GET' | 'POST',
  p: string,
  body?: unknown,
  keepBody = false,
): Promise<{ status: number; text: string }> {
  const url = new URL(p, base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent: keepAliveAgent,
        timeout: 30_000,
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        // a 200 body is only decoded when asked for: the client's own cost caps what any server can show
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: res.statusCode !== 200 || keepBody ? Buffer.concat(chunks).toString('utf8') : '',
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout after 30 s')));
    req.on('error', reject);
    req.end(payload);
  });
}

const pct = (sorted: number[], p: number) => {
  if (sorted.length === 0) return NaN;
  const k = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(k);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (k - lo);
};

/** `clients` workers pull request indexes 0..total-1 from one counter; each call must answer 200. */
async function load(
  total: number,
  clients: number,
  call: (i: number) => Promise<{ status: number; text: string }>,
): Promise<PhaseResult> {
  const times: number[] = [];
  const samples: string[] = [];
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < total; i = next++) {
        const s = performance.now();
        try {
          const res = await call(i);
          if (res.status !== 200) {
            errors += 1;
            if (samples.length < 5) samples.push(`HTTP ${res.status}: ${res.text.slice(0, 200)}`);
          }
        } catch (e) {
          errors += 1;
          if (samples.length < 5) samples.push((e as Error).message);
        }
        times.push(performance.now() - s);
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  return {
    requests: total,
    errors,
    wall_s: wall,
    throughput_rps: total / wall,
    p50_ms: pct(times, 50),
    p99_ms: pct(times, 99),
    max_ms: times[times.length - 1],
    error_samples: samples,
  };
}

/** The read phases against a do-nothing server in its own process: the most the client can show here. */
async function benchCeiling(o: Options): Promise<Record<'search' | 'alias', PhaseResult>> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO_ROOT, 'bench/support/null-registry-server.ts')],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /listening (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', (code) => reject(new Error(`null registry server exited ${code}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    const total = o.clients * o.requests;
    log(`client ceiling (null server, load ${loadavg()})`);
    const search = await load(total, o.clients, () =>
      request(base, 'GET', '/api/2.0/mlflow/model-versions/search?filter=x'),
    );
    const alias = await load(total, o.clients, () =>
      request(base, 'GET', '/api/2.0/mlflow/registered-models/alias?name=model-3&alias=champion'),
    );
    return { search, alias };
  } finally {
    child.kill('SIGTERM');
  }
}

async function benchServer(label: string, base: string, o: Options): Promise<ServerResult> {
  const api = '/api/2.0/mlflow';
  const modelName = (i: number) => `model-${i % o.models}`;
  for (let m = 0; m < o.models; m++) {
    const res = await request(base, 'POST', `${api}/registered-models/create`, { name: modelName(m) });
    if (res.status !== 200)
      throw new Error(`${label}: registered-models/create answered ${res.status}: ${res.text.slice(0, 300)}`);
  }
  log(`${label}: creating ${o.versions} versions across ${o.models} models, C=${o.clients} (load ${loadavg()})`);
  const create = await load(o.versions, o.clients, (i) =>
    request(base, 'POST', `${api}/model-versions/create`, {
      name: modelName(i),
      source: `s3://bench/${modelName(i)}/${i}`,
      run_id: `run${i}`,
    }),
  );
  for (let m = 0; m < o.models; m++) {
    const res = await request(base, 'POST', `${api}/registered-models/alias`, {
      name: modelName(m),
      alias: 'champion',
      version: '7',
    });
    if (res.status !== 200) throw new Error(`${label}: set alias answered ${res.status}: ${res.text.slice(0, 300)}`);
  }
  const searchPath = `${api}/model-versions/search?${new URLSearchParams({ filter: "name='model-3'", max_results: '100' })}`;
  const aliasPath = (i: number) =>
    `${api}/registered-models/alias?${new URLSearchParams({ name: modelName(i), alias: 'champion' })}`;

  // correctness of what is timed: all 100 versions of model-3, and the alias resolves to version 7
  const sample = JSON.parse((await request(base, 'GET', searchPath, undefined, true)).text) as {
    model_versions?: Array<{ name: string; version: string }>;
  };
  const byAlias = JSON.parse((await request(base, 'GET', aliasPath(3), undefined, true)).text) as {
    model_version?: { name: string; version: string };
  };
  const perModel = Math.floor(o.versions / o.models);
  const checks = {
    search_returns_model_3_only:
      (sample.model_versions ?? []).length === Math.min(100, perModel) &&
      (sample.model_versions ?? []).every((v) => v.name === 'model-3'),
    alias_resolves: byAlias.model_version?.name === 'model-3' && byAlias.model_version.version === '7',
    all_versions_created: create.errors === 0,
  };

  const total = o.clients * o.requests;
  for (let i = 0; i < o.warmup; i++) {
    await request(base, 'GET', searchPath);
    await request(base, 'GET', aliasPath(i));
  }
  log(`${label}: search ${total} requests, C=${o.clients} (load ${loadavg()})`);
  const search = await load(total, o.clients, () => request(base, 'GET', searchPath));
  log(`${label}: get-by-alias ${total} requests, C=${o.clients} (load ${loadavg()})`);
  const alias = await load(total, o.clients, (i) => request(base, 'GET', aliasPath(i)));
  return { label, phases: { create, search, alias }, checks };
}

async function benchMlflow(o: Options): Promise<ServerResult> {
  return withMlflowServer('mlflow-registry-bench-', (url) => benchServer('mlflow-2.17.2', url, o));
}

async function benchCairn(o: Options): Promise<ServerResult> {
  const server = await startCairnServer({ workers: o.workers });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    return await benchServer(`cairn workers=${o.workers}`, server.url, o);
  } finally {
    await server.stop();
    server.cleanup();
  }
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      models: { type: 'string', default: '10' },
      versions: { type: 'string', default: '1000' },
      clients: { type: 'string', default: '8' },
      requests: { type: 'string', default: '400' },
      workers: { type: 'string', default: '2' },
      warmup: { type: 'string', default: '20' },
      reps: { type: 'string', default: '1' },
      'skip-mlflow': { type: 'boolean', default: false },
      'skip-cairn': { type: 'boolean', default: false },
      'skip-ceiling': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'npm run bench -- registry [--models 10] [--versions 1000] [--clients 8] [--requests 400 (per client)] [--workers 2] [--warmup 20] [--reps 1] [--skip-mlflow] [--skip-cairn] [--skip-ceiling]',
    );
    process.exit(0);
  }
  return {
    models: Number(values.models),
    versions: Number(values.versions),
    clients: Number(values.clients),
    requests: Number(values.requests),
    workers: Number(values.workers),
    warmup: Number(values.warmup),
    reps: Math.max(1, Number(values.reps)),
    mlflow: !values['skip-mlflow'],
    cairn: !values['skip-cairn'],
    ceiling: !values['skip-ceiling'],
  };
}

const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

/** Per-metric median over repetitions; errors are summed. */
function medianPhase(ps: PhaseResult[]): PhaseResult {
  if (ps.length === 1) return ps[0];
  return {
    requests: median(ps.map((p) => p.requests)),
    errors: ps.reduce((a, p) => a + p.errors, 0),
    wall_s: median(ps.map((p) => p.wall_s)),
    throughput_rps: median(ps.map((p) => p.throughput_rps)),
    p50_ms: median(ps.map((p) => p.p50_ms)),
    p99_ms: median(ps.map((p) => p.p99_ms)),
    max_ms: median(ps.map((p) => p.max_ms)),
    error_samples: ps.flatMap((p) => p.error_samples).slice(0, 5),
  };
}

function medianServer(rs: ServerResult[]): ServerResult {
  return {
    label: rs[0].label,
    phases: Object.fromEntries(PHASES.map((ph) => [ph, medianPhase(rs.map((r) => r.phases[ph]))])) as Record<
      Phase,
      PhaseResult
    >,
    checks: Object.fromEntries(Object.keys(rs[0].checks).map((k) => [k, rs.every((r) => r.checks[k])])),
  };
}

const f1 = (x: number | undefined) =>
  x === undefined || Number.isNaN(x) ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(1);

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const outDir = path.join(REPO_ROOT, 'bench/out', `registry-${stamp}`);
  mkdirSync(outDir, { recursive: true });
  const meta = {
    date: new Date().toISOString(),
    host: os.hostname(),
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    mem_gib: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadavg_start: os.loadavg(),
    options: o,
    load_generator:
      "Node http.request in the bench process with a keep-alive agent (as MLflow's requests.Session); MLflow's gunicorn closes connections after each response",
  };
  // the three interleaved per repetition, so each sees the same machine; the median is reported
  const reps: Array<{
    ceiling?: Record<'search' | 'alias', PhaseResult>;
    mlflow?: ServerResult;
    cairn?: ServerResult;
  }> = [];
  for (let rep = 1; rep <= o.reps; rep++) {
    if (o.reps > 1) log(`repetition ${rep}/${o.reps}`);
    reps.push({
      ceiling: o.ceiling ? await benchCeiling(o) : undefined,
      mlflow: o.mlflow ? await benchMlflow(o) : undefined,
      cairn: o.cairn ? await benchCairn(o) : undefined,
    });
  }
  const ceiling = o.ceiling
    ? { search: medianPhase(reps.map((r) => r.ceiling!.search)), alias: medianPhase(reps.map((r) => r.ceiling!.alias)) }
    : undefined;
  const mlflow = o.mlflow ? medianServer(reps.map((r) => r.mlflow!)) : undefined;
  const cairn = o.cairn ? medianServer(reps.map((r) => r.cairn!)) : undefined;
  const verdicts: Record<string, { ratio?: number; met?: boolean }> = {};
  const lines = [
    '| phase | MLflow req/s | Cairn req/s | ratio | target | MLflow p50 / p99 ms | Cairn p50 / p99 ms | errors M/C | met | client ceiling req/s (p99 ms) |',
    '|---|---:|---:|---:|---|---:|---:|---:|---|---:|',
  ];
  for (const phase of PHASES) {
    const m = mlflow?.phases[phase];
    const k = cairn?.phases[phase];
    const z = phase === 'create' ? undefined : ceiling?.[phase];
    const ratio = m && k ? k.throughput_rps / m.throughput_rps : undefined;
    let met = ratio === undefined ? undefined : ratio >= RATIO_TARGET;
    if (k && k.errors > 0) met = false;
    verdicts[phase] = { ratio, met };
    lines.push(
      `| ${PHASE_LABEL[phase]} | ${f1(m?.throughput_rps)} | ${f1(k?.throughput_rps)} | ${ratio === undefined ? '–' : `${ratio.toFixed(1)}×`} | ≥${RATIO_TARGET}× | ` +
        `${f1(m?.p50_ms)} / ${f1(m?.p99_ms)} | ${f1(k?.p50_ms)} / ${f1(k?.p99_ms)} | ${m?.errors ?? '–'}/${k?.errors ?? '–'} | ${met === undefined ? '–' : met ? 'yes' : '**no**'} | ` +
        `${z ? `${f1(z.throughput_rps)} (${f1(z.p99_ms)})` : '–'} |`,
    );
  }
  const checks = [mlflow, cairn]
    .filter((r): r is ServerResult => r !== undefined)
    .map(
      (r) =>
        `${r.label}: ${Object.entries(r.checks)
          .map(([k, v]) => `${k}=${v ? 'yes' : '**no**'}`)
          .join(', ')}`,
    );
  const raw = { meta: { ...meta, loadavg_end: os.loadavg() }, ceiling, mlflow, cairn, verdicts, repetitions: reps };
  writeFileSync(path.join(outDir, 'summary.json'), JSON.stringify(raw, null, 2));
  const md = [
    `### Model registry: Cairn vs MLflow 2.17.2 (${meta.date.slice(0, 10)}, ${meta.cpus} × ${meta.cpu}, ${meta.mem_gib} GiB)`,
    '',
    `${o.versions} versions created across ${o.models} registered models by ${o.clients} concurrent clients; then ${o.clients} clients × ${o.requests} requests` +
      ` per read phase after ${o.warmup} warm-up calls; median of ${o.reps} interleaved repetition(s). Fresh SQLite store per server and repetition; MLflow = default \`mlflow server\` (4 gunicorn sync workers);` +
      ` Cairn = \`cairn server --workers ${o.workers}\`. Load generator: Node \`http.request\` in the bench process with keep-alive (MLflow's gunicorn closes each connection)` +
      `, sharing the ${meta.cpus} cores with the server. Load ${meta.loadavg_start.map((x) => x.toFixed(2)).join('/')} at start` +
      ' (machine shared with other work). "Client ceiling" = the same load generator against a do-nothing server in its own process' +
      ' (bench/support/null-registry-server.ts) in the same run: no server can show more than that here.',
    '',
    lines.join('\n'),
    '',
    `Checks: ${checks.join('; ')}`,
    '',
    `Raw JSON: ${path.relative(REPO_ROOT, outDir)}/summary.json`,
  ].join('\n');
  writeFileSync(path.join(outDir, 'summary.md'), `${md}\n`);
  console.log(md);
}
