// `cairn serve --workers N`: a node:cluster primary forks N workers that each load the model and share
// the listening port (and the prediction log's database). /metrics on any worker answers for all of
// them: the worker asks the primary, which gathers every worker's registry with prom-client's
// AggregatorRegistry (counters and histograms summed, the model-info gauge by max).
import cluster, { type Worker } from 'node:cluster';
import client from 'prom-client';
import type { Logger } from 'pino';

const REQUEST = 'cairn-serve-metrics';
const REPLY = 'cairn-serve-metrics-reply';
const METRICS_TIMEOUT_MS = 5000;

interface MetricsMessage {
  type: typeof REQUEST | typeof REPLY;
  id: number;
  text?: string;
  error?: string;
}

/** Runs the primary: forks, answers metrics requests, replaces a crashed worker, stops all on SIGTERM/SIGINT. */
export function runServeCluster(workers: number, log: Logger, banner: (port: number) => void): Promise<void> {
  const aggregator = new client.AggregatorRegistry();
  let stopping = false;
  let listening = 0;
  const ready = new Set<number>();

  const onMessage = (worker: Worker, message: MetricsMessage) => {
    if (message?.type !== REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: REPLY, id: message.id, text }),
      (err: Error) => worker.send({ type: REPLY, id: message.id, error: err.message }),
    );
  };
  const fork = (): Worker => {
    const w = cluster.fork();
    w.on('message', (message) => onMessage(w, message as MetricsMessage));
    return w;
  };
  for (let i = 0; i < workers; i++) fork();
  return new Promise((resolve, reject) => {
    cluster.on('listening', (w, address) => {
      if (ready.has(w.id)) return;
      ready.add(w.id);
      listening++;
      if (listening === workers) banner(address.port);
    });
    cluster.on('exit', (w, code, signal) => {
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) resolve();
        return;
      }
      if (listening < workers && !ready.has(w.id)) {
        // a worker that never started (the model did not load, the port is taken): stop everything
        stopping = true;
        for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
        reject(
          new Error(`a serving worker exited during start-up (code ${code}, signal ${signal}); see its message above`),
        );
        return;
      }
      log.error({ pid: w.process.pid, code, signal }, 'serving worker died; starting a new one');
      fork();
    });
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping serving workers (each finishes its requests and flushes its prediction log)');
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

let nextId = 0;
const pending = new Map<number, { resolve(text: string): void; reject(err: Error): void }>();

/** In a worker: the metrics of every worker, aggregated by the primary. */
export function clusterMetricsText(): Promise<string> {
  if (!process.listeners('message').includes(onReply)) process.on('message', onReply);
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error('the cluster primary did not answer the metrics request'));
    }, METRICS_TIMEOUT_MS);
    pending.set(id, {
      resolve: (text) => {
        clearTimeout(timer);
        resolve(text);
      },
      reject: (err) => {
        clearTimeout(timer);
        reject(err);
      },
    });
    process.send!({ type: REQUEST, id });
  });
}

function onReply(message: unknown): void {
  const m = message as MetricsMessage;
  if (m?.type !== REPLY) return;
  const waiter = pending.get(m.id);
  if (!waiter) return;
  pending.delete(m.id);
  if (m.error !== undefined) waiter.reject(new Error(m.error));
  else waiter.resolve(m.text ?? '');
}

/** In a worker: the registry the primary's AggregatorRegistry collects. */
export function shareWorkerRegistry(registry: client.Registry): void {
  // constructing one installs prom-client's worker-side listener that answers the primary
  new client.AggregatorRegistry();
  client.AggregatorRegistry.setRegistries([registry]);
}
