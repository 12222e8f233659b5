// An experiment for `cairn report` tests, logged through CairnClient: runs with params, metrics,
// tags and the plots renderEvaluationPlots writes, one run without plots, one without the metric.
import type { CairnClient } from '../../src/client/cairn-client.js';
import { type PlotArtifact, renderEvaluationPlots } from '../../src/pipelines/charts/evaluation-plots.js';

export interface SeededRun {
  name: string;
  params: Record<string, string>;
  metrics: Record<string, number>;
  tags?: Record<string, string>;
  status: 'FINISHED' | 'FAILED';
  /** Skill of the synthetic scores (0: none); undefined: the run logs no plots. */
  skill?: number;
  extraArtifacts?: Record<string, string>;
}

export const REPORT_RUNS: SeededRun[] = [
  {
    name: 'logistic regression',
    params: { model: 'lr', C: '0.1', max_iter: '200' },
    metrics: { f1_1: 0.81, accuracy: 0.83, roc_auc: 0.9, pr_auc: 0.87, log_loss: 0.41 },
    tags: { positive_rate: '0.1' },
    status: 'FINISHED',
    skill: 0.02,
  },
  {
    name: 'forest',
    params: { model: 'rf', C: '1', max_iter: '10', n_estimators: '300' },
    metrics: { f1_1: 0.86, accuracy: 0.85, roc_auc: 0.93, pr_auc: 0.9, log_loss: 0.38 },
    tags: { positive_rate: '0.1' },
    status: 'FINISHED',
    skill: 0.1,
  },
  {
    name: 'knn, "k=5"',
    params: { model: 'knn', C: '10', max_iter: '50', note: 'a, "quoted"\nvalue' },
    metrics: { f1_1: 0.78, accuracy: 0.8, log_loss: 0.5 },
    status: 'FINISHED',
  },
  {
    name: 'crashed',
    params: { model: 'gbm' },
    metrics: { accuracy: 0.5 },
    status: 'FAILED',
    // a file that is not what renderEvaluationPlots writes: the report names it, never draws it
    extraArtifacts: { 'plots/roc_curve.json': '{"fpr": [0, 1]}' },
  },
];

/** Seeded synthetic evaluation data: ~10% positives; `skill` shifts the positives' scores up. */
function evaluation(skill: number, seed: number) {
  let s = seed;
  const rnd = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  const yTrue: number[] = [];
  const proba: number[] = [];
  for (let i = 0; i < 200; i++) {
    const y = i % 10 === 0 ? 1 : 0;
    yTrue.push(y);
    proba.push(Math.min(1, Math.max(0, 0.25 * rnd() + (y ? skill + 0.3 * rnd() : 0.1 * rnd()))));
  }
  return { yTrue, proba, yPred: proba.map((p) => (p >= 0.3 ? 1 : 0)) };
}

let plotCache: Map<number, PlotArtifact[]> | undefined;

/** The plots of each run with a skill (rendered once per test file, logged to every store). */
export async function reportPlots(): Promise<Map<number, PlotArtifact[]>> {
  if (plotCache) return plotCache;
  plotCache = new Map();
  for (const [i, run] of REPORT_RUNS.entries()) {
    if (run.skill === undefined) continue;
    const plots = await renderEvaluationPlots({
      ...evaluation(run.skill, i + 1),
      classLabels: ['no disease', 'disease'],
      title: run.name,
    });
    plotCache.set(
      i,
      plots.filter((p) => p.path.endsWith('.json')),
    );
  }
  return plotCache;
}

/** Creates `experiment` and its runs; returns the experiment id and run ids in REPORT_RUNS order. */
export async function seedReportExperiment(
  client: CairnClient,
  experiment: string,
): Promise<{ experimentId: string; runIds: string[] }> {
  const plots = await reportPlots();
  const experimentId = await client.createExperiment(experiment);
  const runIds: string[] = [];
  for (const [i, spec] of REPORT_RUNS.entries()) {
    const run = await client.createRun(experimentId, { runName: spec.name, startTime: 1_000 + i });
    const id = run.info.runId;
    await client.logBatch(id, {
      params: Object.entries(spec.params).map(([key, value]) => ({ key, value })),
      metrics: Object.entries(spec.metrics).map(([key, value]) => ({ key, value, timestamp: 5, step: 0 })),
      tags: Object.entries(spec.tags ?? {}).map(([key, value]) => ({ key, value })),
    });
    for (const p of plots.get(i) ?? []) await client.logBytes(id, p.content, p.path);
    for (const [file, text] of Object.entries(spec.extraArtifacts ?? {})) await client.logBytes(id, text, file);
    await client.setTerminated(id, spec.status, 2_000 + i);
    runIds.push(id);
  }
  return { experimentId, runIds };
}
