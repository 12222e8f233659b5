// `cairn train … --tune` as a user runs it (a child process, SQLite store): one parent run with one
// nested run per trial, the best trial tagged, the --json tuning section matching the store, the
// trials scored by the same CV as the baseline runs, and registration of the winner.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CairnClient } from '../../src/client/cairn-client.js';
import { runReport } from '../../src/cli/report-command.js';
import { imbalanceSentence } from '../../src/pipelines/report/index.js';
import type { Run } from '../../src/tracking/entities.js';
import { runCairnCli } from '../support/cairn-cli.js';
import { decodePng, PNG_SIGNATURE } from '../support/png.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cairn-train-tune-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const METRICS = ['accuracy', 'precision_1', 'recall_1', 'f1_1', 'roc_auc', 'pr_auc'];
const tag = (run: Run, key: string) => run.data.tags.find((t) => t.key === key)?.value;
const metric = (run: Run, key: string) => run.data.metrics.find((m) => m.key === key)?.value;
const param = (run: Run, key: string) => run.data.params.find((p) => p.key === key)?.value;

/** ROC-AUC as the Mann-Whitney statistic: the share of (positive, negative) pairs ranked right, ties half. */
function pairwiseAuc(y: number[], p: number[]): number {
  let right = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      right += p[i] > p[j] ? 1 : p[i] === p[j] ? 0.5 : 0;
    }
  }
  return right / pairs;
}

async function withStore<T>(uri: string, f: (client: CairnClient) => Promise<T>): Promise<T> {
  const client = await CairnClient.open(uri);
  try {
    return await f(client);
  } finally {
    await client.close();
  }
}

