// report.html: one self-contained page (inline CSS and SVG charts, no script, nothing fetched):
// the best run, the metric by run, ROC and PR curves overlaid, confusion matrices, each numeric
// param against the metric, and every run in a table.
import { metricByRunChart, paramVsMetricChart } from '../charts/bar-charts.js';
import { confusionMatrixChart, precisionRecallChart, rocCurveChart } from '../charts/classification-charts.js';
import type { Logged, ReportRun } from './collect-runs.js';
import { metricValue } from './rank-runs.js';
import { type ReportData, formatMetric, imbalanceSentence } from './report-data.js';
import { metricsOf, paramsOf } from './summary-markdown.js';

/** How many runs each chart shows at most (the best by the metric); the text says when runs are left out. */
export const LIMITS = { bars: 40, curves: 10, matrices: 12, params: 12 };

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * An ECharts SVG made fit for inlining: namespace declarations dropped (the HTML parser supplies
 * them, and the page then names no URL at all) and the size made fluid.
 */
export function inlineSvg(svg: string): string {
  return svg
    .replace(/\s+xmlns(:xlink)?="[^"]*"/g, '')
    .replace(/^<svg width="(\d+)" height="(\d+)"/, '<svg width="$1" height="$2" style="max-width:100%;height:auto"');
}

