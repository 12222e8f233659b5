// Two OS processes on one PostgreSQL study (Optuna's RDB-storage setup): each trial number and
// parameter set runs once, the budget is shared, both processes contribute, every trial nests under
// one parent run, and each process's TPE saw the other's finished trials when it asked.
import { type ChildProcess, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../../test/support/postgres.js';
import { lacks } from '../../../test/support/requirements.js';
import { CairnClient } from '../../client/cairn-client.js';
import { openSqlStudyStorage } from './sql-study-storage.js';
import type { AskRecord } from './tune.js';

interface ProcessReport {
  pid: number;
  parentRunId: string;
  asked: AskRecord[];
  complete: boolean;
  error?: string;
}

const MAX_EVALS = 24;

/** Starts a tuning process; resolves `ready` once it has opened its stores, `done` with its report. */
function startProcess(uri: string, experimentId: string, study: string) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/tuning-study-process.ts', uri, experimentId, study, String(MAX_EVALS), '60'],
    { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout!.on('data', (d) => {
    out += d;
    if (out.includes('ready\n')) markReady();
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const done = new Promise<ProcessReport>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', () => {
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? ''));
      } catch {
        reject(new Error(`tuning process output: ${out}\n${err}`));
      }
    });
  });
  return { ready, done, go: () => child.stdin!.end('go\n') };
}

describe.skipIf(lacks('postgres'))('a study shared by two processes on PostgreSQL', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
  });

  it('runs each trial once, shares the budget and the history, and nests every trial under one parent', async () => {
    const uri = pg.uri;
    const client = await CairnClient.open(uri, { artifactRoot: path.join(tmpdir(), 'cairn-shared-study-artifacts') });
    try {
      const experimentId = await client.createExperiment('shared-study');
      const a = startProcess(uri, experimentId, 'heart-lr');
      const b = startProcess(uri, experimentId, 'heart-lr');
      await Promise.all([a.ready, b.ready]);
      a.go();
      b.go();
      const reports = await Promise.all([a.done, b.done]);
      expect(reports.map((r) => r.error)).toEqual([undefined, undefined]);

      // the study's rows: every number once, every parameter set once, both processes contributed
      const storage = await openSqlStudyStorage(uri);
      const rows = await storage.db.all<{ number: number; params: string; owner: string; state: string }>(
        'SELECT number, params, owner, state FROM tuning_trials ORDER BY number',
      );
      await storage.close();
      expect(rows.map((r) => Number(r.number))).toEqual(Array.from({ length: MAX_EVALS }, (_, i) => i));
      expect(rows.every((r) => r.state === 'COMPLETE')).toBe(true);
      expect(new Set(rows.map((r) => r.params)).size).toBe(MAX_EVALS);
      const owners = new Map<string, number>();
      for (const r of rows) owners.set(r.owner, (owners.get(r.owner) ?? 0) + 1);
      expect(owners.size).toBe(2);
      for (const n of owners.values()) expect(n).toBeGreaterThan(0);
      const asked = reports.flatMap((r) => r.asked.map((q) => q.number)).sort((x, y) => x - y);
      expect(asked).toEqual(rows.map((r) => Number(r.number)));

      // each process's sampler saw more finished trials than its own at some ask: the other's too
      for (const r of reports) {
        expect(r.asked.length).toBeGreaterThan(0);
        expect(r.asked.some((q, ownBefore) => q.observedTrials > ownBefore)).toBe(true);
      }

      // one parent for the study, every trial nested under it, closed with the best tagged
      expect(reports[0].parentRunId).toBe(reports[1].parentRunId);
      expect(reports.some((r) => r.complete)).toBe(true);
      const parentRunId = reports[0].parentRunId;
      const parents = await client.searchAllRuns([experimentId], { filter: "tags.`cairn.tuning.role` = 'parent'" });
      expect(parents.map((p) => p.info.runId)).toEqual([parentRunId]);
      const kids = await client.searchAllRuns([experimentId], {
        filter: `tags.mlflow.parentRunId = '${parentRunId}'`,
      });
      expect(kids).toHaveLength(MAX_EVALS);
      expect(kids.every((k) => k.info.status === 'FINISHED')).toBe(true);
      const parent = await client.getRun(parentRunId);
      expect(parent.info.status).toBe('FINISHED');
      const bestRunId = parent.data.tags.find((t) => t.key === 'best_trial_run_id')?.value;
      const best = kids.find((k) => k.info.runId === bestRunId)!;
      const score = (k: (typeof kids)[number]) => k.data.metrics.find((m) => m.key === 'score')!.value;
      expect(score(best)).toBe(Math.max(...kids.map(score)));
      expect(best.data.tags.find((t) => t.key === 'cairn.tuning.best')?.value).toBe('true');
    } finally {
      await client.close();
    }
  }, 240_000);
});
