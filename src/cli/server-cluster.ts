// `cairn server --workers N`: the primary migrates the store once, forks N workers sharing the port,
// restarts a worker that dies, and on SIGTERM/SIGINT stops them all gracefully before exiting.
import cluster, { type Worker } from 'node:cluster';
import { pino } from 'pino';
import { resolveDefaultArtifactRoot } from '../server/start.js';
import { openSqlStores as openStores } from '../registry/open-stores.js';
import { banner, runSingleServer, SHUTDOWN_GRACE_MS } from './run-server.js';
import type { ServerConfig } from './server-options.js';
import { WORKER_CONFIG_ENV } from './server-cluster-env.js';
import { startupErrorMessage, type CreatedPaths } from './server-startup.js';

export { WORKER_CONFIG_ENV };

/** Entry point of a forked worker: the config travels in the environment. */
export async function runClusterWorker(): Promise<void> {
  const config = JSON.parse(process.env[WORKER_CONFIG_ENV] as string) as ServerConfig;
  const failed = (err: unknown) => {
    process.stderr.write(`cairn: worker ${process.pid}: ${startupErrorMessage(err, config)}\n`);
    process.exit(1);
  };
  // a worker's listen error is thrown from the cluster's IPC handler, not through listen's promise
  process.once('uncaughtException', failed);
  await runSingleServer(config, { banner: false }).catch(failed);
  process.removeListener('uncaughtException', failed);
}

/** `created`: what start-up created, removed again when the workers fail before all of them listen. */
export async function runClusterPrimary(config: ServerConfig, created: CreatedPaths): Promise<void> {
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
      if (Object.keys(cluster.workers ?? {}).length === 0) exit(exitCode);
      return;
    }
    // pino already logs the primary's own `pid`: the worker's goes under its own key
    const died = { workerPid: worker.process.pid, code, signal };
    if (!bannerShown) {
      // dying before ever listening means a configuration error: do not fork-loop
      logger.fatal(died, 'a worker failed during start-up: stopping');
      stop(1);
      return;
    }
    logger.error(died, 'worker died: starting a replacement');
    fork();
  });

  const exit = (code: number) => {
    // no worker ever served a request: what this start created holds nothing worth keeping
    if (code !== 0 && listening === 0) created.undo();
    process.exit(code);
  };
  const stop = (code = 0) => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    exitCode = code;
    logger.info('shutting down workers');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (workers.length === 0) exit(exitCode);
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
