// summary.md: the best run with its params and metrics, the runs ranked by the metric, a note on
// class balance, and the runs that lack the metric or logged curves.
import type { Run } from '../../tracking/entities.js';
import { metricValue } from './rank-runs.js';
import { type ReportData, formatMetric, imbalanceSentence } from './report-data.js';

/** A table cell: pipes and line breaks would end the cell or the row. */
const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), `|${header.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}

function keyValueTable(entries: Array<[string, string]>, what: string): string {
  return entries.length ? table([what, 'value'], entries) : `_No ${what}s logged._`;
}

export function paramsOf(run: Run): Array<[string, string]> {
  return run.data.params.map((p): [string, string] => [p.key, p.value]).sort((a, b) => a[0].localeCompare(b[0]));
}

export function metricsOf(run: Run): Array<[string, string]> {
  return run.data.metrics
    .map((m): [string, string] => [m.key, formatMetric(m.value)])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

export function summaryMarkdown(data: ReportData): string {
  const { ranking, best } = data;
  const better = ranking.direction === 'higher' ? 'higher is better' : 'lower is better';
  const out: string[] = [];
  out.push(`# Experiment report: ${data.experiment.name}`);
  out.push(
    `${data.runs.length} run${data.runs.length === 1 ? '' : 's'} of experiment ${code(data.experiment.name)} ` +
      `(id ${data.experiment.experimentId})${data.filter ? ` matching ${code(data.filter)}` : ''}, ` +
      `ranked by ${code(ranking.metric)} (${better}). Generated ${data.generatedAt.toISOString()}.`,
  );
  out.push('## Best run');
  out.push(
    `**${cell(data.label(best.run))}** (run ${code(best.run.info.runId)}, ${best.run.info.status}): ` +
      `${code(ranking.metric)} = **${formatMetric(best.value)}**.`,
  );
  out.push('### Params', keyValueTable(paramsOf(best.run), 'param'));
  out.push('### Metrics', keyValueTable(metricsOf(best.run), 'metric'));
  const note = imbalanceSentence(data);
  if (note) out.push('## Class balance', note);
  out.push(`## Runs by ${ranking.metric}`);
  const cols = data.metricColumns;
  out.push(
    table(
      ['rank', 'run', 'run id', 'status', ...cols],
      ranking.ranked.map((r, i) => [
        String(i + 1),
        data.label(r.run),
        r.run.info.runId,
        r.run.info.status,
        ...cols.map((k) => formatMetric(metricValue(r.run, k))),
      ]),
    ),
  );
  if (ranking.missing.length) {
    out.push(
      `${ranking.missing.length} run${ranking.missing.length === 1 ? ' has' : 's have'} no ${code(ranking.metric)} ` +
        `and ${ranking.missing.length === 1 ? 'is' : 'are'} not ranked: ` +
        ranking.missing.map((r) => `${cell(data.label(r.run))} (${code(r.run.info.runId)})`).join(', ') +
        '.',
    );
  }
  const noRoc = data.runs.filter((r) => !r.roc.ok);
  if (noRoc.length) {
    out.push(
      `No ROC curve for ${noRoc.length} of ${data.runs.length} runs: ` +
        noRoc.map((r) => `${cell(data.label(r.run))} (${r.roc.ok ? '' : r.roc.reason})`).join('; ') +
        '.',
    );
  }
  out.push(
    'Files: `experiment_results.csv` (every run: params and latest metrics), `report.html` (charts: metric by run, ROC curves, confusion matrices, params against the metric).',
  );
  return `${out.join('\n\n')}\n`;
}
