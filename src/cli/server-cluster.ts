// `cairn server --workers N`: the primary migrates the store once, forks N workers sharing the port,
// restarts a worker that dies, and on SIGTERM/SIGINT stops them all gracefully before exiting.
import cluster, { type Worker } from 'node:cluster';
import { pino } from 'pino';
import { resolveDefaultArtifactRoot } from '../server/start.js';
import { openStores } from '../registry/open-stores.js';
import { banner, runSingleServer, SHUTDOWN_GRACE_MS } from './run-server.js';
import type { ServerConfig } from './server-options.js';

export const WORKER_CONFIG_ENV = 'CAIRN_SERVER_WORKER_CONFIG';

/** Entry point of a forked worker: the config travels in the environment. */
export async function runClusterWorker(): Promise<void> {
  const config = JSON.parse(process.env[WORKER_CONFIG_ENV] as string) as ServerConfig;
  await runSingleServer(config, { banner: false });
}

export async function runClusterPrimary(config: ServerConfig): Promise<void> {
  const logger = pino({ level: config.logLevel });
  // Opening the store migrates it, here, once, so workers never race on schema changes.
  const stores = await openStores(config.backendStoreUri, { defaultArtifactRoot: resolveDefaultArtifactRoot(config) });
  await stores.close();

  const env = { [WORKER_CONFIG_ENV]: JSON.stringify(config) };
  let stopping = false;
  let exitCode = 0;
  let listening = 0;
  let bannerShown = false;
  const fork = (): Worker => cluster.fork(env);

  cluster.on('listening', (_worker, address) => {
    listening += 1;
    if (!bannerShown && listening >= config.workers) {
      bannerShown = true;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      process.stdout.write(`${banner(`http://${host}:${address.port}`, config)}\n`);
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'worker died: starting a replacement');
    if (!bannerShown) {
      // dying before ever listening means a configuration error: do not fork-loop
      logger.fatal('a worker failed during start-up; stopping');
      stop(1);
      return;
    }
    fork();
  });

  const stop = (code = 0) => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    exitCode = code;
    logger.info('shutting down workers');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (workers.length === 0) process.exit(exitCode);
    for (const w of workers) w.process.kill('SIGTERM');
    setTimeout(() => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS + 2000).unref();
  };
  process.on('SIGTERM', () => stop());
  process.on('SIGINT', () => stop());

  for (let i = 0; i < config.workers; i++) fork();
}
