// Seeds an experiment with many runs (params, metrics with history, latest metrics, run-name
// tags) straight through SQL in large batched transactions, for search benchmarks. Values are
// uniform in [0, 1) from a seeded generator, so every seeding with one seed is identical.
import { randomUUID } from 'node:crypto';
import type { SqlDatabase, SqlValue } from '../../src/db/sql-database.js';

export interface SeedOptions {
  experimentId: string;
  runs: number;
  paramsPerRun: number;
  metricsPerRun: number;
  seed?: number;
  runsPerTransaction?: number;
  onProgress?: (done: number) => void;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROWS_PER_STATEMENT = 1000;

async function insertMany(
  tx: { run(sql: string, params?: SqlValue[]): Promise<unknown> },
  head: string,
  width: number,
  rows: SqlValue[][],
): Promise<void> {
  const tuple = `(${new Array(width).fill('?').join(', ')})`;
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    await tx.run(`${head} VALUES ${new Array(chunk.length).fill(tuple).join(', ')}`, chunk.flat());
  }
}

export async function seedRuns(db: SqlDatabase, options: SeedOptions): Promise<void> {
  const random = mulberry32(options.seed ?? 42);
  const perTx = options.runsPerTransaction ?? 1000;
  const expId = Number(options.experimentId);
  const t0 = 1_700_000_000_000;
  for (let start = 0; start < options.runs; start += perTx) {
    const n = Math.min(perTx, options.runs - start);
    const runs: SqlValue[][] = [];
    const tags: SqlValue[][] = [];
    const params: SqlValue[][] = [];
    const metrics: SqlValue[][] = [];
    for (let i = 0; i < n; i += 1) {
      const id = randomUUID().replace(/-/g, '');
      const index = start + i;
      const name = `run-${index}`;
      runs.push([
        id,
        name,
        'bench',
        'FINISHED',
        t0 + index * 1000,
        t0 + index * 1000 + 500,
        'active',
        `/artifacts/${expId}/${id}/artifacts`,
        expId,
      ]);
      tags.push([id, 'mlflow.runName', name]);
      for (let p = 0; p < options.paramsPerRun; p += 1) params.push([id, `p${p}`, String(Math.floor(random() * 100))]);
      for (let m = 0; m < options.metricsPerRun; m += 1) metrics.push([id, `m${m}`, random(), t0 + index * 1000, 0, 0]);
    }
    await db.transaction(async (tx) => {
      await insertMany(
        tx,
        'INSERT INTO runs (run_uuid, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri, experiment_id)',
        9,
        runs,
      );
      await insertMany(tx, 'INSERT INTO tags (run_uuid, key, value)', 3, tags);
      await insertMany(tx, 'INSERT INTO params (run_uuid, key, value)', 3, params);
      await insertMany(tx, 'INSERT INTO metrics (run_uuid, key, value, timestamp, step, is_nan)', 6, metrics);
      await insertMany(tx, 'INSERT INTO latest_metrics (run_uuid, key, value, timestamp, step, is_nan)', 6, metrics);
    });
    options.onProgress?.(start + n);
  }
  // Fresh statistics let both planners pick the metric index for metric filters and sorts.
  await db.exec('ANALYZE');
}