function kvTable(rows: Array<[string, string]>, what: string): string {
  if (!rows.length) return `<p class="note">No ${what}s logged.</p>`;
  return `<table><thead><tr><th>${what}</th><th>value</th></tr></thead><tbody>${rows
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td class="num">${esc(v)}</td></tr>`)
    .join('')}</tbody></table>`;
}

function leftOut(shown: number, total: number, what: string): string {
  return shown < total ? `<p class="note">Showing the best ${shown} of ${total} ${what} by the metric.</p>` : '';
}

function metricSection(data: ReportData): string {
  const shown = data.ranking.ranked.slice(0, LIMITS.bars);
  const chart = metricByRunChart({
    runs: shown.map((r) => ({ name: data.label(r.run), value: r.value })),
    metric: data.ranking.metric,
    best: 0,
  });
  return `<section><h2>${esc(data.ranking.metric)} by run</h2>${leftOut(shown.length, data.ranking.ranked.length, 'runs')}<figure>${inlineSvg(chart.svg)}</figure></section>`;
}

/** The runs whose logged file of one kind was read, with its points. */
function logged<T>(runs: ReportRun[], pick: (r: ReportRun) => Logged<T>): Array<{ run: ReportRun; value: T }> {
  return runs.flatMap((run) => {
    const l = pick(run);
    return l.ok ? [{ run, value: l.value }] : [];
  });
}

/** Why each run lacks a logged file of one kind. */
function lacking<T>(runs: ReportRun[], pick: (r: ReportRun) => Logged<T>): Array<{ run: ReportRun; reason: string }> {
  return runs.flatMap((run) => {
    const l = pick(run);
    return l.ok ? [] : [{ run, reason: l.reason }];
  });
}

function missingNote(data: ReportData, items: Array<{ run: ReportRun; reason: string }>, what: string): string {
  if (!items.length) return '';
  return `<p class="note">No ${what} for ${items.length} run${items.length === 1 ? '' : 's'}: ${items
    .map(({ run, reason }) => `${esc(data.label(run.run))} (${esc(reason)})`)
    .join('; ')}.</p>`;
}

const byRank = (data: ReportData) => [...data.ranking.ranked, ...data.ranking.missing];

function curveSections(data: ReportData): string {
  const ordered = byRank(data);
  const rocs = logged(ordered, (r) => r.roc);
  let html = '<section><h2>ROC curves</h2>';
  if (rocs.length) {
    const shown = rocs.slice(0, LIMITS.curves);
    const chart = rocCurveChart({
      curves: shown.map(({ run, value }) => ({ name: data.label(run.run), ...value })),
      title: 'ROC curves (plots/roc_curve.json)',
    });
    html += `${leftOut(shown.length, rocs.length, 'runs with a ROC curve')}<figure>${inlineSvg(chart.svg)}</figure>`;
  } else {
    html += '<p class="note">No run logged plots/roc_curve.json, so there are no ROC curves to overlay.</p>';
  }
  html += `${missingNote(
    data,
    lacking(ordered, (r) => r.roc),
    'ROC curve',
  )}</section>`;

  const prs = logged(ordered, (r) => r.pr);
  if (prs.length) {
    const shown = prs.slice(0, LIMITS.curves);
    const chart = precisionRecallChart({
      curves: shown.map(({ run, value }) => ({
        name: data.label(run.run),
        precision: value.precision,
        recall: value.recall,
        averagePrecision: value.average_precision,
      })),
      // the best run's evaluation data; runs of one experiment normally share it
      positiveRate: shown[0].value.positive_rate,
      title: 'Precision-recall curves (plots/pr_curve.json)',
    });
    html += `<section><h2>Precision-recall curves</h2>${leftOut(shown.length, prs.length, 'runs with a PR curve')}<figure>${inlineSvg(chart.svg)}</figure></section>`;
  }
  return html;
}

function confusionSection(data: ReportData): string {
  const ordered = byRank(data);
  const matrices = logged(ordered, (r) => r.confusion);
  const shown = matrices.slice(0, LIMITS.matrices);
  const figures = shown
    .map(({ run, value }) => {
      const chart = confusionMatrixChart({ ...value, title: data.label(run.run) });
      return `<figure class="small">${inlineSvg(chart.svg)}<figcaption>${esc(data.label(run.run))} · ${esc(run.run.info.runId)}</figcaption></figure>`;
    })
    .join('');
  const body = shown.length
    ? `${leftOut(shown.length, matrices.length, 'runs with a confusion matrix')}<div class="grid">${figures}</div>`
    : '<p class="note">No run logged plots/confusion_matrix.json.</p>';
  return `<section><h2>Confusion matrices</h2>${body}${missingNote(
    data,
    lacking(ordered, (r) => r.confusion),
    'confusion matrix',
  )}</section>`;
}

/** Params whose values are numbers in every ranked run that has them, with at least two distinct values. */
export function numericParams(data: ReportData): string[] {
  const keys = [...new Set(data.ranking.ranked.flatMap((r) => r.run.data.params.map((p) => p.key)))].sort();
  return keys.filter((key) => {
    const values = data.ranking.ranked
      .map((r) => r.run.data.params.find((p) => p.key === key)?.value)
      .filter((v): v is string => v !== undefined);
    return values.every((v) => v.trim() !== '' && Number.isFinite(Number(v))) && new Set(values.map(Number)).size >= 2;
  });
}

function paramSection(data: ReportData): string {
  const params = numericParams(data);
  if (!params.length) {
    return `<section><h2>Params against ${esc(data.ranking.metric)}</h2><p class="note">No numeric param takes two or more values across the ranked runs.</p></section>`;
  }
  const shown = params.slice(0, LIMITS.params);
  const figures = shown.map((param) => {
    const points = data.ranking.ranked.flatMap((r) => {
      const v = r.run.data.params.find((p) => p.key === param)?.value;
      return v === undefined ? [] : [{ x: Number(v), y: r.value, name: data.label(r.run) }];
    });
    const xs = points.map((p) => p.x);
    const logX = Math.min(...xs) > 0 && Math.max(...xs) / Math.min(...xs) >= 100;
    const chart = paramVsMetricChart({ points, param, metric: data.ranking.metric, logX });
    return `<figure class="small">${inlineSvg(chart.svg)}</figure>`;
  });
  const more =
    shown.length < params.length
      ? `<p class="note">Showing ${shown.length} of ${params.length} numeric params.</p>`
      : '';
  return `<section><h2>Params against ${esc(data.ranking.metric)}</h2>${more}<div class="grid">${figures.join('')}</div></section>`;
}

function runsTable(data: ReportData): string {
  const cols = data.metricColumns;
  const rows = [
    ...data.ranking.ranked.map((r, i) => ({ r, rank: String(i + 1) })),
    ...data.ranking.missing.map((r) => ({ r, rank: '–' })),
  ];
  return `<section><h2>All runs</h2><table><thead><tr><th>rank</th><th>run</th><th>run id</th><th>status</th>${cols
    .map((c) => `<th>${esc(c)}</th>`)
    .join('')}</tr></thead><tbody>${rows
    .map(
      ({ r, rank }) =>
        `<tr${r === data.best ? ' class="best"' : ''}><td class="num">${rank}</td><td>${esc(data.label(r.run))}</td><td><code>${esc(r.run.info.runId)}</code></td><td>${esc(r.run.info.status)}</td>${cols
          .map((c) => `<td class="num">${esc(formatMetric(metricValue(r.run, c)))}</td>`)
          .join('')}</tr>`,
    )
    .join('')}</tbody></table></section>`;
}

const CSS = `
body{font-family:"DejaVu Sans",system-ui,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left}
th{background:#f4f6f8}td.num{text-align:right;font-variant-numeric:tabular-nums}tr.best td{background:#fff4e6;font-weight:600}
.note{color:#555;font-size:.9rem}.callout{background:#f1f7ff;border-left:4px solid #1f77b4;padding:.6rem .8rem}
.grid{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:.5rem 0}figure.small{max-width:560px}figcaption{font-size:.8rem;color:#555}
.cols{display:flex;flex-wrap:wrap;gap:2rem}code{font-size:.85rem}`;

export function reportHtml(data: ReportData): string {
  const { ranking, best } = data;
  const better = ranking.direction === 'higher' ? 'higher is better' : 'lower is better';
  const note = imbalanceSentence(data);
  const intro =
    `${data.runs.length} run${data.runs.length === 1 ? '' : 's'} of experiment <strong>${esc(data.experiment.name)}</strong> ` +
    `(id ${esc(data.experiment.experimentId)})${data.filter ? ` matching <code>${esc(data.filter)}</code>` : ''}, ranked by ` +
    `<code>${esc(ranking.metric)}</code> (${better}). Generated ${esc(data.generatedAt.toISOString())}.`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Experiment report: ${esc(data.experiment.name)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>Experiment report: ${esc(data.experiment.name)}</h1>
<p>${intro}</p>
${note ? `<p class="callout">${esc(note)}</p>` : ''}
<section><h2>Best run: ${esc(data.label(best.run))}</h2>
<p>Run <code>${esc(best.run.info.runId)}</code> (${esc(best.run.info.status)}): <code>${esc(ranking.metric)}</code> = <strong>${esc(formatMetric(best.value))}</strong>.</p>
<div class="cols"><div><h3>Params</h3>${kvTable(paramsOf(best.run), 'param')}</div><div><h3>Metrics</h3>${kvTable(metricsOf(best.run), 'metric')}</div></div>
</section>
${metricSection(data)}
${curveSections(data)}
${confusionSection(data)}
${paramSection(data)}
${runsTable(data)}
</body>
</html>
`;
}