describe('cairn train heart --models lr --tune tpe --max-evals 6', () => {
  it('logs a parent with 6 nested trials, tags the best, reports it in --json and registers the winner', {
    timeout: 240_000,
  }, async () => {
    const store = `sqlite:///${tmp}/tpe.db`;
    const res = await runCairnCli([
      'train',
      'heart',
      '--models',
      'lr',
      '--tune',
      'tpe',
      '--max-evals',
      '6',
      '--json',
      '--tracking-uri',
      store,
    ]);
    expect(res.stderr).toMatch(/tuning lr \(tpe, 6 trials/);
    expect(res.status).toBe(0);
    const doc = JSON.parse(res.stdout);
    const t = doc.tuning;
    expect(t).toMatchObject({ method: 'tpe', max_evals: 6, family: 'lr', metric: 'roc_auc' });
    expect(t.trials).toEqual({ finished: 6, failed: 0, pruned: 0 });
    const baseline = doc.models.find((m: { tuned: boolean }) => !m.tuned);
    expect(t.baseline_run_id).toBe(baseline.run_id);

    await withStore(store, async (client) => {
      const parent = await client.getRun(t.parent_run_id);
      expect(parent.info.status).toBe('FINISHED');
      expect(tag(parent, 'cairn.tuning.role')).toBe('parent');
      expect(tag(parent, 'cairn.tuning.baseline_run_id')).toBe(baseline.run_id);
      expect(tag(parent, 'best_trial_run_id')).toBe(t.best_trial_run_id);
      expect(metric(parent, 'best_roc_auc')).toBeCloseTo(t.best_value, 12);

      const trials = await client.searchAllRuns([doc.experiment.id], {
        filter: `tags.mlflow.parentRunId = '${t.parent_run_id}'`,
      });
      expect(trials).toHaveLength(6);
      for (const trial of trials) {
        expect(trial.info.status).toBe('FINISHED');
        expect(tag(trial, 'cairn.tuning.state')).toBe('COMPLETE');
        for (const m of METRICS) expect(metric(trial, m), `${trial.info.runName} ${m}`).toBeTypeOf('number');
        expect(Number(param(trial, 'model__C'))).toBeGreaterThan(0);
      }
      const best = trials.filter((r) => tag(r, 'cairn.tuning.best') === 'true');
      expect(best.map((r) => r.info.runId)).toEqual([t.best_trial_run_id]);
      expect(Math.max(...trials.map((r) => metric(r, 'roc_auc')!))).toBeCloseTo(t.best_value, 12);

      expect(t.won).toBe(t.best_value > baseline.cv.roc_auc.mean);
      if (t.won) {
        // the tuned run is the best trial's params fitted the same way: the same CV, the same value
        const tuned = await client.getRun(t.tuned_run_id);
        expect(tag(tuned, 'cairn.tuning.parent_run_id')).toBe(t.parent_run_id);
        expect(tag(tuned, 'cairn.pipeline')).toBe('tuned');
        expect(metric(tuned, 'roc_auc')).toBeCloseTo(t.best_value, 9);
        expect(Number(param(tuned, 'model__C'))).toBeCloseTo(t.best_params.model__C, 9);
        expect(doc.best).toEqual({ family: 'lr', run_id: t.tuned_run_id, tuned: true });
        expect(doc.registered.run_id).toBe(t.tuned_run_id);
        const model = await client.loadModel(`runs:/${t.tuned_run_id}/model`);
        expect(model.pipeline.predictProba).toBeTypeOf('function');
      } else {
        expect(t.tuned_run_id).toBeNull();
        expect(doc.registered.run_id).toBe(baseline.run_id);
      }
      const version = await client.getModelVersionByAlias('heart-disease', 'champion');
      expect(version.runId).toBe(doc.registered.run_id);

      // evaluation plots on every model run; the search-progress chart on the parent
      const read = (runId: string, file: string) => client.readArtifact(runId, file);
      const modelRunIds: string[] = doc.models.map((m: { run_id: string }) => m.run_id);
      for (const runId of modelRunIds) {
        const run = await client.getRun(runId);
        const png = await read(runId, 'plots/confusion_matrix.png');
        expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
        expect(decodePng(png).width).toBeGreaterThan(100);
        expect((await read(runId, 'plots/roc_curve.svg')).toString()).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
        // the plots draw the pooled out-of-fold predictions logged in evaluation/evaluation.json: the
        // curve's AUC is theirs (computed here independently), close to but not the mean of per-fold AUCs
        const roc = JSON.parse((await read(runId, 'plots/roc_curve.json')).toString());
        const evaluation = JSON.parse((await read(runId, 'evaluation/evaluation.json')).toString());
        const oof = evaluation.out_of_fold;
        expect(roc.auc).toBeCloseTo(pairwiseAuc(oof.y_true, oof.proba_1), 3);
        expect(Math.abs(roc.auc - metric(run, 'roc_auc')!)).toBeLessThan(0.05);
        const positives = oof.y_true.filter((v: number) => v === 1).length;
        expect(Number(tag(run, 'positive_rate'))).toBeCloseTo(positives / oof.y_true.length, 5);
      }
      const progress = await read(t.parent_run_id, 'plots/search_progress.png');
      expect(decodePng(progress).height).toBeGreaterThan(100);
      expect((await read(t.parent_run_id, 'plots/search_progress.svg')).toString()).toContain('<svg');

      // `cairn report` overlays the model runs' ROC curves (trials and the parent have none: they are
      // the only runs its "No ROC curve" note may name)
      const report = await runReport(client, { experiment: doc.experiment.name, out: path.join(tmp, 'report') });
      const reported = report.data.runs.filter((r) => modelRunIds.includes(r.run.info.runId));
      expect(reported).toHaveLength(modelRunIds.length);
      for (const r of reported) expect(r.roc.ok, r.run.info.runName).toBe(true);
      const html = readFileSync(report.files.html, 'utf8');
      const rocSection = html.slice(
        html.indexOf('<h2>ROC curves</h2>'),
        html.indexOf('<h2>', html.indexOf('<h2>ROC curves</h2>') + 1),
      );
      const note = /<p class="note">No ROC curve for [^:]*:[^<]*<\/p>/.exec(rocSection)?.[0] ?? '';
      expect(note).toContain(' heart-lr-tuning ('); // the parent has no curve, and is named
      for (const r of reported) {
        expect(rocSection).toContain(r.run.info.runName);
        expect(note).not.toContain(` ${r.run.info.runName} (`); // the note lists `name (reason)`
      }
      // the class-balance sentence comes from the runs' positive_rate tag
      expect(report.data.imbalance.source).toMatch(/^tag positive_rate of run /);
      const sentence = imbalanceSentence(report.data);
      expect(sentence).toBeTypeOf('string');
      expect(html).toContain(sentence!.slice(0, 40));
    });
  });
});

describe('cairn train heart --models dt --tune grid --max-evals 4', () => {
  it('walks grid points of the decision tree space as nested runs', { timeout: 240_000 }, async () => {
    const store = `sqlite:///${tmp}/grid.db`;
    const res = await runCairnCli([
      'train',
      'heart',
      '--models',
      'dt',
      '--cv',
      '3',
      '--tune',
      'grid',
      '--max-evals',
      '4',
      '--json',
      '--no-register',
      '--tracking-uri',
      store,
    ]);
    expect(res.status, res.stderr).toBe(0);
    const t = JSON.parse(res.stdout).tuning;
    expect(t).toMatchObject({ method: 'grid', max_evals: 4, family: 'dt' });
    expect(t.trials).toEqual({ finished: 4, failed: 0, pruned: 0 });
    await withStore(store, async (client) => {
      const parent = await client.getRun(t.parent_run_id);
      const trials = await client.searchAllRuns([parent.info.experimentId], {
        filter: `tags.mlflow.parentRunId = '${t.parent_run_id}'`,
      });
      expect(trials.map((r) => r.info.runName).sort()).toEqual(['trial-0', 'trial-1', 'trial-2', 'trial-3']);
      const points = new Set<string>();
      for (const r of trials) {
        expect([3, 5, 8, 12, 20]).toContain(Number(param(r, 'model__maxDepth')));
        expect([1, 5, 15, 30]).toContain(Number(param(r, 'model__minSamplesLeaf')));
        expect(['gini', 'entropy']).toContain(param(r, 'model__criterion'));
        points.add(
          `${param(r, 'model__maxDepth')}/${param(r, 'model__minSamplesLeaf')}/${param(r, 'model__criterion')}`,
        );
      }
      expect(points.size).toBe(4);
    });
  });
});

describe('refusals before anything is written', () => {
  it('--study over an http tracking URI without --study-uri exits 2 with the message', async () => {
    const res = await runCairnCli([
      'train',
      'heart',
      '--models',
      'lr',
      '--tune',
      'tpe',
      '--study',
      'shared-heart',
      '--tracking-uri',
      'http://127.0.0.1:9',
    ]);
    expect(res.stderr).toMatch(/A shared study \(--study NAME\) needs a database .* pass --study-uri postgresql:/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.status).toBe(2);
  });

  it('--study without --tune, and a --study name the study tables refuse, exit 2', async () => {
    const store = `sqlite:///${tmp}/refused.db`;
    const noTune = await runCairnCli(['train', 'heart', '--study', 's1', '--tracking-uri', store]);
    expect(noTune.stderr).toMatch(/--study and --study-uri need --tune/);
    expect(noTune.status).toBe(2);
    const badName = await runCairnCli([
      'train',
      'heart',
      '--tune',
      'tpe',
      '--study',
      'no spaces',
      '--tracking-uri',
      store,
    ]);
    expect(badName.stderr).toMatch(/--study must be 1-256 letters/);
    expect(badName.status).toBe(2);
  });
});
