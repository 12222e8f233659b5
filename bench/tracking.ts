// Tracking-server benchmark: the real MLflow 2.17.2 and Cairn side by side in one run, driven by
// the anchor's bench_tracking.py (fresh server + store per concurrency), plus a search over
// 100,000 seeded runs on SQLite and PostgreSQL. Prints Markdown for BENCHMARKS.md, writes
// raw JSON to bench/out/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startNullTrackingServer } from './support/null-tracking-server.js';
import { seedRuns } from './support/seed-runs.js';
import { parseTrackingStoreUri } from '../src/tracking/open-store.js';
import { PostgresDatabase } from '../src/db/postgres-database.js';
import type { SqlDatabase } from '../src/db/sql-database.js';
import { openSqliteDatabase } from '../src/db/sqlite-database.js';
import { SqlTrackingStore } from '../src/tracking/sql/sql-tracking-store.js';
import { DEBIAN_PYTHON, REPO_ROOT, sharedDir, startCairnServer } from '../test/support/cairn-server.js';
import { exec, withMlflowServer } from './support/mlflow-anchor.js';
import { startPostgres } from '../test/support/postgres.js';

const PHASES = [
  { key: 'a_ingest', label: 'ingest' },
  { key: 'b_search', label: 'runs/search' },
  { key: 'c_get_history', label: 'metrics/get-history' },
  { key: 'd_get_run', label: 'runs/get' },
] as const;
type PhaseKey = (typeof PHASES)[number]['key'];

/** Cairn/MLflow throughput ratio targets; ingest at 8 clients also needs p99 <= 20 ms. */
const RATIO_TARGET: Record<PhaseKey, number> = { a_ingest: 10, b_search: 20, c_get_history: 5, d_get_run: 5 };
const INGEST_P99_TARGET_MS = 20;

interface PhaseResult {
  requests: number;
  errors: number;
  wall_s: number;
  throughput_rps: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  by_endpoint?: Record<string, { p50_ms: number; p95_ms: number; p99_ms: number }>;
  error_samples?: string[];
}
interface BenchJson {
  phases: Record<PhaseKey, PhaseResult>;
  total_wall_s: number;
  total_errors: number;
}

const log = (msg: string) =>
  process.stderr.write(`[bench tracking ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const loadavg = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function runLoad(
  url: string,
  clients: number,
  runs: number,
  calls: number,
  outFile: string,
  label: string,
  login?: { username: string; password: string },
): Promise<BenchJson> {
  const script = path.join(sharedDir(), 'anchors/mlflow/bench_tracking.py');
  // with a login, the same workload through a wrapper that adds the Basic header to every request
  const prefix = login ? [path.join(REPO_ROOT, 'bench/support/bench_tracking_auth.py')] : [];
  const res = await exec(
    DEBIAN_PYTHON,
    [
      ...prefix,
      script,
      '--url',
      url,
      '-c',
      String(clients),
      '-r',
      String(runs),
      '--calls',
      String(calls),
      '--label',
      label,
      '--out',
      outFile,
    ],
    login ? { MLFLOW_TRACKING_USERNAME: login.username, MLFLOW_TRACKING_PASSWORD: login.password } : undefined,
  );
  process.stderr.write(
    `${res.out
      .trimEnd()
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n')}\n`,
  );
  try {
    return JSON.parse(readFileSync(outFile, 'utf8')) as BenchJson;
  } catch {
    throw new Error(`bench_tracking.py exited ${res.code} without results:\n${res.out}`);
  }
}

async function benchMlflow(clients: number, o: Options, outDir: string, rep: number): Promise<BenchJson> {
  return withMlflowServer('mlflow-bench-', (url, port) => {
    log(`MLflow C=${clients} on :${port} (load ${loadavg()})`);
    return runLoad(
      url,
      clients,
      o.runs,
      o.calls,
      path.join(outDir, `mlflow-c${clients}-rep${rep}.json`),
      'mlflow-2.17.2',
    );
  });
}

