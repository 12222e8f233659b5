// `cairn serve MODEL_URI`: the scoring server (POST /predict, POST /invocations, /metrics…) for any
// model URI the model package's loader accepts; flags are checked here, the work is src/serving's.
import cluster from 'node:cluster';
import { Command, InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import { DEFAULT_BODY_LIMIT, DEFAULT_MAX_BATCH } from '../serving/app.js';
import { DEFAULT_FLUSH_INTERVAL_MS } from '../serving/prediction-log/log-writer.js';
import { DEFAULT_PREDICTION_LOG_URI } from '../serving/prediction-log/prediction-log-store.js';
import { DEFAULT_RANGE_TOLERANCE } from '../serving/record-validator.js';
import { REGISTRY_WEBHOOK_PATH, WEBHOOK_SECRET_ENV } from '../serving/registry-webhook-route.js';
import { MAX_WEBHOOK_SECRET_LENGTH, MIN_WEBHOOK_SECRET_LENGTH } from '../registry/webhooks/webhook-validation.js';
import { randomBytes } from 'node:crypto';
import { parseRiskThresholds, type RiskThresholds } from '../serving/risk-levels.js';
import { clusterMetricsText, runServeCluster, shareWorkerRegistry } from '../serving/serve-cluster.js';
import { startServing } from '../serving/start-serving.js';
import { resolveTrackingUri, trackingUriOption, UsageError } from './cli-client.js';
import { parseHost, parseLogLevel, parsePort, parseWorkers } from './server-options.js';

function positiveInt(flag: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < 1 || n > max)
      throw new InvalidArgumentError(`${flag} must be an integer between 1 and ${max}.`);
    return n;
  };
}

function nonNegative(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0)
      throw new InvalidArgumentError(`${flag} must be a number >= 0.`);
    return n;
  };
}

function predictionLogUri(value: string): string {
  if (value === 'none') return value;
  if (!/^(sqlite:\/\/\/.+|postgres(ql)?(\+[a-z0-9_]+)?:\/\/.+)/i.test(value))
    throw new InvalidArgumentError(
      '--prediction-log must be sqlite:///relative.db, sqlite:////absolute.db, postgresql://user:pass@host:port/db or none.',
    );
  return value;
}

