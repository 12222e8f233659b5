// Runs one tracking server in this process until SIGTERM/SIGINT, then shuts it down gracefully.
import cluster from 'node:cluster';
import { type Logger, pino } from 'pino';
import { startServer, type RunningServer } from '../server/start.js';
import type { ServerConfig } from './server-options.js';

/** How long in-flight requests may take to finish after SIGTERM before the process exits anyway. */
export const SHUTDOWN_GRACE_MS = 30_000;

export function banner(url: string, config: ServerConfig): string {
  const workers = config.workers > 1 ? `, ${config.workers} workers` : '';
  return `Cairn tracking server listening on ${url} (store ${redact(config.backendStoreUri)}${workers})`;
}

/** Hides a password in a postgresql:// URI before it reaches a terminal or a log. */
export function redact(uri: string): string {
  return uri.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

/** Runs one server in this process until SIGTERM/SIGINT (or, in a cluster worker, the primary going away). */
export async function runSingleServer(config: ServerConfig, opts: { banner: boolean }): Promise<RunningServer> {
  const logger = pino({ level: config.logLevel });
  const server = await startServer({ ...config, logger });
  if (opts.banner) process.stdout.write(`${banner(server.url, config)}\n`);
  stopOnSignals(logger, 'shutting down: finishing in-flight requests', () => server.close());
  return server;
}

/**
 * On SIGTERM/SIGINT: `close()`, then exit 0 (1 if it fails or takes longer than SHUTDOWN_GRACE_MS);
 * a second signal exits at once. In a cluster worker, SIGINT is ignored (the primary answers Ctrl-C
 * with SIGTERM) and the primary going away stops the worker.
 */
export function stopOnSignals(logger: Logger, message: string, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) {
      logger.warn({ reason }, 'second stop request: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ reason }, message);
    setTimeout(() => {
      logger.error({ graceMs: SHUTDOWN_GRACE_MS }, 'in-flight requests did not finish in time: exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  if (cluster.isWorker) {
    // Ctrl-C reaches the whole process group; the primary answers it by sending SIGTERM, so a
    // worker ignores SIGINT rather than treating the primary's SIGTERM as a second, forcing signal.
    process.on('SIGINT', () => undefined);
    // a worker whose primary died (even by SIGKILL) must not linger holding the port
    process.on('disconnect', () => {
      if (!stopping) stop('primary disconnected');
    });
  } else {
    process.on('SIGINT', () => stop('SIGINT'));
  }
}
