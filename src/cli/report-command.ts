// `cairn report`: the best run of an experiment by a metric, printed, and a report directory
// (experiment_results.csv, summary.md, report.html) written; what compare_runs.py does.
import { Command, Option } from 'commander';
import type { CairnClient } from '../client/cairn-client.js';
import {
  DEFAULT_REPORT_METRIC,
  type ExperimentReport,
  ReportInputError,
  formatMetric,
  metricsOf,
  paramsOf,
  writeExperimentReport,
} from '../pipelines/report/index.js';
import { UsageError, formatTable, trackingUriOption, withClient } from './cli-client.js';

export interface ReportCommandOptions {
  experiment: string;
  metric?: string;
  filter?: string;
  out?: string;
  trackingUri?: string;
}

/** The text printed after a report is written: the best run, its params and metrics, the files. */
export function reportText(report: ExperimentReport): string {
  const { data, files } = report;
  const { ranking, best } = data;
  const lines = [
    `Experiment ${data.experiment.name}: ${data.runs.length} runs, ${ranking.ranked.length} with ${ranking.metric} ` +
      `(${ranking.direction} is better).`,
    `Best run: ${best.run.info.runName || '(unnamed)'} (${best.run.info.runId}), ${ranking.metric} = ${formatMetric(best.value)}`,
    '',
    'Params:',
    paramsOf(best.run).length ? formatTable(['PARAM', 'VALUE'], paramsOf(best.run)) : '(none)',
    '',
    'Metrics:',
    metricsOf(best.run).length ? formatTable(['METRIC', 'VALUE'], metricsOf(best.run)) : '(none)',
    '',
    `Wrote ${files.csv}`,
    `Wrote ${files.markdown}`,
    `Wrote ${files.html}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Progress on a terminal (reading every run's plots can take a while over HTTP); quiet otherwise. */
function progress(stream: NodeJS.WriteStream): ((done: number, total: number) => void) | undefined {
  if (!stream.isTTY) return undefined;
  return (done, total) => {
    stream.write(`\rreading run plots ${done}/${total}${done === total ? '\n' : ''}`);
  };
}

/** Writes the report through `client`; input mistakes become UsageError (exit status 2). */
export async function runReport(
  client: CairnClient,
  opts: ReportCommandOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<ExperimentReport> {
  if (!opts.experiment.trim()) throw new UsageError('--experiment must name an experiment.');
  try {
    return await writeExperimentReport(client, {
      experiment: opts.experiment,
      metric: opts.metric,
      filter: opts.filter,
      outDir: opts.out,
      onProgress,
    });
  } catch (err) {
    if (err instanceof ReportInputError) throw new UsageError(err.message);
    throw err;
  }
}

export function reportCommand(): Command {
  return new Command('report')
    .description(
      'Compare the runs of an experiment: print the best run by a metric with its params and metrics, and write ' +
        'experiment_results.csv, summary.md and a self-contained report.html (charts) into a directory.',
    )
    .requiredOption('--experiment <name>', 'experiment name')
    .addOption(
      new Option('--metric <key>', 'metric that ranks the runs (loss/error-like names: lower is better)').default(
        DEFAULT_REPORT_METRIC,
      ),
    )
    .option('--filter <expr>', 'search filter, as the UI and MLflow: "params.model = \'rf\' and metrics.roc_auc > 0.8"')
    .option('--out <dir>', 'output directory (default: ./report-<experiment>)')
    .addOption(trackingUriOption())
    .action(async (opts: ReportCommandOptions) => {
      const report = await withClient(opts, (client) => runReport(client, opts, progress(process.stderr)));
      process.stdout.write(reportText(report));
    });
}
