// CPU per request of the tracking server's hot paths, in-process (Fastify `inject`, no sockets), so
// the figure holds on a busy shared machine where wall-clock benchmarks do not. Mirrors the
// anchor's bench_tracking.py workload: 400 runs ingested (create, log-batch of 10 params + 100
// metric points, 2 × set-tag, update), then runs/search (metrics.m0 > 0.5 ORDER BY metrics.m1
// DESC, 100 rows), metrics/get-history and runs/get.
//
// The store is opened as `cairn server` opens it (with its run cache); --uncached measures without.
//
//   npx tsx bench/support/tracking-microbench.ts [--runs 400] [--calls 300] [--uncached]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { buildApp } from '../../src/server/app.js';
import { openTrackingStore } from '../../src/tracking/open-store.js';
import { DEFAULT_RUN_CACHE_CAPACITY } from '../../src/tracking/sql/run-cache.js';

const API = '/api/2.0/mlflow';

interface Timing {
  cpuUs: number[];
}
const timings = new Map<string, Timing>();

function record(name: string, cpuUs: number): void {
  let t = timings.get(name);
  if (!t) {
    t = { cpuUs: [] };
    timings.set(name, t);
  }
  t.cpuUs.push(cpuUs);
}

async function timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const before = process.cpuUsage();
  const out = await fn();
  const d = process.cpuUsage(before);
  record(name, d.user + d.system);
  return out;
}

function summary(): string {
  const rows = ['| op | n | mean µs | p50 µs | p99 µs |', '|---|---:|---:|---:|---:|'];
  for (const [name, t] of timings) {
    const s = [...t.cpuUs].sort((a, b) => a - b);
    const mean = s.reduce((a, b) => a + b, 0) / s.length;
    const p = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
    rows.push(`| ${name} | ${s.length} | ${mean.toFixed(0)} | ${p(0.5)} | ${p(0.99)} |`);
  }
  return rows.join('\n');
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '400' },
      calls: { type: 'string', default: '300' },
      uncached: { type: 'boolean', default: false },
    },
  });
  const nRuns = Number(values.runs);
  const calls = Number(values.calls);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-microbench-'));
  const store = await openTrackingStore(`sqlite:///${path.join(dir, 'cairn.db')}`, {
    defaultArtifactRoot: path.join(dir, 'artifacts'),
    runCacheCapacity: values.uncached ? undefined : DEFAULT_RUN_CACHE_CAPACITY,
  });
  const app = await buildApp({ store, serveArtifacts: false, logger: pino({ level: 'warn' }) });
  await app.ready();
  const post = async (name: string, url: string, body: unknown) => {
    const res = await timed(name, () =>
      app.inject({
        method: 'POST',
        url: API + url,
        payload: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      }),
    );
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json() as Record<string, any>;
  };
  const get = async (name: string, url: string, query: Record<string, string>) => {
    const res = await timed(name, () => app.inject({ method: 'GET', url: API + url, query }));
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json() as Record<string, any>;
  };
  try {
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const exp = await post('experiments/create', '/experiments/create', { name: 'microbench' });
    const runIds: string[] = [];
    for (let j = 0; j < nRuns; j++) {
      const now = Date.now();
      const r = await post('runs/create', '/runs/create', {
        experiment_id: exp.experiment_id,
        start_time: now,
        run_name: `r${j}`,
        tags: [{ key: 'bench.client', value: '0' }],
      });
      const rid = r.run.info.run_id as string;
      runIds.push(rid);
      const params = Array.from({ length: 10 }, (_, k) => ({ key: `p${k}`, value: `v${k}-${Math.floor(rnd() * 10)}` }));
      const metrics = [];
      for (let m = 0; m < 10; m++)
        for (let s = 0; s < 10; s++) metrics.push({ key: `m${m}`, value: rnd(), timestamp: now + s, step: s });
      await post('runs/log-batch', '/runs/log-batch', { run_id: rid, params, metrics, tags: [] });
      await post('runs/set-tag', '/runs/set-tag', { run_id: rid, key: 'stage', value: 'bench' });
      await post('runs/set-tag', '/runs/set-tag', { run_id: rid, key: 'model', value: ['rf', 'lr', 'gb'][j % 3] });
      await post('runs/update', '/runs/update', { run_id: rid, status: 'FINISHED', end_time: Date.now() });
    }
    const searchBody = {
      experiment_ids: [exp.experiment_id],
      filter: 'metrics.m0 > 0.5',
      order_by: ['metrics.m1 DESC'],
      max_results: 100,
      run_view_type: 'ACTIVE_ONLY',
    };
    let rows = 0;
    for (let i = 0; i < calls; i++) rows += ((await post('runs/search', '/runs/search', searchBody)).runs ?? []).length;
    const query = {
      experimentIds: [exp.experiment_id],
      filter: 'metrics.m0 > 0.5',
      orderBy: ['metrics.m1 DESC'],
      maxResults: 100,
    };
    for (let i = 0; i < calls; i++) await timed('store.searchRuns', () => store.searchRuns(query));
    for (let i = 0; i < calls; i++)
      await get('metrics/get-history', '/metrics/get-history', {
        run_id: runIds[(i * 31) % runIds.length],
        metric_key: `m${i % 10}`,
      });
    for (let i = 0; i < calls; i++) await get('runs/get', '/runs/get', { run_id: runIds[(i * 17) % runIds.length] });
    console.log(`${nRuns} runs; search returned ${rows / calls} rows per call; CPU per op (user + system):\n`);
    console.log(summary());
  } finally {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main(process.argv.slice(2));
