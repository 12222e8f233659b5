// `cairn evaluate --endpoint URL --data FILE --target COL`: scores labelled rows against a deployed
// scoring endpoint one record per request, prints accuracy, class-1 precision/recall/F1 and latency per
// sample, and logs them as a run. The data is read as `cairn train --data FILE --target COL` reads it.
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { describePositive } from '../pipelines/dataset-spec.js';
import { loadDataset } from '../pipelines/load-dataset.js';
import { frameToRecords } from '../learn/data/records.js';
import { CairnClient } from '../client/cairn-client.js';
import {
  evaluateEndpoint,
  sampleRows,
  type EndpointEvaluation,
  type LabelledRecord,
} from '../serving/endpoint-evaluation.js';
import { DEFAULT_EVALUATION_EXPERIMENT, logEvaluationRun, type LoggedEvaluation } from '../serving/evaluation-run.js';
import { UsageError } from './cli-client.js';
import { actingUser, asUsageError, resolveData, storeOption, trainTrackingUri } from './train-command.js';

interface EvaluateFlags {
  endpoint: string;
  data: string;
  target: string;
  positive?: string;
  positiveWhen?: string;
  rows?: number;
  seed: number;
  concurrency: number;
  timeout: number;
  experiment: string;
  trackingUri?: string;
  json?: boolean;
}

const intOption =
  (flag: string, min: number, max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || n < min || n > max)
      throw new InvalidArgumentError(`${flag} must be an integer from ${min} to ${max}, got '${value}'.`);
    return n;
  };

function endpointUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`--endpoint must be an http(s) URL such as http://127.0.0.1:8000, got '${value}'.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError(`--endpoint must be an http(s) URL, got the scheme '${url.protocol}'.`);
  return value;
}

const fixed = (v: number | undefined, digits = 4) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));

function summaryText(e: EndpointEvaluation, dataFile: string, logged: LoggedEvaluation, experiment: string): string {
  const models = e.models.map((m) => `${m.name} version ${m.version}`).join(', ') || 'no model (every request failed)';
  const lines = [
    `Evaluated ${e.endpoint} (${models}) on ${e.requests} rows of ${dataFile}: ` +
      `${e.succeeded} answered, ${e.failed} failed, ${e.positives} positive among the answered.`,
  ];
  if (e.metrics) {
    for (const k of ['accuracy', 'precision_1', 'recall_1', 'f1_1', 'roc_auc', 'pr_auc'] as const)
      lines.push(`  ${k.padEnd(12)} ${fixed(e.metrics[k])}`);
  }
  if (e.latencyMs) {
    const l = e.latencyMs;
    lines.push(
      `  latency per sample: p50 ${fixed(l.p50, 2)} ms, p99 ${fixed(l.p99, 2)} ms, mean ${fixed(l.mean, 2)} ms, ` +
        `max ${fixed(l.max, 2)} ms (${e.wallSeconds.toFixed(1)} s in all)`,
    );
  }
  for (const f of e.failures)
    lines.push(
      `  FAILED ${f.count}× ${f.status === null ? 'no answer' : `HTTP ${f.status}`}` +
        `${f.errorCode ? ` ${f.errorCode}` : ''} (first at data row ${f.firstRow + 1}): ${f.message}`,
    );
  lines.push(`Logged run ${logged.runId} in experiment '${experiment}'.`);
  return lines.join('\n');
}

export async function runEvaluate(flags: EvaluateFlags): Promise<void> {
  const uri = trainTrackingUri(flags.trackingUri);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const { spec, file } = await resolveData(
    undefined,
    {
      data: flags.data,
      target: flags.target,
      positive: flags.positive,
      positiveWhen: flags.positiveWhen,
      models: [],
      cv: 2,
      seed: flags.seed,
      maxEvals: 1,
      workers: 1,
    },
    log,
  ).catch(asUsageError);
  const data = await loadDataset(file, spec).catch(asUsageError);
  for (const note of data.notes) log(`note: ${note}`);
  const records = frameToRecords(data.X);
  const picked =
    flags.rows === undefined ? records.map((_, i) => i) : sampleRows(records.length, flags.rows, flags.seed);
  const rows: LabelledRecord[] = picked.map((i) => ({ row: i, record: records[i], label: data.y[i] === 1 ? 1 : 0 }));
  const tty = process.stderr.isTTY === true;
  const evaluation = await evaluateEndpoint(flags.endpoint, rows, {
    concurrency: flags.concurrency,
    timeoutMs: flags.timeout * 1000,
    onProgress: tty
      ? (done, total) => {
          if (done % 25 === 0 || done === total) process.stderr.write(`\r\x1b[K${done}/${total} requests`);
          if (done === total) process.stderr.write('\r\x1b[K');
        }
      : undefined,
  });
  const retry = process.env.MLFLOW_HTTP_REQUEST_MAX_RETRIES ? {} : { maxRetries: 2 };
  const client = await CairnClient.open(uri, { retry });
  let logged: LoggedEvaluation;
  try {
    logged = await logEvaluationRun(client, evaluation, {
      experiment: flags.experiment,
      dataFile: path.basename(file),
      target: spec.target,
      positiveRule: describePositive(spec),
      sampleRows: flags.rows,
      seed: flags.seed,
      concurrency: flags.concurrency,
      user: actingUser(),
    });
  } finally {
    await client.close();
  }
  const dataFile = path.basename(file);
  process.stdout.write(
    flags.json
      ? `${JSON.stringify({ ...evaluation, data: dataFile, experiment: flags.experiment, ...logged }, null, 2)}\n`
      : `${summaryText(evaluation, dataFile, logged, flags.experiment)}\n`,
  );
  if (evaluation.succeeded === 0) {
    const first = evaluation.failures[0];
    throw new Error(
      `every request to ${evaluation.endpoint} failed (first: ${first.status ?? 'no answer'} ${first.message})`,
    );
  }
  if (evaluation.failed > 0)
    log(
      `cairn evaluate: ${evaluation.failed} of ${evaluation.requests} requests failed; the metrics cover the others.`,
    );
}

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description(
      'Measure a deployed scoring endpoint on labelled data: each row (target removed) is sent alone to ' +
        'POST /predict; prints accuracy, precision_1, recall_1, f1_1 and latency per sample (p50, p99, mean) ' +
        'and logs them as a run. Failed requests are counted and shown.',
    )
    .requiredOption(
      '--endpoint <url>',
      'the scoring server, e.g. http://127.0.0.1:8000 (its /predict is called)',
      endpointUrl,
    )
    .requiredOption('--data <file>', 'a CSV with the model’s input columns and the target')
    .requiredOption('--target <column>', 'the target column (not sent)')
    .option('--positive <value>', 'the target value of the positive class (text)')
    .option('--positive-when <comparison>', "positive when the target compares true, e.g. '>0' (default '==1')")
    .option(
      '--rows <n>',
      'send a seeded random sample of this many rows (default: every row)',
      intOption('--rows', 1, 10_000_000),
    )
    .option('--seed <n>', 'seed of the --rows sample', intOption('--seed', 0, 2 ** 32 - 1), 42)
    .option(
      '--concurrency <n>',
      'requests in flight at once (1 measures latency per sample unloaded)',
      intOption('--concurrency', 1, 1024),
      1,
    )
    .option('--timeout <seconds>', 'per-request timeout', intOption('--timeout', 1, 3600), 30)
    .option('--experiment <name>', 'experiment the run is logged in', DEFAULT_EVALUATION_EXPERIMENT)
    .addOption(storeOption())
    .option('--json', 'print one JSON document (metrics, latency, failures, run id)')
    .addHelpText(
      'after',
      '\nExample:\n  cairn evaluate --endpoint http://127.0.0.1:8000 --data heart_disease_uci.csv --target num \\\n' +
        "    --positive-when '>0' --rows 200 --seed 7\n",
    )
    .action((flags: EvaluateFlags) => {
      if (flags.positive !== undefined && flags.positiveWhen !== undefined)
        throw new UsageError('give --positive VALUE or --positive-when COMPARISON, not both.');
      return runEvaluate(flags);
    });
}
