// `cairn quickstart`: with no flags and no network, trains the heart-disease pipeline on the bundled UCI
// data into the embedded store (./cairn-data), tunes the best family briefly (nested runs), registers `heart-disease`, applies its promotion policy,
// points @champion at the best version and prints a summary and the next commands. A second run on the
// same store reuses the finished runs of the same data (unless --fresh). `--serve` then keeps the
// tracking server and its UI on :5000 and the champion's scoring API on :8000 until Ctrl-C.
import path from 'node:path';
import { Command, Option } from 'commander';
import pino from 'pino';
import { CairnClient } from '../client/cairn-client.js';
import { defaultArtifactRootFor, isServerUri } from '../client/open-stores.js';
import { HEART } from '../pipelines/dataset-spec.js';
import { bundledHeartPath } from '../pipelines/data-source.js';
import { loadDataset } from '../pipelines/load-dataset.js';
import { MODEL_FAMILIES } from '../pipelines/model-families.js';
import { DEFAULT_POLICIES, registerBest, type RegistrationResult } from '../pipelines/register-best.js';
import { existingRegistration, findFinishedRuns, findFinishedTuning } from '../pipelines/reuse-runs.js';
import {
  datasetSummary,
  isImbalanced,
  selectionMetricFor,
  trainModels,
  tuneTrained,
  experimentIdFor,
} from '../pipelines/train-pipeline.js';
import type { TuneOptions } from '../pipelines/tuning-hook.js';
import { trainText } from '../pipelines/train-report.js';
import { pickBest, type TrainResult } from '../pipelines/train-types.js';
import { type RunningServer, startServer } from '../server/start.js';
import { DEFAULT_PREDICTION_LOG_URI } from '../serving/prediction-log/prediction-log-store.js';
import { type RunningServing, startServing } from '../serving/start-serving.js';
import { resolveTrackingUri, UsageError } from './cli-client.js';
import { banner, stopOnSignals } from './run-server.js';
import { DEFAULT_BACKEND_STORE_URI, parsePort, type ServerConfig } from './server-options.js';
import { prepareServerPaths, StartupError, startupErrorMessage } from './server-startup.js';
import { actingUser, asUsageError, progressPrinter } from './train-command.js';

export const QUICKSTART_EXPERIMENT = 'heart-disease';
export const QUICKSTART_MODEL = 'heart-disease';
const SEED = 42;
const FOLDS = 5;
const SERVER_PORT = 5000;
const SCORING_PORT = 8000;
/** "Tunes the best family briefly": a short seeded TPE search, a few seconds for lr on 2 cores. */
export const QUICKSTART_TUNING: TuneOptions = { method: 'tpe', maxEvals: 12, workers: 1 };

interface QuickstartFlags {
  fresh?: boolean;
  serve?: boolean;
  trackingUri?: string;
  port?: number;
  scoringPort?: number;
}

/** The quickstart's store: --tracking-uri, else the embedded SQLite store (environment deliberately ignored). */
export function quickstartUri(flag: string | undefined): string {
  return resolveTrackingUri(flag || DEFAULT_BACKEND_STORE_URI, {});
}

function nextCommands(uri: string, serving: boolean, scoringPort: number): string {
  // `cairn models` talks to a server by default, so it is pointed at this store explicitly
  const store = ` --tracking-uri '${uri}'`;
  const trainStore = uri === DEFAULT_BACKEND_STORE_URI ? '' : store;
  const lines = ['Next:'];
  if (!serving) lines.push('  cairn quickstart --serve     # the tracking UI on :5000 and the scoring API on :8000');
  else lines.push(`  curl -s http://127.0.0.1:${scoringPort}/docs/json     # the scoring API's OpenAPI document`);
  lines.push(
    `  cairn report --experiment ${QUICKSTART_EXPERIMENT}${store}`,
    `  cairn models show ${QUICKSTART_MODEL}${store}`,
    `  cairn models history ${QUICKSTART_MODEL}${store}`,
    `  cairn train heart --models lr,rf${trainStore}`,
    `  cairn train stroke --data healthcare-dataset-stroke-data.csv${trainStore}`,
  );
  return lines.join('\n');
}

