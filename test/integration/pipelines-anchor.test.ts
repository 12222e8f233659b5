// The pipelines benchmark's Python anchor (bench/support/pipelines_anchor.py) in --smoke mode against
// the real MLflow 2.17.2 server: the runs it claims to log are on the server (read back over MLflow's
// REST API), with their metrics, tags, plots, model and the nested trial runs under one parent.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANCHOR_SCRIPT, parseJsonOutput, runTimed } from '../../bench/support/pipelines-runs.js';
import { DEBIAN_PYTHON, freePort, mlflowPythonEnv, startMlflowScript, waitForHealth } from '../support/cairn-server.js';
import { lacks } from '../support/requirements.js';
import { sharedDataDir } from '../support/shared.js';

interface RestRun {
  info: { run_id: string; run_name: string; status: string };
  data: {
    metrics?: Array<{ key: string; value: number }>;
    params?: Array<{ key: string; value: string }>;
    tags?: Array<{ key: string; value: string }>;
  };
}

describe.skipIf(lacks('mlflow-python', 'sklearn', 'xgboost', 'shared-data'))(
  'pipelines anchor against the real MLflow server',
  () => {
    let port = 0;
    let url = '';
    const data = mkdtempSync(path.join(os.tmpdir(), 'cairn-pipelines-anchor-'));
    const script = (action: string) =>
      spawnSync('bash', [startMlflowScript(), action, String(port)], {
        env: { ...process.env, MLFLOW_DATA: data, MLFLOW_WORKERS: '1' },
        encoding: 'utf8',
        timeout: 300_000,
      });
    const post = async <T>(route: string, body: unknown): Promise<T> => {
      const res = await fetch(`${url}/api/2.0/mlflow/${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, route).toBe(200);
      return (await res.json()) as T;
    };
    const get = async <T>(route: string): Promise<T> => {
      const res = await fetch(`${url}/api/2.0/${route}`);
      expect(res.status, route).toBe(200);
      return (await res.json()) as T;
    };
    const runsOf = async (experiment: string): Promise<RestRun[]> => {
      const exp = await get<{ experiment: { experiment_id: string } }>(
        `mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(experiment)}`,
      );
      const found = await post<{ runs?: RestRun[] }>('runs/search', {
        experiment_ids: [exp.experiment.experiment_id],
        max_results: 1000,
      });
      return found.runs ?? [];
    };
    const tag = (r: RestRun, k: string) => r.data.tags?.find((t) => t.key === k)?.value;
    const metric = (r: RestRun, k: string) => r.data.metrics?.find((m) => m.key === k)?.value;
    let doc: Record<string, any>;

    beforeAll(async () => {
      port = await freePort();
      const res = script('start');
      if (res.status !== 0) throw new Error(`start_mlflow.sh start failed: ${res.stderr}`);
      url = `http://127.0.0.1:${port}`;
      await waitForHealth(url, 120_000);
      const cwd = mkdtempSync(path.join(os.tmpdir(), 'cairn-pipelines-anchor-cwd-'));
      const t = await runTimed(
        DEBIAN_PYTHON,
        [ANCHOR_SCRIPT, '--tracking-uri', url, '--data-dir', sharedDataDir(), '--smoke'],
        { env: { ...mlflowPythonEnv(), MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR: 'false' }, cwd },
      );
      rmSync(cwd, { recursive: true, force: true });
      if (t.code !== 0) throw new Error(`anchor exited ${t.code}:\n${t.stderr.slice(-3000)}`);
      const parsed = parseJsonOutput(t.stdout);
      if (!parsed) throw new Error(`anchor printed no JSON:\n${t.stdout.slice(-2000)}`);
      doc = parsed;
    }, 900_000);

    afterAll(() => {
      if (port) script('stop');
      rmSync(data, { recursive: true, force: true });
    });

    it('heart: one finished run per family with CV metrics, tags, plots and the model', async () => {
      const runs = await runsOf('heart-disease');
      expect(runs.map((r) => r.info.run_name).sort()).toEqual(['heart-dt', 'heart-lr']);
      for (const r of runs) {
        const family = r.info.run_name.slice('heart-'.length);
        expect(r.info.status).toBe('FINISHED');
        expect(tag(r, 'cairn.model.family')).toBe(family);
        expect(tag(r, 'cairn.dataset.digest')).toMatch(/^[0-9a-f]{64}$/);
        expect(tag(r, 'mlflow.log-model.history')).toContain('"artifact_path": "model"');
        for (const m of ['accuracy', 'precision_1', 'recall_1', 'f1_1', 'roc_auc', 'pr_auc'])
          for (const k of [m, `${m}_std`, `holdout_${m}`]) expect(metric(r, k), `${family} ${k}`).toBeTypeOf('number');
        expect(r.data.params?.find((p) => p.key === 'cv_folds')?.value).toBe('2');
        // the figure the anchor printed is the one on the server
        expect(metric(r, 'roc_auc')).toBeCloseTo(doc.phases.heart.models[family].cv.roc_auc.mean, 12);
        const files = await get<{ files?: Array<{ path: string }> }>(
          `mlflow/artifacts/list?run_id=${r.info.run_id}&path=plots`,
        );
        const names = (files.files ?? []).map((f) => path.basename(f.path));
        if (doc.plots) expect(names).toEqual(expect.arrayContaining(['confusion_matrix.png', 'roc_curve.png']));
      }
      // a floor that can fail: logistic regression on the UCI data, 2-fold CV
      expect(doc.phases.heart.models.lr.cv.roc_auc.mean).toBeGreaterThan(0.85);
    });

    it('stroke: three TPE trials nested under one parent, the best tagged on both', async () => {
      const runs = await runsOf('stroke');
      const parent = runs.find((r) => tag(r, 'cairn.tuning.role') === 'parent');
      expect(parent).toBeDefined();
      const trials = runs.filter((r) => tag(r, 'cairn.tuning.role') === 'trial');
      expect(trials).toHaveLength(3);
      for (const t of trials) {
        expect(tag(t, 'mlflow.parentRunId')).toBe(parent!.info.run_id);
        expect(metric(t, 'pr_auc')).toBeTypeOf('number');
        expect(t.data.params?.map((p) => p.key).sort()).toEqual([
          'max_depth',
          'max_features',
          'min_samples_leaf',
          'n_estimators',
        ]);
      }
      const best = trials.filter((t) => tag(t, 'cairn.tuning.best') === 'true');
      expect(best).toHaveLength(1);
      expect(tag(parent!, 'best_trial_run_id')).toBe(best[0].info.run_id);
      expect(Math.max(...trials.map((t) => metric(t, 'pr_auc')!))).toBe(metric(best[0], 'pr_auc'));
      expect(metric(best[0], 'roc_auc')).toBeCloseTo(doc.phases.stroke.tuning.best.roc_auc, 12);
      expect(doc.phases.stroke.tuning.trials).toBe(3);
    });
  },
);
