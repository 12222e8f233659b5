// Starts the tracking server: opens the store and the artifact repository, listens, and closes both
// cleanly (in-flight requests finish first).
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openArtifactRepository } from '../artifacts/open-artifact-repository.js';
import { isS3Uri } from '../artifacts/s3-config.js';
import { openStores } from '../client/open-stores.js';
import { DEFAULT_RUN_CACHE_CAPACITY } from '../tracking/sql/run-cache.js';
import { deliveryWorkerOptionsFromEnv } from '../registry/webhooks/delivery-worker.js';
import type { RegistryStore } from '../registry/store.js';
import type { TrackingStore } from '../tracking/store.js';
import { buildApp } from './app.js';
import type { UriArtifactRoot } from './route-deps.js';
import type { AuthConfig } from '../auth/auth-config.js';
import { ensureAdmin, openAuthStore, type OpenedAuthStore } from '../auth/open-auth-store.js';

export interface StartServerOptions {
  backendStoreUri: string;
  /** Where new experiments put artifacts; derived from the two options below when absent. */
  defaultArtifactRoot?: string;
  /** Directory or `s3://bucket/prefix` behind `mlflow-artifacts:` URIs (the proxy's storage). */
  artifactsDestination: string;
  serveArtifacts: boolean;
  host: string;
  port: number;
  logger?: FastifyBaseLogger;
  logLevel?: string;
  /** Complete runs kept between searches (SQLite only; 0 turns the cache off). Default 10,000. */
  runCacheSize?: number;
  /** `--auth`: the first admin (created when missing) and the default permission; absent: no auth. */
  auth?: AuthConfig;
}

export interface RunningServer {
  url: string;
  port: number;
  app: FastifyInstance;
  store: TrackingStore;
  registry: RegistryStore;
  /** Stops accepting connections, waits for in-flight requests, then closes the store. Idempotent. */
  close(): Promise<void>;
}

/** As `mlflow server`: proxied artifacts get `mlflow-artifacts:/…` URIs, otherwise the local directory. */
export function resolveDefaultArtifactRoot(
  opts: Pick<StartServerOptions, 'defaultArtifactRoot' | 'artifactsDestination' | 'serveArtifacts'>,
): string {
  if (opts.defaultArtifactRoot) {
    // a bare relative directory is made absolute, as MLflow does, so run URIs do not depend on the cwd
    const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(opts.defaultArtifactRoot);
    return hasScheme || path.isAbsolute(opts.defaultArtifactRoot)
      ? opts.defaultArtifactRoot
      : path.resolve(opts.defaultArtifactRoot);
  }
  if (opts.serveArtifacts) return 'mlflow-artifacts:/';
  return isS3Uri(opts.artifactsDestination) ? opts.artifactsDestination : path.resolve(opts.artifactsDestination);
}

/** Directories whose local run artifact roots the server may read. */
function localArtifactDirs(opts: StartServerOptions, defaultRoot: string): string[] {
  const dirs = isS3Uri(opts.artifactsDestination) ? [] : [path.resolve(opts.artifactsDestination)];
  if (path.isAbsolute(defaultRoot)) dirs.push(defaultRoot);
  else if (defaultRoot.startsWith('file:')) dirs.push(fileURLToPath(defaultRoot));
  return [...new Set(dirs)];
}

/** Object-store roots whose run artifact roots the server may read: the s3:// default root and destination. */
async function uriArtifactRoots(opts: StartServerOptions, defaultRoot: string): Promise<UriArtifactRoot[]> {
  const uris = [opts.artifactsDestination, defaultRoot].filter(isS3Uri).map((u) => u.replace(/\/+$/, ''));
  const roots: UriArtifactRoot[] = [];
  for (const uri of new Set(uris)) roots.push({ uri, repo: await openArtifactRepository(uri) });
  return roots;
}

export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const defaultArtifactRoot = resolveDefaultArtifactRoot(opts);
  const workerOptions = deliveryWorkerOptionsFromEnv();
  // opening runs the migrations (a no-op in cluster workers: the primary ran them before forking)
  const {
    tracking: store,
    registry,
    webhooks,
  } = await openStores(opts.backendStoreUri, {
    defaultArtifactRoot,
    runCacheCapacity: opts.runCacheSize ?? DEFAULT_RUN_CACHE_CAPACITY,
  });
  let app: FastifyInstance | undefined;
  let auth: OpenedAuthStore | undefined;
  try {
    if (opts.auth) {
      auth = await openAuthStore(opts.backendStoreUri);
      await ensureAdmin(auth.auth, opts.auth.admin);
    }
    const artifactRepo = opts.serveArtifacts ? await openArtifactRepository(opts.artifactsDestination) : undefined;
    app = await buildApp({
      store,
      registry,
      webhooks,
      artifactRepo,
      serveArtifacts: opts.serveArtifacts,
      localArtifactDirs: localArtifactDirs(opts, defaultArtifactRoot),
      uriArtifactRoots: await uriArtifactRoots(opts, defaultArtifactRoot),
      logger: opts.logger,
      logLevel: opts.logLevel,
      auth: auth && opts.auth ? { store: auth.auth, defaultPermission: opts.auth.defaultPermission } : undefined,
    });
    await app.listen({ host: opts.host, port: opts.port });
  } catch (err) {
    await app?.close().catch(() => undefined);
    await auth?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  let closing: Promise<void> | undefined;
  const running = app;
  // every process delivers; leases on the outbox rows keep two processes off one delivery
  const deliveries = webhooks.startDeliveries({ ...workerOptions, logger: running.log });
  return {
    url: `http://${host}:${port}`,
    port,
    app: running,
    store,
    registry,
    close() {
      closing ??= (async () => {
        const workerStopped = deliveries.stop();
        try {
          await running.close();
        } finally {
          await workerStopped;
          await auth?.close();
          await store.close();
        }
      })();
      return closing;
    },
  };
}