/** Trains (or reuses) and registers; returns what it did, for the summary. */
async function trainOrReuse(
  client: CairnClient,
  fresh: boolean,
  log: (m: string) => void,
  progress: ReturnType<typeof progressPrinter>,
): Promise<{ result: TrainResult; reg: RegistrationResult }> {
  const data = await loadDataset(bundledHeartPath(), HEART).catch(asUsageError);
  const families = [...MODEL_FAMILIES];
  const trainOptions = {
    families,
    cv: FOLDS,
    seed: SEED,
    experiment: QUICKSTART_EXPERIMENT,
    sourceName: 'cairn quickstart',
    onProgress: progress,
  };
  const found = fresh
    ? null
    : await findFinishedRuns(client, QUICKSTART_EXPERIMENT, data.digest, families, { cv: FOLDS, seed: SEED });
  if (found) {
    log(`reusing ${found.length} finished runs of this data (sha256 ${data.digest.slice(0, 12)}…); --fresh retrains`);
    const imbalanced = isImbalanced(data);
    const selectionMetric = selectionMetricFor(imbalanced);
    const best = pickBest(found, selectionMetric);
    const result: TrainResult = {
      dataset: datasetSummary(data),
      experimentId: await experimentIdFor(client, QUICKSTART_EXPERIMENT),
      experimentName: QUICKSTART_EXPERIMENT,
      selectionMetric,
      imbalanced,
      cvFolds: FOLDS,
      seed: SEED,
      trainRows: NaN,
      holdoutRows: NaN,
      models: found,
      best,
      reused: true,
    };
    // the brief search over the best family is reused too, or run now if an earlier quickstart had none
    const tuning = await findFinishedTuning(client, result.experimentId, best, selectionMetric);
    if (tuning) {
      log(
        `reusing the finished ${tuning.outcome.method} search over ${best.family} (run ${tuning.outcome.parentRunId})`,
      );
      result.tuning = tuning.outcome;
      if (tuning.tuned) {
        result.models = [...found, tuning.tuned];
        result.best = tuning.tuned;
      }
    } else {
      await tuneTrained(client, data, result, { ...trainOptions, tune: QUICKSTART_TUNING });
    }
    const existing = await existingRegistration(client, QUICKSTART_MODEL, result.best);
    const reg =
      existing ??
      (await registerBest(client, result.best, {
        name: QUICKSTART_MODEL,
        defaultPolicy: DEFAULT_POLICIES[QUICKSTART_MODEL],
        user: actingUser(),
      }));
    return { result, reg };
  }
  log(`training ${families.join(', ')} on the bundled UCI heart-disease data (${FOLDS}-fold CV, seed ${SEED})`);
  const result = await trainModels(client, data, { ...trainOptions, tune: QUICKSTART_TUNING });
  const reg = await registerBest(client, result.best, {
    name: QUICKSTART_MODEL,
    defaultPolicy: DEFAULT_POLICIES[QUICKSTART_MODEL],
    user: actingUser(),
  });
  return { result, reg };
}

/**
 * The prediction log beside the store: ./cairn-data/predictions.db for the embedded default, a
 * predictions.db next to any other SQLite file, and the same database for PostgreSQL (the log's
 * migrations use their own version block there).
 */
export function predictionLogBeside(storeUri: string): string {
  if (storeUri === DEFAULT_BACKEND_STORE_URI) return DEFAULT_PREDICTION_LOG_URI;
  const sqlite = /^sqlite:\/\/(\/.*)$/.exec(storeUri);
  if (sqlite) return `sqlite://${path.join(path.dirname(sqlite[1]!), 'predictions.db')}`;
  return storeUri;
}

/**
 * Serves until Ctrl-C: the tracking server (and UI) on :5000 and the champion's scoring API on :8000.
 * One shutdown for both: the scoring API stops first and flushes its prediction log, then the
 * tracking server finishes its in-flight requests.
 */
