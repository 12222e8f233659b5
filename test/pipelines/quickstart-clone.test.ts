// `cairn quickstart` from a fresh clone of this repository in a temp directory with no ../shared beside
// it (node_modules symlinked, run through tsx): it completes offline on the bundled data, registers
// heart-disease with @champion after a brief TPE search over the best family (nested runs), and a
// second run reuses the finished runs and the search instead of retraining.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient } from '../../src/client/cairn-client.js';
import { sha256Hex } from '../../src/models/package/manifest.js';
import { HEART_SHA256 } from '../../src/pipelines/data-source.js';
import { readFileSync } from 'node:fs';
import { PredictionLogStore } from '../../src/serving/prediction-log/prediction-log-store.js';
import { HEART_RECORD } from '../support/serving-model.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cairn-quickstart-'));
const clone = path.join(tmp, 'cairn');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function quickstart(
  args: string[] = [],
): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'quickstart', ...args], {
      cwd: clone,
      // nothing from this checkout's environment: no store, no shared folder
      env: { PATH: process.env.PATH ?? '', HOME: tmp, CAIRN_USER: 'quickstart-test' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (status) => resolve({ status, stdout, stderr, ms: Date.now() - t0 }));
  });
}

beforeAll(() => {
  const head = execFileSync('git', ['-C', REPO, 'rev-parse', 'HEAD']).toString().trim();
  execFileSync('git', ['clone', '--quiet', '--no-checkout', REPO, clone]);
  execFileSync('git', ['-C', clone, 'checkout', '--quiet', head]);
  symlinkSync(realpathSync(path.join(REPO, 'node_modules')), path.join(clone, 'node_modules'));
});

describe('cairn quickstart from a fresh clone', () => {
  it('ships the heart data, trains, registers heart-disease, sets champion; a re-run reuses', {
    timeout: 300_000,
  }, async () => {
    expect(existsSync(path.join(tmp, 'shared'))).toBe(false);
    expect(sha256Hex(readFileSync(path.join(clone, 'data', 'heart_disease_uci.csv')))).toBe(HEART_SHA256);

    const first = await quickstart();
    expect(first.stderr).toMatch(/\[5\/5\] knn done/);
    expect(first.status).toBe(0);
    expect(first.ms).toBeLessThan(120_000);
    expect(first.stdout).toMatch(/Models \(5-fold CV, mean ± std; \* = best by roc_auc\)/);
    expect(first.stdout).toMatch(/Registered: heart-disease v1 \(\w+, run [0-9a-f]{32}\) → Staging/);
    const tuning =
      /Tuning: (\w+), tpe, 12 trials asked: 12 finished, 0 failed, 0 pruned; parent run ([0-9a-f]{32})/.exec(
        first.stdout,
      );
    expect(tuning, first.stdout).not.toBeNull();
    const parentRunId = tuning![2];
    const won = /The tuned \w+ wins: fitted on the training split as run ([0-9a-f]{32})/.exec(first.stdout);
    expect(first.stdout).toMatch(/FAIL accuracy >= 0\.91/);
    expect(first.stdout).toMatch(/@champion → v1/);
    expect(first.stdout).toMatch(/Next:\n {2}cairn quickstart --serve/);

    const client = await CairnClient.open(`sqlite:///${clone}/cairn-data/cairn.db`);
    let runs: string[];
    try {
      const exp = await client.getExperimentByName('heart-disease');
      const all = await client.searchAllRuns([exp!.experimentId]);
      runs = all.map((r) => r.info.runId);
      const pipelineOf = (r: (typeof all)[number]) => r.data.tags.find((t) => t.key === 'cairn.pipeline')?.value;
      expect(all.filter((r) => pipelineOf(r) === 'train')).toHaveLength(5);
      // the brief search: one parent, 12 nested trials, and the tuned model's run when it won
      const trials = await client.searchAllRuns([exp!.experimentId], {
        filter: `tags.mlflow.parentRunId = '${parentRunId}'`,
      });
      expect(trials).toHaveLength(12);
      expect(trials.filter((r) => r.data.tags.some((t) => t.key === 'cairn.tuning.best'))).toHaveLength(1);
      expect(all.filter((r) => pipelineOf(r) === 'tuned')).toHaveLength(won ? 1 : 0);
      expect(runs).toHaveLength(5 + 1 + 12 + (won ? 1 : 0));
      const champion = await client.getModelVersionByAlias('heart-disease', 'champion');
      expect(champion.version).toBe('1');
      if (won) expect(champion.runId).toBe(won[1]);
      else expect(all.find((r) => r.info.runId === champion.runId)).toSatisfy((r) => pipelineOf(r!) === 'train');
      const loaded = await client.loadModel('models:/heart-disease@champion');
      expect(loaded.pipeline.predictProba).toBeTypeOf('function');
    } finally {
      await client.close();
    }

    const second = await quickstart();
    expect(second.status).toBe(0);
    expect(second.stderr).toMatch(/reusing 5 finished runs of this data/);
    expect(second.stderr).toMatch(new RegExp(`reusing the finished tpe search over \\w+ \\(run ${parentRunId}\\)`));
    expect(second.stdout).toMatch(/12 finished, 0 failed, 0 pruned \(found in the store\)/);
    expect(second.stdout).toMatch(/already registered by an earlier run as v1/);
    const again = await CairnClient.open(`sqlite:///${clone}/cairn-data/cairn.db`);
    try {
      const exp = await again.getExperimentByName('heart-disease');
      expect((await again.searchAllRuns([exp!.experimentId])).map((r) => r.info.runId).sort()).toEqual(runs.sort());
    } finally {
      await again.close();
    }
  });

  it('--serve: the tracking server and the champion scoring API until Ctrl-C, every prediction logged', {
    timeout: 180_000,
  }, async () => {
    // runs after the test above: the store holds the trained, registered heart-disease model
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'quickstart', '--serve', '--port', '0', '--scoring-port', '0'],
      { cwd: clone, env: { PATH: process.env.PATH ?? '', HOME: tmp, CAIRN_USER: 'quickstart-test' } },
    );
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.resume();
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      for (let i = 0; i < 600 && !stdout.includes('Press Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 200));
      const tracking = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      const scoring = /Scoring API: models:\/heart-disease@champion \(version 1\) at (http:\/\/127\.0\.0\.1:\d+)/.exec(
        stdout,
      )?.[1];
      expect(tracking, stdout).toBeDefined();
      expect(scoring, stdout).toBeDefined();
      const res = await fetch(`${scoring}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(HEART_RECORD),
      });
      const body = (await res.json()) as Record<string, unknown>;
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(body).toMatchObject({ model_name: 'heart-disease', model_version: '1' });
      expect([0, 1]).toContain(body.prediction);
      const search = await fetch(`${tracking}/api/2.0/mlflow/experiments/get-by-name?experiment_name=heart-disease`);
      expect(search.status).toBe(200);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    // the prediction was flushed to the log beside the store on the way out
    const log = await PredictionLogStore.open(`sqlite:///${clone}/cairn-data/predictions.db`);
    try {
      expect(await log.count()).toBe(1);
    } finally {
      await log.close();
    }
  });
});