function thresholds(value: string): RiskThresholds {
  try {
    return parseRiskThresholds(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function webhookSecret(value: string): string {
  if (value.length < MIN_WEBHOOK_SECRET_LENGTH || value.length > MAX_WEBHOOK_SECRET_LENGTH)
    throw new InvalidArgumentError(
      `the webhook secret must be ${MIN_WEBHOOK_SECRET_LENGTH} to ${MAX_WEBHOOK_SECRET_LENGTH} characters long.`,
    );
  return value;
}

function webhookUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`--register-webhook must be an absolute http(s) URL, got '${value}'.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError(`--register-webhook must be an http(s) URL, got the scheme '${url.protocol}'.`);
  return value;
}

/** --webhook-secret, else CAIRN_WEBHOOK_SECRET (checked like the flag), else none. */
function secretFrom(flag: string | undefined): string | undefined {
  const env = process.env[WEBHOOK_SECRET_ENV];
  if (flag !== undefined || !env) return flag;
  try {
    return webhookSecret(env);
  } catch (err) {
    throw new UsageError(`${WEBHOOK_SECRET_ENV}: ${(err as Error).message}`);
  }
}

export function serveCommand(): Command {
  return new Command('serve')
    .description(
      'Serve a model: POST /predict, POST /invocations (MLflow scoring protocol), POST /feedback, ' +
        'GET /health, /ping, /version, /metadata, /metrics. Every prediction is recorded in the prediction log.',
    )
    .argument(
      '<model-uri>',
      'models:/name/3, models:/name/Production, models:/name@champion, models:/name/latest, runs:/<run>/model, ' +
        'a package directory, or a bare name (tried as models:/NAME/Production, models:/NAME/latest, runs:/NAME/model, then a path)',
    )
    .option('--host <host>', 'interface to listen on', parseHost, '127.0.0.1')
    .option('--port <port>', 'TCP port to listen on (0 picks a free one)', parsePort, 8000)
    .addOption(trackingUriOption())
    .option(
      '--prediction-log <uri>',
      'where every prediction is recorded: sqlite:///… or postgresql://…, or none',
      predictionLogUri,
      DEFAULT_PREDICTION_LOG_URI,
    )
    .option(
      '--log-retention-days <days>',
      'remove logged predictions older than this many days (0 keeps them forever)',
      nonNegative('--log-retention-days'),
      0,
    )
    .option(
      '--log-flush-ms <ms>',
      'how often buffered predictions are written: the most a crash can lose',
      positiveInt('--log-flush-ms', 10_000),
      DEFAULT_FLUSH_INTERVAL_MS,
    )
    .addOption(
      new Option('--risk-thresholds <medium,high>', 'probabilities where risk becomes medium and high')
        .argParser(thresholds)
        .default({ medium: 0.3, high: 0.7 }, '0.3,0.7'),
    )
    .option(
      '--range-tolerance <spans>',
      'how far outside the training [min, max] a value may go before it is flagged, in training spans',
      nonNegative('--range-tolerance'),
      DEFAULT_RANGE_TOLERANCE,
    )
    .option('--reject-out-of-range', 'refuse (400) values far outside the training range instead of flagging them')
    .option(
      '--poll-interval <seconds>',
      'with models:/name@alias, /<stage> or /latest: how often to check the registry for a new version and swap to it (0 = never)',
      nonNegative('--poll-interval'),
      10,
    )
    .option(
      '--webhook-secret <secret>',
      `with a URI that follows the registry: accept registry webhook deliveries signed with this secret at ` +
        `POST ${REGISTRY_WEBHOOK_PATH} and swap at once (default ${WEBHOOK_SECRET_ENV})`,
      webhookSecret,
    )
    .option(
      '--register-webhook <url>',
      `create (or update) the registry webhook that posts this model's changes to URL (this server's ` +
        `${REGISTRY_WEBHOOK_PATH} as the registry reaches it); the secret is generated unless given`,
      webhookUrl,
    )
    .option('--max-batch <n>', 'records per request at most', positiveInt('--max-batch'), DEFAULT_MAX_BATCH)
    .option('--max-body-bytes <n>', 'request body size at most', positiveInt('--max-body-bytes'), DEFAULT_BODY_LIMIT)
    .addOption(
      new Option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
        .argParser(parseLogLevel)
        .default('info'),
    )
    .option(
      '--workers <n>',
      'worker processes sharing the port (node:cluster); /metrics aggregates them',
      parseWorkers,
      1,
    )
    .action(async (modelUri: string, flags: Record<string, unknown>) => {
      const logger = pino({ level: flags.logLevel as string });
      const workers = flags.workers as number;
      const secret = secretFrom(flags.webhookSecret as string | undefined);
      if (cluster.isPrimary && workers > 1) {
        // every worker verifies deliveries with the same secret: generated once here, inherited by the forks
        if (flags.registerWebhook && !secret) process.env[WEBHOOK_SECRET_ENV] = randomBytes(32).toString('hex');
        await runServeCluster(workers, logger, (port) =>
          process.stdout.write(`Serving ${modelUri} with ${workers} workers at http://${flags.host}:${port}\n`),
        );
        return;
      }
      const running = await startServing({
        metricsText: cluster.isWorker ? clusterMetricsText : undefined,
        modelUri,
        trackingUri: resolveTrackingUri(flags.trackingUri as string | undefined),
        host: flags.host as string,
        port: flags.port as number,
        predictionLogUri: flags.predictionLog === 'none' ? null : (flags.predictionLog as string),
        logRetentionDays: flags.logRetentionDays as number,
        flushIntervalMs: flags.logFlushMs as number,
        riskThresholds: flags.riskThresholds as RiskThresholds,
        validator: {
          rangeTolerance: flags.rangeTolerance as number,
          rejectOutOfRange: flags.rejectOutOfRange === true,
        },
        maxBatch: flags.maxBatch as number,
        pollIntervalMs: (flags.pollInterval as number) * 1000,
        webhookSecret: secret,
        // one worker registers (the others would race to create the same webhook)
        registerWebhookUrl:
          cluster.isWorker && cluster.worker?.id !== 1 ? undefined : (flags.registerWebhook as string | undefined),
        bodyLimit: flags.maxBodyBytes as number,
        logger,
      });
      if (cluster.isWorker) shareWorkerRegistry(running.metrics.registry);
      else
        process.stdout.write(
          `Serving ${running.served.name} version ${running.served.version} (${running.served.uri}) at ${running.url}\n`,
        );
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down: finishing requests, flushing the prediction log');
        running.close().then(
          () => process.exit(0),
          (err) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
