// `cairn train heart|stroke` and `cairn train --data FILE --target COL`: validates the data (bad data
// exits 2 before anything is written), trains and logs one run per model family, registers the best
// and applies its promotion policy. Progress goes to stderr (a rewritten line on a TTY), the summary
// or the --json document to stdout.
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CairnClient } from '../client/cairn-client.js';
import { InvalidParameter } from '../core/errors.js';
import { BUILTIN_DATASETS, parsePositiveWhen, type DatasetSpec, type PositiveRule } from '../pipelines/dataset-spec.js';
import { bundledHeartPath, resolveStrokeFile, STROKE_URL_ENV } from '../pipelines/data-source.js';
import { DataError, loadDataset, type LoadedDataset } from '../pipelines/load-dataset.js';
import { MODEL_FAMILIES, parseFamilies, type ModelFamily } from '../pipelines/model-families.js';
import { DEFAULT_POLICIES, registerBest, validatePolicyDocs } from '../pipelines/register-best.js';
import { checkFoldSizes, trainModels, type ProgressEvent } from '../pipelines/train-pipeline.js';
import { trainJson, trainText } from '../pipelines/train-report.js';
import { checkTuneOptions, TUNE_METHODS, type TuneMethod, type TuneOptions } from '../pipelines/tuning-hook.js';
import { UsageError, resolveTrackingUri } from './cli-client.js';
import { DEFAULT_BACKEND_STORE_URI } from './server-options.js';
import { parsePolicyFile } from './policy-file.js';

export interface TrainFlags {
  data?: string;
  dataUrl?: string;
  target?: string;
  positive?: string;
  positiveWhen?: string;
  drop?: string;
  numeric?: string;
  categorical?: string;
  name?: string;
  experiment?: string;
  models: ModelFamily[];
  cv: number;
  seed: number;
  register?: string | boolean;
  policy?: string;
  tune?: TuneMethod;
  maxEvals: number;
  workers: number;
  study?: string;
  studyUri?: string;
  trackingUri?: string;
  json?: boolean;
}

