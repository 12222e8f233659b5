// `cairn report` without the CLI: read an experiment's runs, rank them by a metric and write
// experiment_results.csv, summary.md and report.html into a directory.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CairnClient } from '../../client/cairn-client.js';
import { collectRuns } from './collect-runs.js';
import { type ReportData, buildReportData } from './report-data.js';
import { reportHtml } from './report-html.js';
import { resultsCsv } from './results-csv.js';
import { summaryMarkdown } from './summary-markdown.js';

export const DEFAULT_REPORT_METRIC = 'f1_1';

export interface ExperimentReportOptions {
  experiment: string;
  metric?: string;
  filter?: string;
  /** Default: ./report-<experiment> (the name made safe for a path). */
  outDir?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface ExperimentReport {
  data: ReportData;
  outDir: string;
  files: { csv: string; markdown: string; html: string };
}

export function defaultReportDir(experiment: string): string {
  return `report-${experiment.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
}

export async function writeExperimentReport(
  client: CairnClient,
  options: ExperimentReportOptions,
): Promise<ExperimentReport> {
  const collected = await collectRuns(client, options);
  const data = buildReportData(collected, { metric: options.metric ?? DEFAULT_REPORT_METRIC, filter: options.filter });
  const outDir = path.resolve(options.outDir ?? defaultReportDir(options.experiment));
  await mkdir(outDir, { recursive: true });
  const files = {
    csv: path.join(outDir, 'experiment_results.csv'),
    markdown: path.join(outDir, 'summary.md'),
    html: path.join(outDir, 'report.html'),
  };
  await writeFile(files.csv, resultsCsv(data.runs.map((r) => r.run)));
  await writeFile(files.markdown, summaryMarkdown(data));
  await writeFile(files.html, reportHtml(data));
  return { data, outDir, files };
}
