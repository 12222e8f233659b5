// `cairn simulate`: realistic traffic for a scoring endpoint, from the training data or the model's reference
// profile, optionally shifted, with feedback labels. The flags and the data set are resolved here; the
// sampling and sending are src/monitoring/simulate.ts's.
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { CairnClient } from '../client/cairn-client.js';
import type { Frame } from '../learn/core/frame.js';
import { parseCsv, type ColumnKind } from '../learn/data/csv.js';
import type { LoadedModel } from '../models/package/load-model.js';
import { isNumericType } from '../models/package/signature.js';
import {
  checkShifts,
  dataSampler,
  parseShifts,
  planSimulation,
  profileSampler,
  runSimulation,
  SimulationInputError,
  type FeatureShift,
  type RowSampler,
  type SimulationSummary,
} from '../monitoring/simulate.js';
import { BUILTIN_DATASETS, parsePositiveWhen, type DatasetSpec, type PositiveRule } from '../pipelines/dataset-spec.js';
import { DataError, loadDataset } from '../pipelines/load-dataset.js';
import { loadServedModel } from '../serving/model-loader.js';
import { resolveTrackingUri, trackingUriOption, UsageError } from './cli-client.js';

interface SimulateFlags {
  model: string;
  endpoint: string;
  rows: number;
  shift?: FeatureShift[];
  labelNoise: number;
  feedback?: boolean;
  seed: number;
  concurrency: number;
  trackingUri?: string;
  data?: string;
  json?: boolean;
}

const intOption =
  (flag: string, min: number, max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${flag} must be an integer from ${min} to ${max}, got '${value}'.`);
    return n;
  };

function labelNoise(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError(`--label-noise must be a probability from 0 to 1, got '${value}'.`);
  return n;
}

function shiftOption(value: string): FeatureShift[] {
  try {
    return parseShifts(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message.replace(/^--shift: /, ''));
  }
}

interface PipelineMetadata {
  dataset?: string;
  target?: string;
  positive_rule?: string;
}

/** `num > 0` or `col == "yes"` (describePositive's text) back into a rule; undefined when unreadable. */
function positiveRuleOf(target: string, text: string): PositiveRule | undefined {
  if (!text.startsWith(`${target} `)) return undefined;
  const rest = text.slice(target.length + 1);
  const equals = /^==\s*(".*")$/.exec(rest);
  if (equals) return { kind: 'equals', value: JSON.parse(equals[1]) as string };
  return parsePositiveWhen(rest);
}

/** How the training pipeline read the labels, from the model's `cairn_pipeline` metadata; null if unknown. */
function labelSpec(model: LoadedModel, numeric: string[], categorical: string[]): DatasetSpec | null {
  const meta = model.metadata.cairn_pipeline as PipelineMetadata | undefined;
  if (!meta?.target) return null;
  const builtin = meta.dataset ? BUILTIN_DATASETS[meta.dataset] : undefined;
  if (builtin && builtin.target === meta.target) return { ...builtin, numeric, categorical };
  const positive = meta.positive_rule ? positiveRuleOf(meta.target, meta.positive_rule) : undefined;
  if (!positive) return null;
  const base = { name: 'data', title: 'simulation data', drop: [], imbalanced: false, registeredModel: '' };
  return { ...base, target: meta.target, positive, numeric, categorical };
}

/** The training CSV as the model's features (and its labels when the model says how they were read). */
async function readData(
  file: string,
  model: LoadedModel,
  numeric: string[],
  categorical: string[],
): Promise<{ frame: Frame; labels: Float64Array | null }> {
  const spec = labelSpec(model, numeric, categorical);
  try {
    if (spec) {
      const data = await loadDataset(file, spec);
      return { frame: data.X, labels: data.y };
    }
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new DataError(`cannot read data file ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
    });
    const kinds: Record<string, ColumnKind> = {};
    for (const c of numeric) kinds[c] = 'numeric';
    for (const c of categorical) kinds[c] = 'categorical';
    const parsed = parseCsv(text, { columns: kinds }).frame;
    const names = parsed.columns.map((c) => c.name);
    const lacking = [...numeric, ...categorical].filter((n) => !names.includes(n));
    if (lacking.length > 0)
      throw new DataError(`${file}: the model's feature(s) ${lacking.join(', ')} are not columns of the file`);
    const wanted = new Set([...numeric, ...categorical]);
    return { frame: { nRows: parsed.nRows, columns: parsed.columns.filter((c) => wanted.has(c.name)) }, labels: null };
  } catch (err) {
    if (err instanceof DataError) throw new UsageError(err.message);
    if (err instanceof Error && /^parseCsv: /.test(err.message))
      throw new UsageError(`${file}: ${err.message.replace(/^parseCsv: /, '')}`);
    throw err;
  }
}

function percent(share: number): string {
  return `${(100 * share).toFixed(1)}%`;
}

function summaryText(s: SimulationSummary, where: string, how: string): string {
  const lines = [
    `Sent ${s.sent} records to ${where} (${how}): ` +
      `${s.succeeded} answered, ${s.failed} failed in ${s.seconds.toFixed(1)} s`,
  ];
  if (s.meanProbability !== null) {
    lines.push(`Mean probability: ${s.meanProbability.toFixed(3)}`);
    const shares = Object.entries(s.classShares).map(([k, v]) => `${k} ${percent(v)}`);
    lines.push(`Predicted classes: ${shares.join(', ')}`);
  }
  if (s.feedbackSent + s.feedbackFailed > 0)
    lines.push(`Feedback: ${s.feedbackSent} labels sent, ${s.feedbackFailed} failed`);
  for (const e of s.errors) lines.push(`  ${e.count} × ${e.message}`);
  return `${lines.join('\n')}\n`;
}