const intOption =
  (flag: string, min: number, max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${flag} must be an integer from ${min} to ${max}, got '${value}'.`);
    return n;
  };

function parseModels(value: string): ModelFamily[] {
  const { families, unknown } = parseFamilies(value);
  if (unknown.length > 0)
    throw new InvalidArgumentError(`unknown model family '${unknown[0]}'; choose from ${MODEL_FAMILIES.join(', ')}.`);
  if (families.length === 0) throw new InvalidArgumentError(`name at least one of ${MODEL_FAMILIES.join(', ')}.`);
  return families;
}

const list = (v: string | undefined) =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');

/** The tracking store of `cairn train`: the flag, the environment, else the embedded SQLite store. */
export function trainTrackingUri(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolveTrackingUri(flag || env.CAIRN_TRACKING_URI || env.MLFLOW_TRACKING_URI || DEFAULT_BACKEND_STORE_URI, {});
}

/** `--tracking-uri` for the training commands, whose default is the embedded store. */
export const storeOption = (): Option =>
  new Option(
    '--tracking-uri <uri>',
    'sqlite:///relative.db, sqlite:////absolute.db, postgresql://user:pass@host:port/db or a server URL ' +
      `(default: CAIRN_TRACKING_URI, MLFLOW_TRACKING_URI, else ${DEFAULT_BACKEND_STORE_URI})`,
  );

/** Who registers (recorded in the registry's audit trail). */
export function actingUser(): string | undefined {
  if (process.env.CAIRN_USER) return process.env.CAIRN_USER;
  try {
    return os.userInfo().username;
  } catch {
    return undefined;
  }
}

const GENERIC_ONLY = ['target', 'positive', 'positiveWhen', 'drop', 'numeric', 'categorical', 'name'] as const;
const FLAG_NAME: Record<string, string> = {
  target: '--target',
  positive: '--positive',
  positiveWhen: '--positive-when',
  drop: '--drop',
  numeric: '--numeric',
  categorical: '--categorical',
  name: '--name',
};

/** The data set spec and the file to read, from the argument and flags (usage errors exit 2). */
export async function resolveData(
  dataset: string | undefined,
  flags: TrainFlags,
  log: (line: string) => void,
): Promise<{ spec: DatasetSpec; file: string }> {
  if (dataset !== undefined) {
    const spec = BUILTIN_DATASETS[dataset];
    if (!spec)
      throw new UsageError(
        `unknown data set '${dataset}': use heart or stroke, or omit it for any CSV (--data FILE --target COL).`,
      );
    const generic = GENERIC_ONLY.find((k) => flags[k] !== undefined);
    if (generic)
      throw new UsageError(
        `${FLAG_NAME[generic]} is for a generic CSV; ${dataset} has a fixed schema (run without '${dataset}' to use your own columns).`,
      );
    if (dataset === 'heart') return { spec, file: flags.data ?? bundledHeartPath() };
    if (flags.dataUrl !== undefined && flags.data !== undefined)
      throw new UsageError('give --data or --data-url, not both.');
    return { spec, file: await resolveStrokeFile({ data: flags.data, url: flags.dataUrl, log }) };
  }
  if (!flags.data || !flags.target)
    throw new UsageError(
      'name a data set (cairn train heart | stroke) or give a CSV with --data FILE --target COL ' +
        "[--positive VALUE | --positive-when '>0'].",
    );
  if (flags.dataUrl !== undefined) throw new UsageError(`--data-url is for stroke only (or set ${STROKE_URL_ENV}).`);
  if (flags.positive !== undefined && flags.positiveWhen !== undefined)
    throw new UsageError('give --positive VALUE or --positive-when COMPARISON, not both.');
  let positive: PositiveRule = { kind: 'compare', op: '==', threshold: 1 };
  if (flags.positive !== undefined) positive = { kind: 'equals', value: flags.positive };
  if (flags.positiveWhen !== undefined) {
    const rule = parsePositiveWhen(flags.positiveWhen);
    if (!rule)
      throw new UsageError(
        `--positive-when must be a comparison with a number, such as '>0', '>=1' or '==1'; got '${flags.positiveWhen}'.`,
      );
    positive = rule;
  }
  const stem = path.basename(flags.data).replace(/\.[^.]*$/, '');
  const name = flags.name ?? (stem.replace(/[^A-Za-z0-9_.-]+/g, '-') || 'data');
  const spec: DatasetSpec = {
    name,
    title: `${path.basename(flags.data)}`,
    target: flags.target,
    positive,
    numeric: list(flags.numeric),
    categorical: list(flags.categorical),
    drop: list(flags.drop) ?? [],
    imbalanced: false,
    registeredModel: name,
  };
  return { spec, file: flags.data };
}

const DEFAULT_EXPERIMENT: Record<string, string> = { heart: 'heart-disease', stroke: 'stroke' };

/** Progress on stderr: one rewritten line on a TTY, a plain line per finished model otherwise. */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): (e: ProgressEvent) => void {
  const tty = stream.isTTY === true;
  const t0 = Date.now();
  const secs = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
  return (e) => {
    if (e.kind === 'info') stream.write(`${tty ? '\r\x1b[K' : ''}${e.message}\n`);
    else if (e.kind === 'model-start' && tty) stream.write(`\r\x1b[K[${e.index + 1}/${e.of}] ${e.family}: training`);
    else if (e.kind === 'fold' && tty) stream.write(`\r\x1b[K  ${e.family}: fold ${e.fold}/${e.of} (${secs()})`);
    else if (e.kind === 'trial' && tty) {
      const value = Number.isFinite(e.value) ? e.value.toFixed(4) : e.state.toLowerCase();
      const best = e.best === undefined ? '-' : e.best.toFixed(4);
      stream.write(
        `\r\x1b[K  ${e.family} tuning: trial ${e.trial} ${value}, best ${best} (${e.finished}/${e.of}, ${secs()})`,
      );
    } else if (e.kind === 'model-done') {
      const m = e.result;
      stream.write(
        `${tty ? '\r\x1b[K' : ''}[${e.index + 1}/${e.of}] ${m.family} done in ${m.fitSeconds.toFixed(1)}s: ` +
          `roc_auc ${m.cv.roc_auc.mean.toFixed(3)}, pr_auc ${m.cv.pr_auc.mean.toFixed(3)} (run ${m.runId})\n`,
      );
    }
  };
}

/** Bad input found after parsing becomes a usage error (exit 2, message, no stack). */
export function asUsageError(err: unknown): never {
  if (err instanceof DataError) throw new UsageError(err.message);
  if (err instanceof InvalidParameter) throw new UsageError(err.message);
  throw err;
}

async function loadOrExit(file: string, spec: DatasetSpec): Promise<LoadedDataset> {
  try {
    return await loadDataset(file, spec);
  } catch (err) {
    return asUsageError(err);
  }
}

export async function runTrain(dataset: string | undefined, flags: TrainFlags): Promise<void> {
  const progress = progressPrinter();
  const log = (message: string) => progress({ kind: 'info', message });
  const tune: TuneOptions | undefined = flags.tune
    ? {
        method: flags.tune,
        maxEvals: flags.maxEvals,
        workers: flags.workers,
        study: flags.study,
        studyUri: flags.studyUri,
      }
    : undefined;
  // everything that can be refused is checked before the store is opened
  const uri = trainTrackingUri(flags.trackingUri);
  if (!tune && (flags.study !== undefined || flags.studyUri !== undefined))
    throw new UsageError('--study and --study-uri need --tune tpe|random|grid.');
  try {
    checkTuneOptions(tune, uri);
  } catch (err) {
    asUsageError(err);
  }
  let policyDocs: unknown[] | undefined;
  try {
    if (flags.policy) policyDocs = validatePolicyDocs(await parsePolicyFile(flags.policy));
  } catch (err) {
    asUsageError(err);
  }
  if (flags.register === false && flags.policy) throw new UsageError('--policy has no effect with --no-register.');
  const { spec, file } = await resolveData(dataset, flags, log).catch(asUsageError);
  const data = await loadOrExit(file, spec);
  try {
    checkFoldSizes(data, flags.cv);
  } catch (err) {
    asUsageError(err);
  }
  const registerName = typeof flags.register === 'string' ? flags.register : spec.registeredModel;
  const retry = process.env.MLFLOW_HTTP_REQUEST_MAX_RETRIES ? {} : { maxRetries: 2 };
  const client = await CairnClient.open(uri, { retry });
  try {
    const result = await trainModels(client, data, {
      families: flags.models,
      cv: flags.cv,
      seed: flags.seed,
      experiment: flags.experiment ?? DEFAULT_EXPERIMENT[spec.name] ?? spec.name,
      tune,
      trackingUri: uri,
      sourceName: 'cairn train',
      onProgress: progress,
    }).catch(asUsageError);
    const reg =
      flags.register === false
        ? null
        : await registerBest(client, result.best, {
            name: registerName,
            policyDocs,
            defaultPolicy: DEFAULT_POLICIES[registerName],
            user: actingUser(),
          });
    process.stdout.write(
      flags.json ? `${JSON.stringify(trainJson(result, reg), null, 2)}\n` : `${trainText(result, reg)}\n`,
    );
  } finally {
    await client.close();
  }
}

export function trainCommand(): Command {
  return new Command('train')
    .description(
      'Train lr, dt, rf, gbm and knn on heart, stroke or any CSV with stratified CV; log every run; register the ' +
        'best and apply its promotion policy (Production only when it passes).',
    )
    .argument('[dataset]', 'heart (bundled) or stroke; omit it for any CSV with --data FILE --target COL')
    .option('--data <file>', 'the CSV (heart: default the bundled UCI file; stroke: required unless downloaded)')
    .option(
      '--data-url <url>',
      `stroke: download from this URL into the cache, SHA-256 checked (default ${STROKE_URL_ENV})`,
    )
    .option('--target <column>', 'generic CSV: the target column')
    .option('--positive <value>', 'generic CSV: the target value of the positive class (text)')
    .option('--positive-when <comparison>', "generic CSV: positive when the target compares true, e.g. '>0'")
    .option('--drop <columns>', 'generic CSV: comma-separated columns not used as features (ids)')
    .option('--numeric <columns>', 'generic CSV: numeric feature columns (others inferred)')
    .option('--categorical <columns>', 'generic CSV: categorical feature columns (others inferred)')
    .option('--name <name>', 'generic CSV: the data set name (default: the file name)')
    .option('--experiment <name>', 'experiment (default: heart-disease, stroke, or the data set name)')
    .option('--models <list>', `comma-separated families from ${MODEL_FAMILIES.join(',')}`, parseModels, [
      ...MODEL_FAMILIES,
    ])
    .option('--cv <n>', 'stratified cross-validation folds', intOption('--cv', 2, 20), 5)
    .option('--seed <n>', 'seed of the splits and of every model', intOption('--seed', 0, 2 ** 32 - 1), 42)
    .option('--register <name>', 'registered model name (default: heart-disease, stroke, or the data set name)')
    .option('--no-register', 'log the runs without registering a version')
    .option('--policy <file>', 'promotion policy JSON for the registered model (a policy or a list of them)')
    .addOption(
      new Option('--tune <method>', 'tune the best family: a parent run, a nested run per trial').choices([
        ...TUNE_METHODS,
      ]),
    )
    .option('--max-evals <n>', 'tuning trials', intOption('--max-evals', 1, 100_000), 50)
    .option('--workers <n>', 'parallel tuning trials on this machine', intOption('--workers', 1, 256), 1)
    .option('--study <name>', 'shared tuning study (several processes on one PostgreSQL store)')
    .option(
      '--study-uri <uri>',
      'database of the shared study (sqlite:///… or postgresql://…); needed when --tracking-uri is a server',
    )
    .addOption(storeOption())
    .option('--json', 'print one JSON document (per model CV mean/std, run ids, registration)')
    .action((dataset: string | undefined, flags: TrainFlags) => runTrain(dataset, flags));
}
