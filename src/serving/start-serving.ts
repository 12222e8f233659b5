// Starts a scoring server in this process: loads the model through the client, opens the prediction
// log, listens, applies retention, and on close stops accepting requests, lets in-flight ones finish,
// then flushes the prediction log.
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { CairnClient } from '../client/cairn-client.js';
import { buildServingApp, DEFAULT_BODY_LIMIT, ModelSlot, type ServingApp } from './app.js';
import { followsRegistry, ModelFollower } from './model-follower.js';
import { loadServedModel, type ServedModel } from './model-loader.js';
import { PredictionLogWriter } from './prediction-log/log-writer.js';
import { PredictionLogStore } from './prediction-log/prediction-log-store.js';
import { Predictor } from './predictor.js';
import type { ValidatorOptions } from './record-validator.js';
import { REGISTRY_WEBHOOK_PATH, registerRegistryWebhook, SWAP_EVENTS } from './registry-webhook-route.js';
import { DEFAULT_RISK_THRESHOLDS, type RiskThresholds } from './risk-levels.js';

export interface StartServingOptions {
  modelUri: string;
  /** Where registry and run URIs resolve (a server URL or a database URI). */
  trackingUri: string;
  host: string;
  port: number;
  /** `sqlite:///…` or `postgresql://…`; null = no prediction log. */
  predictionLogUri: string | null;
  /** Days a logged prediction is kept (0 = forever). */
  logRetentionDays?: number;
  flushIntervalMs?: number;
  riskThresholds?: RiskThresholds;
  validator?: ValidatorOptions;
  maxBatch?: number;
  bodyLimit?: number;
  logger?: FastifyBaseLogger;
  logLevel?: string;
  /** What GET /metrics answers (a cluster worker: every worker's metrics, aggregated). */
  metricsText?: () => Promise<string>;
  /** With models:/name@alias, /<stage> or /latest: how often the registry is polled for a new version (0 = never; default 10 s). */
  pollIntervalMs?: number;
  /**
   * Secret of the registry webhook: with a URI that follows the registry, POST /webhooks/registry accepts
   * deliveries signed with it and re-resolves the URI at once. Generated when `registerWebhookUrl` is set alone.
   */
  webhookSecret?: string;
  /** Creates (or updates) the registry webhook that POSTs this model's changes to this URL, at start. */
  registerWebhookUrl?: string;
}

export interface RunningServing extends ServingApp {
  url: string;
  port: number;
  served: ServedModel;
  logWriter?: PredictionLogWriter;
  /** Set when the URI follows the registry (hot swap). */
  follower?: ModelFollower;
  /** The registry webhook created or updated at start (registerWebhookUrl). */
  webhookId?: string;
  /** Idempotent: stops listening, waits for in-flight requests, flushes the log, closes stores. */
  close(): Promise<void>;
}

export const DEFAULT_POLL_INTERVAL_MS = 10_000;
const RETENTION_EVERY_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export async function startServing(opts: StartServingOptions): Promise<RunningServing> {
  const client = await CairnClient.open(opts.trackingUri, { retry: { maxRetries: 2 } });
  let store: PredictionLogStore | undefined;
  let writer: PredictionLogWriter | undefined;
  let retention: NodeJS.Timeout | undefined;
  let built: ServingApp | undefined;
  try {
    const served = await loadServedModel(client, opts.modelUri);
    const predictor = new Predictor(served, opts.riskThresholds ?? DEFAULT_RISK_THRESHOLDS, opts.validator);
    if (opts.predictionLogUri) {
      store = await PredictionLogStore.open(opts.predictionLogUri);
      writer = new PredictionLogWriter(store, { flushIntervalMs: opts.flushIntervalMs, logger: opts.logger });
    }
    built = await buildServingApp({
      slot: new ModelSlot(predictor),
      logWriter: writer,
      maxBatch: opts.maxBatch,
      bodyLimit: opts.bodyLimit,
      logger: opts.logger,
      logLevel: opts.logLevel,
      metricsText: opts.metricsText,
    });
    const { app, metrics } = built;
    let follower: ModelFollower | undefined;
    let webhookId: string | undefined;
    const pollMs = opts.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    const webhookSecret = opts.webhookSecret ?? (opts.registerWebhookUrl ? randomBytes(32).toString('hex') : undefined);
    const follows = followsRegistry(served.uri);
    if (follows && (pollMs > 0 || webhookSecret)) {
      follower = new ModelFollower(client, built.slot, {
        intervalMs: pollMs,
        logger: app.log,
        onSwap: (next) => metrics.setModel(next.name, next.version, next.uri),
      });
      if (pollMs > 0) follower.start();
    }
    if (webhookSecret && follower) {
      const f = follower;
      const slot = built.slot;
      await registerRegistryWebhook(app, {
        secret: webhookSecret,
        modelName: () => slot.current.served.name,
        recheck: () => f.check(),
        bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
      });
      if (opts.registerWebhookUrl)
        webhookId = await ensureRegistryWebhook(client, opts.registerWebhookUrl, served.name, webhookSecret);
    } else if (webhookSecret) {
      app.log.warn(
        { uri: served.uri },
        'a webhook secret was given, but this model URI names one fixed version: no registry webhook endpoint',
      );
    }
    const retentionDays = opts.logRetentionDays ?? 0;
    if (store && retentionDays > 0) {
      const prune = async () => {
        try {
          const removed = await store!.deleteBefore(Date.now() - retentionDays * DAY_MS);
          if (removed > 0) app.log.info({ removed, retentionDays }, 'prediction log: removed old predictions');
        } catch (err) {
          app.log.error({ err }, 'prediction log: retention failed');
        }
      };
      await prune();
      retention = setInterval(() => void prune(), RETENTION_EVERY_MS);
      retention.unref();
    }
    await app.listen({ host: opts.host, port: opts.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : opts.port;
    const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    app.log.info(
      { model: served.name, version: served.version, uri: served.uri, predictionLog: store?.uri ?? null },
      'scoring server ready',
    );
    let closing: Promise<void> | undefined;
    return {
      ...built,
      url: `http://${host}:${port}`,
      port,
      served,
      logWriter: writer,
      follower,
      webhookId,
      close() {
        closing ??= (async () => {
          if (retention) clearInterval(retention);
          await follower?.stop();
          await app.close();
          await writer?.close();
          await store?.close();
          await client.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    if (retention) clearInterval(retention);
    await built?.app.close().catch(() => undefined);
    await writer?.close().catch(() => undefined);
    await store?.close().catch(() => undefined);
    await client.close().catch(() => undefined);
    throw err;
  }
}

/**
 * The registry webhook that POSTs `modelName`'s version, stage and alias changes to `url`, signed with
 * `secret`: an existing one for the same model and URL is updated (a restart does not pile them up).
 */
export async function ensureRegistryWebhook(
  client: CairnClient,
  url: string,
  modelName: string,
  secret: string,
): Promise<string> {
  const events = [...SWAP_EVENTS];
  const existing = (await client.webhooks.listWebhooks({ modelName })).find((w) => w.url === url);
  if (existing) {
    await client.webhooks.updateWebhook(existing.id, { events, secret, active: true });
    return existing.id;
  }
  const { webhook } = await client.webhooks.createWebhook({
    url,
    events,
    modelName,
    secret,
    name: `cairn serve ${modelName}`,
    description: `Hot swap of cairn serve (${REGISTRY_WEBHOOK_PATH})`,
  });
  return webhook.id;
}