async function serve(uri: string, trackingPort: number, scoringPort: number): Promise<void> {
  if (isServerUri(uri))
    throw new UsageError('--serve runs a tracking server on a database store; --tracking-uri names a server already.');
  const config: ServerConfig = {
    backendStoreUri: uri,
    artifactsDestination: path.resolve(defaultArtifactRootFor(uri)),
    serveArtifacts: true,
    host: '127.0.0.1',
    port: trackingPort,
    workers: 1,
    logLevel: 'warn',
    runCacheSize: 10_000,
  };
  const logger = pino({ level: config.logLevel });
  const created = prepareServerPaths(config);
  let tracking: RunningServer;
  try {
    tracking = await startServer({ ...config, logger });
  } catch (err) {
    created.undo();
    throw new StartupError(startupErrorMessage(err, config));
  }
  process.stdout.write(`${banner(tracking.url, config)}\n`);
  const modelUri = `models:/${QUICKSTART_MODEL}@champion`;
  let scoring: RunningServing;
  try {
    scoring = await startServing({
      modelUri,
      trackingUri: uri,
      host: '127.0.0.1',
      port: scoringPort,
      predictionLogUri: predictionLogBeside(uri),
      logger,
    });
  } catch (err) {
    await tracking.close();
    const why = err instanceof Error ? err.message : String(err);
    throw new StartupError(`the scoring API for ${modelUri} could not start on port ${scoringPort}: ${why}`);
  }
  process.stdout.write(
    `Scoring API: ${modelUri} (version ${scoring.served.version}) at ${scoring.url}` +
      ` (POST /predict, POST /invocations, GET /docs)\nPress Ctrl-C to stop.\n`,
  );
  stopOnSignals(logger, 'shutting down: scoring API (flushing the prediction log), then the tracking server', () =>
    scoring.close().then(() => tracking.close()),
  );
}

export async function runQuickstart(flags: QuickstartFlags): Promise<void> {
  const uri = quickstartUri(flags.trackingUri);
  const progress = progressPrinter();
  const log = (message: string) => progress({ kind: 'info', message });
  const t0 = Date.now();
  const client = await CairnClient.open(uri, { retry: { maxRetries: 2 } });
  let summary: string;
  try {
    const { result, reg } = await trainOrReuse(client, flags.fresh === true, log, progress);
    summary = trainText(result, reg);
  } finally {
    await client.close();
  }
  process.stdout.write(
    `${summary}\n\nStore: ${uri} (done in ${((Date.now() - t0) / 1000).toFixed(1)}s)\n\n` +
      `${nextCommands(uri, flags.serve === true, flags.scoringPort ?? SCORING_PORT)}\n`,
  );
  if (flags.serve) await serve(uri, flags.port ?? SERVER_PORT, flags.scoringPort ?? SCORING_PORT);
}

export function quickstartCommand(): Command {
  return new Command('quickstart')
    .description(
      'Train the heart-disease pipeline on the bundled UCI data into ./cairn-data (no network), tune the best ' +
        'family briefly (a short TPE search as nested runs), register ' +
        'heart-disease, apply its promotion policy and point @champion at the best version.',
    )
    .option('--fresh', 'train again even if this store has finished runs of the same data')
    .option(
      '--serve',
      `then keep the tracking server and UI on :${SERVER_PORT} and the champion's scoring API on :${SCORING_PORT} ` +
        'running until Ctrl-C',
    )
    .option(
      '--port <port>',
      'with --serve: the tracking server and UI port (0 picks a free one)',
      parsePort,
      SERVER_PORT,
    )
    .option(
      '--scoring-port <port>',
      "with --serve: the scoring API's port (0 picks a free one)",
      parsePort,
      SCORING_PORT,
    )
    .addOption(
      new Option(
        '--tracking-uri <uri>',
        `store to use: sqlite:///…, postgresql://… or a server URL (default ${DEFAULT_BACKEND_STORE_URI})`,
      ),
    )
    .action((flags: QuickstartFlags) => runQuickstart(flags));
}
