// Benchmark: search 100,000 runs x 10 params x 10 metrics with `metrics.m0 > 0.5` ordered by
// `metrics.m1 DESC`, max_results 100, on SQLite and on a real PostgreSQL 15. Prints p50/p95.
// Run: npm run bench -- tracking-search [runs]   (default 100000)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresDatabase } from '../src/db/postgres-database.js';
import type { SqlDatabase } from '../src/db/sql-database.js';
import { SqlTrackingStore } from '../src/tracking/sql/sql-tracking-store.js';
import { openSqliteDatabase } from '../src/db/sqlite-database.js';
import type { SearchRunsQuery } from '../src/tracking/store.js';
import { startPostgres } from '../test/support/postgres.js';
import { seedRuns } from './support/seed-runs.js';

const REPEATS = 30;
let RUNS = 100_000;

function progress(label: string): (done: number) => void {
  return (done) => {
    if (process.stdout.isTTY) process.stdout.write(`\r${label}: seeded ${done}/${RUNS}`);
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function measure(label: string, db: SqlDatabase): Promise<void> {
  const store = new SqlTrackingStore(db, { defaultArtifactRoot: '/artifacts' });
  await store.init();
  const exp = await store.createExperiment('bench');
  const t0 = performance.now();
  await seedRuns(db, {
    experimentId: exp,
    runs: RUNS,
    paramsPerRun: 10,
    metricsPerRun: 10,
    onProgress: progress(label),
  });
  if (process.stdout.isTTY) process.stdout.write('\n');
  console.log(`${label}: seeded ${RUNS} runs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const queries: [string, SearchRunsQuery][] = [
    [
      'm0 > 0.5 order m1 DESC',
      { experimentIds: [exp], filter: 'metrics.m0 > 0.5', orderBy: ['metrics.m1 DESC'], maxResults: 100 },
    ],
    [
      'm0 > 0.5 order m1 DESC page 3',
      {
        experimentIds: [exp],
        filter: 'metrics.m0 > 0.5',
        orderBy: ['metrics.m1 DESC'],
        maxResults: 100,
        pageToken: Buffer.from('{"offset":200}').toString('base64'),
      },
    ],
    ['default order (start_time DESC)', { experimentIds: [exp], maxResults: 100 }],
    [
      "params.p0 = '7' order m2 ASC",
      { experimentIds: [exp], filter: "params.p0 = '7'", orderBy: ['metrics.m2 ASC'], maxResults: 100 },
    ],
    [
      'm0 > 0.999 (selective) order m1 DESC',
      { experimentIds: [exp], filter: 'metrics.m0 > 0.999', orderBy: ['metrics.m1 DESC'], maxResults: 100 },
    ],
    [
      "tags.mlflow.runName = 'run-5' order m1 DESC",
      { experimentIds: [exp], filter: "tags.mlflow.runName = 'run-5'", orderBy: ['metrics.m1 DESC'], maxResults: 100 },
    ],
    [
      'm0 > 0.5 order params.p1 DESC',
      { experimentIds: [exp], filter: 'metrics.m0 > 0.5', orderBy: ['params.p1 DESC'], maxResults: 100 },
    ],
  ];
  for (const [name, query] of queries) {
    const times: number[] = [];
    let count = 0;
    for (let i = 0; i < REPEATS; i += 1) {
      const s = performance.now();
      count = (await store.searchRuns(query)).items.length;
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    console.log(
      `${label}: ${name}: ${count} runs, p50 ${percentile(times, 0.5).toFixed(1)} ms, p95 ${percentile(times, 0.95).toFixed(1)} ms`,
    );
  }
  await store.close();
}

export async function run(args: string[]): Promise<void> {
  if (args[0] !== undefined) RUNS = Number(args[0]);
  if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`usage: tracking-search [runs]; got ${args[0]}`);
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-'));
  try {
    await measure('sqlite', await openSqliteDatabase(join(dir, 'bench.db')));
    const pg = await startPostgres();
    try {
      await measure('postgres', new PostgresDatabase(pg.uri));
    } finally {
      await pg.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