/** The load generator against a do-nothing server: the most any server can show on this machine. */
async function benchCeiling(clients: number, o: Options, outDir: string): Promise<BenchJson> {
  const nul = await startNullTrackingServer();
  try {
    log(`client ceiling C=${clients} (null server, load ${loadavg()})`);
    return await runLoad(
      nul.url,
      clients,
      o.runs,
      o.calls,
      path.join(outDir, `ceiling-c${clients}.json`),
      'null server',
    );
  } finally {
    await nul.close();
  }
}

const BENCH_LOGIN = { username: 'bench-admin', password: 'bench-password-not-secret' };

async function benchCairn(clients: number, o: Options, outDir: string, rep: number, auth = false): Promise<BenchJson> {
  const extraArgs = o.runCacheSize === undefined ? [] : ['--run-cache-size', String(o.runCacheSize)];
  if (auth) extraArgs.push('--auth');
  const env = auth
    ? { CAIRN_ADMIN_USERNAME: BENCH_LOGIN.username, CAIRN_ADMIN_PASSWORD: BENCH_LOGIN.password }
    : undefined;
  const server = await startCairnServer({ workers: o.workers, extraArgs, env });
  const label = `cairn workers=${o.workers}${o.runCacheSize === undefined ? '' : ` run-cache-size=${o.runCacheSize}`}${auth ? ' --auth' : ''}`;
  try {
    await new Promise((r) => setTimeout(r, 1000));
    log(`Cairn C=${clients} ${label} on :${server.port} (load ${loadavg()})`);
    return await runLoad(
      server.url,
      clients,
      o.runs,
      o.calls,
      path.join(outDir, `cairn${auth ? '-auth' : ''}-c${clients}-rep${rep}.json`),
      label,
      auth ? BENCH_LOGIN : undefined,
    );
  } finally {
    await server.stop();
    server.cleanup();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Per-metric median over repetitions (as the anchor's run_bench.sh reports); errors are summed. */
function medianOf(reps: BenchJson[]): BenchJson {
  if (reps.length === 1) return reps[0];
  const phases = {} as Record<PhaseKey, PhaseResult>;
  for (const { key } of PHASES) {
    const ps = reps.map((r) => r.phases[key]);
    const endpoints = Object.keys(ps[0].by_endpoint ?? {});
    phases[key] = {
      requests: median(ps.map((p) => p.requests)),
      errors: ps.reduce((a, p) => a + p.errors, 0),
      wall_s: median(ps.map((p) => p.wall_s)),
      throughput_rps: median(ps.map((p) => p.throughput_rps)),
      p50_ms: median(ps.map((p) => p.p50_ms)),
      p95_ms: median(ps.map((p) => p.p95_ms)),
      p99_ms: median(ps.map((p) => p.p99_ms)),
      max_ms: median(ps.map((p) => p.max_ms)),
      by_endpoint: Object.fromEntries(
        endpoints.map((ep) => [
          ep,
          {
            p50_ms: median(ps.map((p) => p.by_endpoint?.[ep]?.p50_ms ?? NaN)),
            p95_ms: median(ps.map((p) => p.by_endpoint?.[ep]?.p95_ms ?? NaN)),
            p99_ms: median(ps.map((p) => p.by_endpoint?.[ep]?.p99_ms ?? NaN)),
          },
        ]),
      ),
    };
  }
  return {
    phases,
    total_wall_s: median(reps.map((r) => r.total_wall_s)),
    total_errors: reps.reduce((a, r) => a + r.total_errors, 0),
  };
}

/** Creates an experiment through the store and bulk-loads runs with the store team's seeder. */
async function seedStore(
  uri: string,
  o: Options,
  artifactRoot: string,
): Promise<{ experimentId: string; seconds: number }> {
  const parsed = parseTrackingStoreUri(uri);
  const db: SqlDatabase =
    parsed.kind === 'sqlite'
      ? await openSqliteDatabase(parsed.filename)
      : new PostgresDatabase(parsed.connectionString);
  try {
    const store = new SqlTrackingStore(db, { defaultArtifactRoot: artifactRoot });
    await store.init();
    const experimentId = await store.createExperiment(`search-100k-${Date.now()}`);
    const t0 = performance.now();
    let lastTenth = -1;
    await seedRuns(db, {
      experimentId,
      runs: o.searchRuns,
      paramsPerRun: o.params,
      metricsPerRun: o.metrics,
      seed: 42,
      onProgress: (done) => {
        const tenth = Math.floor((10 * done) / o.searchRuns);
        if (tenth !== lastTenth) {
          lastTenth = tenth;
          log(`  seeded ${done}/${o.searchRuns}`);
        }
      },
    });
    return { experimentId, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await db.close();
  }
}

interface SearchResult {
  backend: string;
  mode: string;
  runs: number;
  seedSeconds: number;
  calls: number;
  rows: number;
  p50_ms: number;
  p95_ms: number;
  mean_ms: number;
  max_ms: number;
  correct: boolean;
}

const pct = (sorted: number[], p: number) => {
  const k = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(k);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (k - lo);
};

/** Times `calls` identical searches against one server after 3 warm-up calls, checking each answer. */
async function timeSearches(url: string, experimentId: string, calls: number) {
  const body = JSON.stringify({
    experiment_ids: [experimentId],
    filter: 'metrics.m0 > 0.5',
    order_by: ['metrics.m1 DESC'],
    max_results: 100,
    run_view_type: 'ACTIVE_ONLY',
  });
  const call = async () => {
    const t0 = performance.now();
    const res = await fetch(`${url}/api/2.0/mlflow/runs/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const json = (await res.json()) as { runs?: Array<{ data: { metrics?: Array<{ key: string; value: number }> } }> };
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`runs/search HTTP ${res.status}: ${JSON.stringify(json).slice(0, 300)}`);
    return { ms, runs: json.runs ?? [] };
  };
  for (let i = 0; i < 3; i++) await call(); // warm-up (JIT, page cache, statement cache)
  const times: number[] = [];
  let rows = 0;
  let correct = true;
  for (let i = 0; i < calls; i++) {
    const { ms, runs } = await call();
    times.push(ms);
    rows += runs.length;
    const m = (r: (typeof runs)[number], k: string) => r.data.metrics?.find((x) => x.key === k)?.value ?? NaN;
    if (
      runs.length !== 100 ||
      runs.some((r) => !(m(r, 'm0') > 0.5)) ||
      runs.some((r, j) => j > 0 && m(runs[j - 1], 'm1') < m(r, 'm1'))
    )
      correct = false;
  }
  times.sort((a, b) => a - b);
  return {
    calls,
    rows,
    correct,
    p50_ms: pct(times, 50),
    p95_ms: pct(times, 95),
    mean_ms: times.reduce((a, b) => a + b, 0) / times.length,
    max_ms: times[times.length - 1],
  };
}

/**
 * Seeds one store with the 100k runs and times the search through `cairn server`. On SQLite it
 * runs twice: with the run cache off (every call runs its SQL and reads its runs) and with the
 * server's default cache (repeated calls reuse the page while nothing is written).
 */
async function search100k(backend: 'sqlite' | 'postgres', o: Options): Promise<SearchResult[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `cairn-search-${backend}-`));
  let pgStop: (() => Promise<void>) | null = null;
  let uri = `sqlite:///${path.join(dir, 'cairn.db')}`;
  try {
    if (backend === 'postgres') {
      const pgServer = await startPostgres();
      uri = pgServer.uri;
      pgStop = () => pgServer.stop();
    }
    log(`seeding ${o.searchRuns} runs x ${o.params} params x ${o.metrics} metrics on ${backend}`);
    const seeded = await seedStore(uri, o, path.join(dir, 'artifacts'));
    log(`seeded ${backend} in ${seeded.seconds.toFixed(1)} s`);
    const modes = backend === 'sqlite' ? (['cache off', 'cache on'] as const) : (['no cache (PostgreSQL)'] as const);
    const results: SearchResult[] = [];
    for (const mode of modes) {
      const extraArgs = mode === 'cache off' ? ['--run-cache-size', '0'] : [];
      const server = await startCairnServer({ dataDir: dir, backendStoreUri: uri, workers: o.workers, extraArgs });
      try {
        log(`timing ${o.searchCalls} searches on ${backend}, ${mode} (load ${loadavg()})`);
        const timed = await timeSearches(server.url, seeded.experimentId, o.searchCalls);
        results.push({ backend, mode, runs: o.searchRuns, seedSeconds: seeded.seconds, ...timed });
      } finally {
        await server.stop();
      }
    }
    return results;
  } finally {
    if (pgStop) await pgStop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Options {
  clients: number[];
  runs: number;
  calls: number;
  workers: number;
  reps: number;
  ceiling: boolean;
  mlflow: boolean;
  cairn: boolean;
  search: boolean;
  load: boolean;
  backends: Array<'sqlite' | 'postgres'>;
  searchRuns: number;
  searchCalls: number;
  params: number;
  metrics: number;
  /** `cairn server --run-cache-size` for the load phases (default: the server's). */
  runCacheSize?: number;
  /** Also measure `cairn server --auth` (every request logged in), interleaved with Cairn without it. */
  auth: boolean;
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      clients: { type: 'string', default: '1,8' },
      runs: { type: 'string', default: '50' },
      calls: { type: 'string', default: '200' },
      workers: { type: 'string', default: '1' },
      reps: { type: 'string', default: '1' },
      'skip-mlflow': { type: 'boolean', default: false },
      'skip-cairn': { type: 'boolean', default: false },
      'skip-search': { type: 'boolean', default: false },
      'skip-ceiling': { type: 'boolean', default: false },
      'only-search': { type: 'boolean', default: false },
      backends: { type: 'string', default: 'sqlite,postgres' },
      'search-runs': { type: 'string', default: '100000' },
      'search-calls': { type: 'string', default: '50' },
      'run-cache-size': { type: 'string' },
      auth: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(`npm run bench -- tracking [--clients 1,8] [--runs 50] [--calls 200] [--workers 1] [--reps 1]
  [--skip-mlflow] [--skip-cairn] [--skip-ceiling] [--skip-search | --only-search] [--backends sqlite,postgres]
  [--search-runs 100000] [--search-calls 50] [--run-cache-size N (cairn server's; 0 = off)]
  [--auth (also cairn server --auth, every request logged in: the overhead of authentication)]`);
    process.exit(0);
  }
  return {
    clients: values.clients.split(',').map(Number),
    runs: Number(values.runs),
    calls: Number(values.calls),
    workers: Number(values.workers),
    reps: Math.max(1, Number(values.reps)),
    mlflow: !values['skip-mlflow'],
    cairn: !values['skip-cairn'],
    search: !values['skip-search'],
    ceiling: !values['skip-ceiling'],
    load: !values['only-search'],
    backends: values.backends.split(',').filter(Boolean) as Options['backends'],
    searchRuns: Number(values['search-runs']),
    searchCalls: Number(values['search-calls']),
    params: 10,
    metrics: 10,
    runCacheSize: values['run-cache-size'] === undefined ? undefined : Number(values['run-cache-size']),
    auth: values.auth,
  };
}

const f1 = (x: number | undefined) =>
  x === undefined || Number.isNaN(x) ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(1);

type LoadResults = Record<
  string,
  { mlflow?: BenchJson; cairn?: BenchJson; cairnAuth?: BenchJson; ceiling?: BenchJson }
>;

/** The issue's target for `--auth`: at most this much slower than without. */
const AUTH_SLOWDOWN_TARGET = 0.1;

function authTable(results: LoadResults): string {
  const lines = [
    '| C | phase | Cairn req/s | Cairn --auth req/s | slowdown | p50 / p99 ms | --auth p50 / p99 ms | met (≤ 10%) |',
    '|---|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const [c, r] of Object.entries(results)) {
    for (const { key, label } of PHASES) {
      const k = r.cairn?.phases[key];
      const a = r.cairnAuth?.phases[key];
      if (!k || !a) continue;
      const slowdown = 1 - a.throughput_rps / k.throughput_rps;
      lines.push(
        `| ${c} | ${label} | ${f1(k.throughput_rps)} | ${f1(a.throughput_rps)} | ${(slowdown * 100).toFixed(1)}% | ` +
          `${f1(k.p50_ms)} / ${f1(k.p99_ms)} | ${f1(a.p50_ms)} / ${f1(a.p99_ms)} | ${a.errors === 0 && slowdown <= AUTH_SLOWDOWN_TARGET ? 'yes' : '**no**'} |`,
      );
    }
  }
  return lines.join('\n');
}

function loadTable(results: LoadResults): { md: string; verdicts: Record<string, unknown> } {
  const lines = [
    '| C | phase | MLflow req/s | Cairn req/s | ratio | target | MLflow p50 / p99 ms | Cairn p50 / p99 ms | errors M/C | met | client ceiling req/s (p99 ms) |',
    '|---|---|---:|---:|---:|---|---:|---:|---:|---|---:|',
  ];
  const verdicts: Record<string, unknown> = {};
  for (const [c, r] of Object.entries(results)) {
    for (const { key, label } of PHASES) {
      const m = r.mlflow?.phases[key];
      const k = r.cairn?.phases[key];
      const z = r.ceiling?.phases[key];
      const ratio = m && k ? k.throughput_rps / m.throughput_rps : undefined;
      let target = `≥${RATIO_TARGET[key]}×`;
      let met = ratio !== undefined ? ratio >= RATIO_TARGET[key] : undefined;
      if (key === 'a_ingest' && c === '8') {
        target += `, p99 ≤ ${INGEST_P99_TARGET_MS} ms`;
        if (met !== undefined && k) met = met && k.p99_ms <= INGEST_P99_TARGET_MS;
      }
      if (k && k.errors > 0) met = false;
      verdicts[`C${c} ${label}`] = { ratio, met };
      lines.push(
        `| ${c} | ${label} | ${f1(m?.throughput_rps)} | ${f1(k?.throughput_rps)} | ${ratio === undefined ? '–' : `${ratio.toFixed(1)}×`} | ${target} | ` +
          `${f1(m?.p50_ms)} / ${f1(m?.p99_ms)} | ${f1(k?.p50_ms)} / ${f1(k?.p99_ms)} | ${m?.errors ?? '–'}/${k?.errors ?? '–'} | ${met === undefined ? '–' : met ? 'yes' : '**no**'} | ${z ? `${f1(z.throughput_rps)} (${f1(z.p99_ms)})` : '–'} |`,
      );
    }
  }
  return { md: lines.join('\n'), verdicts };
}

function ingestEndpointTable(results: LoadResults): string {
  const lines = ['| C | endpoint | MLflow p50 / p99 ms | Cairn p50 / p99 ms |', '|---|---|---:|---:|'];
  for (const [c, r] of Object.entries(results)) {
    const eps = Object.keys(r.cairn?.phases.a_ingest.by_endpoint ?? r.mlflow?.phases.a_ingest.by_endpoint ?? {});
    for (const ep of eps) {
      const m = r.mlflow?.phases.a_ingest.by_endpoint?.[ep];
      const k = r.cairn?.phases.a_ingest.by_endpoint?.[ep];
      lines.push(`| ${c} | ${ep} | ${f1(m?.p50_ms)} / ${f1(m?.p99_ms)} | ${f1(k?.p50_ms)} / ${f1(k?.p99_ms)} |`);
    }
  }
  return lines.join('\n');
}

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const outDir = path.join(REPO_ROOT, 'bench/out', `tracking-${stamp}`);
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
    note: 'load generator (bench_tracking.py, Debian python3) and server share the same cores',
  };
  const results: LoadResults = {};
  const ceilings: Record<string, BenchJson> = {};
  if (o.load) {
    // MLflow and Cairn interleaved per repetition and concurrency, so both see the same machine
    const raw: Record<string, { mlflow: BenchJson[]; cairn: BenchJson[]; cairnAuth: BenchJson[] }> = {};
    if (o.ceiling) for (const c of o.clients) ceilings[c] = await benchCeiling(c, o, outDir);
    for (let rep = 1; rep <= o.reps; rep++) {
      for (const c of o.clients) {
        raw[c] ??= { mlflow: [], cairn: [], cairnAuth: [] };
        if (o.mlflow) raw[c].mlflow.push(await benchMlflow(c, o, outDir, rep));
        if (o.cairn) raw[c].cairn.push(await benchCairn(c, o, outDir, rep));
        if (o.auth) raw[c].cairnAuth.push(await benchCairn(c, o, outDir, rep, true));
      }
    }
    for (const [c, r] of Object.entries(raw)) {
      results[c] = {
        mlflow: r.mlflow.length ? medianOf(r.mlflow) : undefined,
        cairn: r.cairn.length ? medianOf(r.cairn) : undefined,
        cairnAuth: r.cairnAuth.length ? medianOf(r.cairnAuth) : undefined,
        ceiling: ceilings[c],
      };
    }
  }
  const search: SearchResult[] = [];
  const searchErrors: Record<string, string> = {};
  if (o.search) {
    for (const b of o.backends) {
      try {
        search.push(...(await search100k(b, o)));
      } catch (e) {
        searchErrors[b] = (e as Error).message;
        log(`search ${b} failed: ${(e as Error).message.split('\n')[0]}`);
      }
    }
  }
  const { md: loadMd, verdicts } = loadTable(results);
  const searchMd = [
    `| store | server | runs | seed s | calls | p50 ms | p95 ms | mean ms | max ms | 100 rows, filter + order correct |`,
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...search.map(
      (s) =>
        `| ${s.backend} | ${s.mode} | ${s.runs} | ${s.seedSeconds.toFixed(1)} | ${s.calls} | ${f1(s.p50_ms)} | ${f1(s.p95_ms)} | ${f1(s.mean_ms)} | ${f1(s.max_ms)} | ${s.correct ? 'yes' : '**no**'} |`,
    ),
    ...Object.entries(searchErrors).map(
      ([b, e]) => `| ${b} | – | – | – | – | – | – | – | – | failed: ${e.split('\n')[0].slice(0, 120)} |`,
    ),
  ].join('\n');
  const raw = {
    meta: { ...meta, loadavg_end: os.loadavg() },
    load: results,
    verdicts,
    search100k: search,
    searchErrors,
  };
  writeFileSync(path.join(outDir, 'summary.json'), JSON.stringify(raw, null, 2));

  const md = [
    `### Tracking server: Cairn vs MLflow 2.17.2 (${meta.date.slice(0, 10)}, ${meta.cpus} × ${meta.cpu}, ${meta.mem_gib} GiB)`,
    '',
    `bench_tracking.py -r ${o.runs} --calls ${o.calls}; fresh server and SQLite store per concurrency and repetition, median of ${o.reps}; MLflow = default` +
      ` \`mlflow server\` (4 gunicorn sync workers); Cairn = \`cairn server --workers ${o.workers}${o.runCacheSize === undefined ? '' : ` --run-cache-size ${o.runCacheSize}`}\`. Load ${meta.loadavg_start.map((x) => x.toFixed(2)).join('/')} at start.` +
      ' "Client ceiling" = the same load generator against a do-nothing server (bench/support/null-tracking-server.ts)' +
      ' in the same run: no server can show more than that on this machine.',
    '',
    o.load ? loadMd : '(load phases skipped)',
    '',
    o.load ? `Ingest latency by endpoint:\n\n${ingestEndpointTable(results)}\n` : '',
    o.load && o.auth
      ? `Authentication overhead: the same workload against \`cairn server --auth\`, every request logged in with HTTP Basic (bench/support/bench_tracking_auth.py), interleaved with Cairn without it:\n\n${authTable(results)}\n`
      : '',
    `Search over ${o.searchRuns.toLocaleString('en-US')} runs × ${o.params} params × ${o.metrics} metrics: \`metrics.m0 > 0.5\` ORDER BY \`metrics.m1 DESC\`, max_results 100, ${o.searchCalls} sequential calls via REST after 3 warm-up calls (Cairn --workers ${o.workers}; runs bulk-loaded by bench/support/seed-runs.ts, which ends with ANALYZE; PostgreSQL 15 from test/support/postgres.ts, fsync off):`,
    '',
    o.search ? searchMd : '(search skipped)',
    '',
    `Raw JSON: ${path.relative(REPO_ROOT, outDir)}/`,
  ].join('\n');
  writeFileSync(path.join(outDir, 'summary.md'), `${md}\n`);
  console.log(md);
}
