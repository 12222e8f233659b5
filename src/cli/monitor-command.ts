// `cairn monitor MODEL_URI`: drift and live performance of a served model from its prediction log, logged
// as a run of the experiment Model_Monitoring; once (`--once`) or every interval with Prometheus gauges.
import { createServer, type Server } from 'node:http';
import { Command, InvalidArgumentError } from 'commander';
import type { LoadedModel } from '../models/package/load-model.js';
import { parseStatTestOptions, type StatTestChoice } from '../monitoring/drift.js';
import { fmtScore } from '../monitoring/drift-report-html.js';
import { jsonSafe, runMonitorJob } from '../monitoring/monitor-job.js';
import { MonitorMetrics } from '../monitoring/monitor-metrics.js';
import { notifyDrift } from '../monitoring/monitor-notify.js';
import type { MonitorReport } from '../monitoring/monitor-report.js';
import { loadServedModel } from '../serving/model-loader.js';
import { parseSince } from '../serving/prediction-log/export.js';
import { DEFAULT_PREDICTION_LOG_URI, PredictionLogStore } from '../serving/prediction-log/prediction-log-store.js';
import { formatTable, trackingUriOption, UsageError, withClient } from './cli-client.js';

export const DEFAULT_WINDOW = 1000;

function positiveInt(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a positive integer, got '${v}'`);
    return n;
  };
}

/** `30s`, `5m`, `1h` → milliseconds. */
export function parseInterval(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(v.trim());
  if (!m || Number(m[1]) <= 0)
    throw new InvalidArgumentError(`--every must be a duration such as 30s, 5m or 1h, got '${v}'`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
}

/** The one plain line, then a short per-feature table. */
export function formatReport(r: MonitorReport): string {
  const d = r.drift;
  const rows = [...d.features, ...(d.prediction ? [d.prediction] : []), ...(d.target ? [d.target] : [])].map((f) => [
    f.feature,
    f.method,
    fmtScore(f.score),
    String(f.threshold),
    Number.isNaN(f.score) ? '–' : f.drifted ? 'DRIFT' : 'ok',
    fmtScore(f.psi),
  ]);
  const lines = [r.summary, formatTable(['feature', 'test', 'score', 'threshold', 'drift', 'psi'], rows)];
  if (d.referenceSource === 'profile') lines.push(d.referenceNote);
  if (d.live) {
    const perf = Object.entries(d.live.metrics)
      .map(([k, v]) => `${k} ${fmtScore(v)}`)
      .join(', ');
    lines.push(`Live performance on ${d.live.nLabeled} labeled predictions: ${perf}.`);
    if (r.performance.belowPolicy.length)
      lines.push(`Below the promotion policy: ${r.performance.belowPolicy.join(', ')}.`);
  }
  if (r.runId) lines.push(`Logged run ${r.runId} to experiment Model_Monitoring.`);
  return `${lines.join('\n')}\n`;
}

interface MonitorFlags {
  window?: number;
  since?: string;
  every?: number;
  once?: boolean;
  predictionLog: string;
  trackingUri?: string;
  metricsPort?: number;
  json?: boolean;
  stattest: string[];
  driftShare: number;
  notify?: boolean;
}

export function monitorCommand(): Command {
  return new Command('monitor')
    .description(
      'Data drift, prediction drift and live performance of a served model, from its prediction log: ' +
        'logs a run to the experiment Model_Monitoring with an HTML drift report and drift.json.',
    )
    .argument(
      '<model-uri>',
      'the served model: models:/NAME@ALIAS, models:/NAME/VERSION, runs:/ID/model or a directory',
    )
    .option('--window <n>', `the latest N predictions (default ${DEFAULT_WINDOW})`, positiveInt('--window'))
    .option('--since <when>', 'instead of --window: predictions since an ISO time, or this long ago (30m, 1h, 7d)')
    .option('--every <interval>', 'run a pass every interval (30s, 5m, 1h) until stopped', parseInterval)
    .option('--once', 'run one pass and exit (the default without --every)')
    .option(
      '--prediction-log <uri>',
      `the prediction log cairn serve writes: sqlite:///… or postgresql://… ` +
        `(default ${DEFAULT_PREDICTION_LOG_URI})`,
      DEFAULT_PREDICTION_LOG_URI,
    )
    .addOption(trackingUriOption())
    .option('--metrics-port <port>', 'serve the gauges at http://0.0.0.0:PORT/metrics (with --every)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535)
        throw new InvalidArgumentError(`--metrics-port must be a port number 0–65535, got '${v}'`);
      return n;
    })
    .option('--json', 'print the whole report as JSON (what drift.json holds)')
    .option(
      '--stattest <spec>',
      'per-feature test and threshold, FEATURE=METHOD[:THRESHOLD] ' +
        '(ks, wasserstein, chisquare, z, jensenshannon, psi); repeatable',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option(
      '--drift-share <share>',
      'share of drifting features at which the data set drifts (Evidently drift_share)',
      (v: string) => {
        const n = Number(v);
        if (!(n > 0 && n <= 1)) throw new InvalidArgumentError(`--drift-share must be in (0, 1], got '${v}'`);
        return n;
      },
      0.5,
    )
    .option(
      '--notify',
      "on data set drift, send the registry's MODEL_DRIFT_DETECTED event to the webhooks subscribed to it " +
        '(needs a registered model: models:/…)',
    )
    .addHelpText(
      'after',
      '\nExample:\n  cairn monitor models:/heart-disease@champion --window 1000 --once \\\n' +
        '    --prediction-log sqlite:///cairn-data/predictions.db --tracking-uri http://127.0.0.1:5000\n' +
        '  cairn monitor models:/heart-disease@champion --since 1h --every 5m --metrics-port 9108\n' +
        '  cairn monitor models:/heart-disease@champion --once --notify   # webhooks on MODEL_DRIFT_DETECTED\n' +
        '\nExit status: 0 after a pass, drift or not; 1 when a single pass could not --notify; 2 for bad usage.',
    )
    .action(async (modelUri: string, flags: MonitorFlags) => {
      if (flags.window !== undefined && flags.since !== undefined)
        throw new UsageError('give --window N or --since WHEN, not both');
      if (flags.every !== undefined && flags.once) throw new UsageError('give --every INTERVAL or --once, not both');
      if (flags.since !== undefined) {
        try {
          parseSince(flags.since);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
      }
      let choices: ReturnType<typeof parseStatTestOptions>;
      try {
        choices = parseStatTestOptions(flags.stattest);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const limit = flags.since === undefined ? (flags.window ?? DEFAULT_WINDOW) : undefined;
      const windowLabel = flags.since ?? String(limit);
      const store = await PredictionLogStore.open(flags.predictionLog);
      try {
        await withClient({ trackingUri: flags.trackingUri }, async (client) => {
          const served = await loadServedModel(client, modelUri);
          checkChoices(served.model, choices);
          if (flags.notify && !served.uri.startsWith('models:/'))
            throw new UsageError(
              `--notify needs a registered model (models:/NAME@ALIAS or models:/NAME/VERSION), got '${served.uri}'`,
            );
          const pass = async () => {
            const report = await runMonitorJob({
              client,
              store,
              target: served,
              limit,
              sinceMs: flags.since === undefined ? undefined : parseSince(flags.since),
              windowLabel,
              choices,
              driftShare: flags.driftShare,
            });
            process.stdout.write(flags.json ? `${JSON.stringify(report, jsonSafe, 2)}\n` : formatReport(report));
            if (flags.notify && report.drift.datasetDrift) {
              // a failed notification does not undo the pass (its run is logged, its gauges still update)
              try {
                const queued = await notifyDrift(client.webhooks, report);
                process.stderr.write(`MODEL_DRIFT_DETECTED sent to ${queued} webhook${queued === 1 ? '' : 's'}.\n`);
              } catch (err) {
                process.stderr.write(`cairn monitor: --notify failed: ${(err as Error).message}\n`);
                if (flags.every === undefined) process.exitCode = 1;
              }
            }
            return report;
          };
          if (flags.every === undefined) {
            await pass();
            return;
          }
          await loop(pass, flags.every, flags.metricsPort);
        });
      } finally {
        await store.close();
      }
    });
}

/** --stattest against the model: a feature it reads, and KS / Wasserstein only on numeric ones. */
function checkChoices(model: LoadedModel, choices: ReadonlyMap<string, StatTestChoice>): void {
  const kinds = new Map(model.inputSchema.columns.map((c) => [c.name, c.kind]));
  for (const [name, choice] of choices) {
    const kind = kinds.get(name);
    if (!kind)
      throw new UsageError(
        `--stattest names '${name}', which the model does not read (${[...kinds.keys()].join(', ')})`,
      );
    if ((choice.method === 'ks' || choice.method === 'wasserstein') && kind !== 'numeric')
      throw new UsageError(`--stattest ${name}=${choice.method}: ${choice.method} needs a numeric feature`);
    if (!model.referenceSample && kind === 'numeric' && !['psi', 'jensenshannon'].includes(choice.method))
      throw new UsageError(
        `--stattest ${name}=${choice.method} needs the package's reference sample, which this (older) package lacks; ` +
          'use psi or jensenshannon',
      );
  }
}

/** Runs `pass` every `everyMs` until SIGINT/SIGTERM, serving the gauges on `port` when given. */
async function loop(pass: () => Promise<MonitorReport>, everyMs: number, port: number | undefined): Promise<void> {
  const metrics = new MonitorMetrics();
  let server: Server | undefined;
  if (port !== undefined) {
    server = createServer((req, res) => {
      if (req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
        return;
      }
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    });
    await new Promise<void>((resolve) => server!.listen(port, '0.0.0.0', resolve));
    const addr = server.address();
    process.stderr.write(
      `Serving monitor gauges at http://0.0.0.0:${typeof addr === 'object' && addr ? addr.port : port}/metrics\n`,
    );
  }
  let stopped = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    stopped = true;
    wake?.();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    while (!stopped) {
      try {
        metrics.update(await pass());
      } catch (err) {
        process.stderr.write(`cairn monitor: pass failed: ${(err as Error).message}\n`);
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, everyMs);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
  }
}