async function simulate(flags: SimulateFlags): Promise<void> {
  const client = await CairnClient.open(resolveTrackingUri(flags.trackingUri), { retry: { maxRetries: 2 } });
  let served: Awaited<ReturnType<typeof loadServedModel>>;
  try {
    served = await loadServedModel(client, flags.model);
  } finally {
    await client.close();
  }
  const model = served.model;
  const inputs = model.signature.inputs.filter((s) => s.name !== undefined);
  const numeric = inputs.filter((s) => isNumericType(s.type)).map((s) => s.name!);
  const categorical = inputs.filter((s) => !isNumericType(s.type)).map((s) => s.name!);
  try {
    if (flags.shift) checkShifts(flags.shift, numeric, categorical);
  } catch (err) {
    if (err instanceof SimulationInputError) throw new UsageError(err.message);
    throw err;
  }
  const classes = Array.from(model.classes ?? []);
  if (classes.length === 0) throw new UsageError(`model '${flags.model}' is not a classifier: it has no classes`);
  const positiveClass = classes.includes(1) ? 1 : classes[classes.length - 1];

  let sampler: RowSampler;
  let how: string;
  let labelled = false;
  try {
    if (flags.data) {
      const { frame, labels } = await readData(flags.data, model, numeric, categorical);
      sampler = dataSampler(frame, labels);
      labelled = labels !== null;
      how = `rows of ${flags.data}`;
    } else {
      if (!model.referenceProfile)
        throw new UsageError(
          `model '${flags.model}' has no reference profile: give the training data with --data FILE`,
        );
      sampler = profileSampler(model.referenceProfile, [...numeric, ...categorical]);
      how = "drawn from the model's reference profile";
    }
  } catch (err) {
    if (err instanceof SimulationInputError) throw new UsageError(err.message);
    throw err;
  }
  if (flags.shift) how += `, shifted ${flags.shift.map((s) => `${s.feature}=${s.op}${s.amount}`).join(',')}`;
  how += `, seed ${flags.seed}`;
  if (flags.feedback) {
    const truth = labelled ? 'true labels' : "labels drawn from the model's probability";
    how += `, feedback: ${truth}${flags.labelNoise > 0 ? `, ${percent(flags.labelNoise)} flipped` : ''}`;
  }

  const plan = planSimulation(sampler, {
    rows: flags.rows,
    seed: flags.seed,
    shifts: flags.shift,
    labelNoise: flags.labelNoise,
  });
  const tty = process.stderr.isTTY === true && !flags.json;
  let shownAt = 0;
  const summary = await runSimulation({
    endpoint: flags.endpoint,
    plan,
    feedback: flags.feedback === true,
    concurrency: flags.concurrency,
    classes,
    positiveClass,
    onProgress: tty
      ? (done, failed) => {
          const now = Date.now();
          if (now - shownAt < 200 && done < plan.length) return;
          shownAt = now;
          process.stderr.write(`\rsimulate: ${done}/${plan.length} sent, ${failed} failed`);
          if (done === plan.length) process.stderr.write('\n');
        }
      : undefined,
  }).catch((err) => {
    if (err instanceof SimulationInputError) throw new UsageError(err.message);
    throw err;
  });
  const where = `${flags.endpoint.replace(/\/+$/, '').replace(/\/predict$/, '')}/predict`;
  if (flags.json)
    process.stdout.write(`${JSON.stringify({ model: served.uri, source: sampler.source, ...summary }, null, 2)}\n`);
  else process.stdout.write(summaryText(summary, where, how));
  if (summary.failed > 0 || summary.feedbackFailed > 0)
    throw new Error(
      `${summary.failed} of ${summary.sent} predictions and ${summary.feedbackFailed} feedback posts failed ` +
        `(first: ${summary.errors[0]?.message ?? 'unknown'})`,
    );
}

export function simulateCommand(): Command {
  return new Command('simulate')
    .description(
      'Send realistic records to a scoring endpoint (POST /predict of `cairn serve`), sampled from the training ' +
        "data (--data) or the model's reference profile, optionally shifted, with ground truth sent to /feedback. " +
        'The same seed sends the same records and labels. Exit status 1 when a request failed.',
    )
    .requiredOption(
      '--model <uri>',
      'the served model (any URI `cairn serve` takes): its features, classes and reference profile',
    )
    .requiredOption('--endpoint <url>', 'the scoring server, e.g. http://127.0.0.1:8000')
    .requiredOption('--rows <n>', 'records to send', intOption('--rows', 1, 10_000_000))
    .option('--data <file>', "sample rows of this CSV (the training data) instead of the model's reference profile")
    .option(
      '--shift <shifts>',
      'shift numeric features: FEATURE=+N, FEATURE=-N or FEATURE=*N, comma-separated (age=+10,chol=*1.3)',
      shiftOption,
    )
    .option('--feedback', "post each record's label to /feedback (the true label with --data, else drawn from P)")
    .option('--label-noise <p>', 'share of feedback labels flipped to another class', labelNoise, 0)
    .option('--seed <n>', 'seed of every random draw', intOption('--seed', 0, 2 ** 32 - 1), 42)
    .option('--concurrency <n>', 'requests in flight at once', intOption('--concurrency', 1, 1024), 4)
    .addOption(trackingUriOption())
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      '\nExample:\n' +
        '  cairn simulate --model models:/heart-disease@champion --endpoint http://127.0.0.1:8000 --rows 500 \\\n' +
        '    --data data/heart_disease_uci.csv --shift age=+10 --feedback --label-noise 0.1 --seed 7\n',
    )
    .action(async (flags: SimulateFlags) => simulate(flags));
}
