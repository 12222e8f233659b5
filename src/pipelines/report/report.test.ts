import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { Run } from '../../tracking/entities.js';
import type { ReportRun } from './collect-runs.js';
import {
  ReportInputError,
  buildReportData,
  csvField,
  imbalanceSentence,
  inlineSvg,
  metricDirection,
  rankRuns,
  reportHtml,
  resultsCsv,
  summaryMarkdown,
} from './index.js';

function run(
  id: string,
  metrics: Record<string, number>,
  params: Record<string, string> = {},
  tags: Record<string, string> = {},
): Run {
  return {
    info: {
      runId: id,
      runName: `run ${id}`,
      experimentId: '1',
      userId: 'u',
      status: 'FINISHED',
      startTime: 0,
      endTime: 1,
      artifactUri: '',
      lifecycleStage: 'active',
    },
    data: {
      metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: 0, step: 0 })),
      params: Object.entries(params).map(([key, value]) => ({ key, value })),
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    },
    inputs: { datasetInputs: [] },
  };
}

const none = { ok: false as const, reason: 'no plots/x.json logged' };
const item = (r: Run): ReportRun => ({ run: r, roc: none, pr: none, confusion: none });
const experiment = {
  experimentId: '1',
  name: 'e',
  artifactLocation: '',
  lifecycleStage: 'active' as const,
  creationTime: 0,
  lastUpdateTime: 0,
  tags: [],
};

describe('ranking', () => {
  it('knows which way is better from the metric name', () => {
    for (const m of ['f1_1', 'accuracy', 'roc_auc', 'pr_auc', 'cv_f1_1_mean', 'recall_1'])
      expect(metricDirection(m)).toBe('higher');
    for (const m of ['log_loss', 'loss', 'val_loss', 'rmse', 'brier_score', 'mae', 'error', 'cv_log_loss_mean'])
      expect(metricDirection(m)).toBe('lower');
  });

  it('orders best first, keeps ties in run order, sets NaN and absent aside', () => {
    const runs = [
      item(run('a', { f1_1: 0.8 })),
      item(run('b', { f1_1: 0.9 })),
      item(run('c', { f1_1: Number.NaN })),
      item(run('d', {})),
      item(run('e', { f1_1: 0.9 })),
    ];
    const r = rankRuns(runs, 'f1_1');
    expect(r.ranked.map((x) => x.run.info.runId)).toEqual(['b', 'e', 'a']);
    expect(r.missing.map((x) => x.run.info.runId)).toEqual(['c', 'd']);
    expect(rankRuns(runs, 'f1_1', 'lower').ranked.map((x) => x.run.info.runId)).toEqual(['a', 'b', 'e']);
  });

  it('names the metric and the metrics that exist when no run has it', () => {
    expect(() => rankRuns([item(run('a', { acc: 1, auc: 1 }))], 'f1')).toThrow(
      new ReportInputError("--metric: no run has the metric 'f1'; metrics logged: acc, auc."),
    );
    expect(() => rankRuns([], 'f1')).toThrow(/no runs to rank by 'f1'/);
  });
});

describe('run labels', () => {
  it('add the short id only to runs that share a name', () => {
    const twin = (id: string) => {
      const r = run(id, { f1_1: 1 });
      r.info.runName = 'rf';
      return r;
    };
    const runs = [twin('aaaaaaaa11'), twin('bbbbbbbb22'), run('c', { f1_1: 1 })];
    const d = buildReportData({ experiment, runs: runs.map(item) }, { metric: 'f1_1' });
    expect(runs.map((r) => d.label(r))).toEqual(['rf (aaaaaaaa)', 'rf (bbbbbbbb)', 'run c']);
  });
});

describe('experiment_results.csv', () => {
  it('quotes commas, quotes, line breaks and edge spaces (RFC 4180) and round-trips through a parser', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
    const runs = [
      run('r1', { f1_1: 0.5, loss: Number.NaN }, { note: 'a, "b"\nc', depth: '3' }),
      run('r2', { auc: 0.75 }, { depth: '4' }),
    ];
    const rows = parse(resultsCsv(runs)) as string[][];
    expect(rows[0]).toEqual([
      'run_id',
      'run_name',
      'status',
      'params.depth',
      'params.note',
      'metrics.auc',
      'metrics.f1_1',
      'metrics.loss',
    ]);
    expect(rows[1]).toEqual(['r1', 'run r1', 'FINISHED', '3', 'a, "b"\nc', '', '0.5', 'NaN']);
    expect(rows[2]).toEqual(['r2', 'run r2', 'FINISHED', '4', '', '0.75', '', '']);
  });
});

describe('class balance', () => {
  const data = (runs: Run[], metric = 'f1_1') =>
    buildReportData({ experiment, runs: runs.map(item) }, { metric, now: new Date(0) });

  it('warns about accuracy when class 1 is rare, from a positive_rate tag', () => {
    const d = data([run('a', { f1_1: 0.3, accuracy: 0.95 }, {}, { positive_rate: '0.049' })], 'accuracy');
    const s = imbalanceSentence(d) as string;
    expect(s).toContain('Class 1 is 4.9% of the data (tag positive_rate of run run a): the classes are imbalanced');
    expect(s).toContain('always predicts class 0 scores 95.1% accuracy');
    expect(s).toContain('no-skill baseline is 0.049');
    expect(s).toContain('This report ranks by accuracy');
  });

  it('calls balanced data balanced, speaks of PR-AUC when only it is known, and says nothing otherwise', () => {
    expect(imbalanceSentence(data([run('a', { f1_1: 1, positive_rate: 0.46 })]))).toMatch(/reasonably balanced/);
    expect(imbalanceSentence(data([run('a', { f1_1: 1, pr_auc: 0.4 })]))).toMatch(/^The runs log PR-AUC/);
    expect(imbalanceSentence(data([run('a', { f1_1: 1 })]))).toBeUndefined();
  });
});

describe('summary.md and report.html', () => {
  const d = buildReportData(
    {
      experiment: { ...experiment, name: 'exp <1>' },
      runs: [item(run('a', { f1_1: 0.7 }, { k: '1' })), item(run('b|x', { f1_1: 0.9 }, { k: '5' }))],
    },
    { metric: 'f1_1', now: new Date(0) },
  );

  it('Markdown: the best run first, table cells escaped', () => {
    const md = summaryMarkdown(d);
    expect(md).toContain('# Experiment report: exp <1>');
    expect(md).toContain('**run b\\|x** (run `b|x`, FINISHED): `f1_1` = **0.9**.');
    expect(md).toContain('| 1 | run b\\|x | b\\|x | FINISHED | 0.9 |');
    expect(md).toContain('No ROC curve for 2 of 2 runs');
  });

  it('HTML: escaped text, inline SVG without namespace URLs, nothing fetched', () => {
    const html = reportHtml(d);
    expect(html).toContain('<title>Experiment report: exp &lt;1&gt;</title>');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img/);
    expect(html).toContain('f1_1 vs k');
    expect(html).toContain('No run logged plots/roc_curve.json');
    expect(
      inlineSvg(
        '<svg width="5" height="6" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">',
      ),
    ).toBe('<svg width="5" height="6" style="max-width:100%;height:auto">');
  });
});
