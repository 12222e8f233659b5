// The self-contained HTML drift report: a summary, the per-feature table and, per feature, the
// reference and current shares per bin as an inline SVG bar chart (ECharts SSR, as the pipelines' charts).
import { renderSvg } from '../pipelines/charts/chart-image.js';
import type { FeatureDrift } from './drift.js';
import type { MonitorReport } from './monitor-report.js';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const fmtScore = (v: number | null): string =>
  v === null || Number.isNaN(v) ? '–' : Math.abs(v) > 0 && Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toFixed(3);

function histogramSvg(f: FeatureDrift): string {
  if (f.bins.labels.length === 0) return '<p>No values to compare.</p>';
  const pct = (xs: number[]) => xs.map((x) => Number((100 * x).toFixed(2)));
  return renderSvg(
    {
      title: { text: `${f.feature}: reference vs current`, left: 'center', textStyle: { fontSize: 13 } },
      legend: { top: 24 },
      grid: { left: 55, right: 20, top: 60, bottom: 70 },
      xAxis: { type: 'category', data: f.bins.labels, axisLabel: { rotate: f.bins.labels.length > 8 ? 40 : 0 } },
      yAxis: { type: 'value', name: '% of rows' },
      series: [
        { name: 'reference', type: 'bar', data: pct(f.bins.reference) },
        { name: 'current', type: 'bar', data: pct(f.bins.current) },
      ],
    },
    { width: 640, height: 320 },
  );
}

export function driftReportHtml(report: MonitorReport): string {
  const d = report.drift;
  const rows = [...d.features, ...(d.prediction ? [d.prediction] : []), ...(d.target ? [d.target] : [])]
    .map(
      (f) =>
        `<tr class="${f.drifted ? 'drift' : ''}"><td>${esc(f.feature)}</td><td>${f.kind}</td><td>${f.method}</td>` +
        `<td>${fmtScore(f.score)}</td><td>${f.threshold}</td><td>${f.drifted ? 'yes' : 'no'}</td>` +
        `<td>${fmtScore(f.psi)}</td><td>${fmtScore(f.referenceMean)}</td><td>${fmtScore(f.currentMean)}</td></tr>`,
    )
    .join('\n');
  const live = report.performance.live
    ? Object.entries(report.performance.live.metrics)
        .map(([k, v]) => {
          const train = report.performance.training[k as keyof typeof report.performance.training];
          const min = report.performance.policy[k as keyof typeof report.performance.policy];
          const cells = [k, fmtScore(v), fmtScore(train ?? null), min === undefined ? '–' : String(min)];
          return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
        })
        .join('\n')
    : '';
  const liveSection = live
    ? `<h2>Live performance (${report.performance.live!.nLabeled} labeled)</h2>\n<table><tr><th>metric</th>` +
      `<th>live</th><th>training</th><th>policy minimum</th></tr>\n${live}\n</table>`
    : '<p>No feedback labels in the window yet: no live performance.</p>';
  const charts = [...d.features, ...(d.prediction ? [d.prediction] : [])]
    .map((f) => `<section><h3>${esc(f.feature)}${f.drifted ? ' — drift' : ''}</h3>${histogramSvg(f)}</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Drift report: ${esc(report.model.name)} v${esc(report.model.version)}</title>
<style>
body{font-family:'DejaVu Sans',sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}tr.drift{background:#fde2e1}
.verdict{font-size:1.2em;font-weight:bold}section{display:inline-block;vertical-align:top}
</style></head><body>
<h1>Drift report: ${esc(report.model.name)} version ${esc(report.model.version)}</h1>
<p class="verdict">${esc(report.summary)}</p>
<p>Model URI ${esc(report.model.uri)} · window ${esc(report.window)} · ${report.nPredictions} predictions ·
${esc(d.referenceNote)} · computed ${esc(report.time)}</p>
<h2>Per feature</h2>
<table><tr><th>feature</th><th>type</th><th>test</th><th>score</th><th>threshold</th><th>drift</th><th>PSI</th>
<th>reference mean</th><th>current mean</th></tr>
${rows}
</table>
${liveSection}
<h2>Distributions</h2>
${charts}
</body></html>
`;
}
