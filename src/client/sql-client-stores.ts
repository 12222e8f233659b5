// The stores of a database URI (sqlite:///…, postgresql://…) opened in this process, for scripts and
// the CLI without a server: SQL tracking, registry and webhook stores on one connection, with a lost
// or refused database connection marked transient (so the batch logger retries it), and run
// artifacts on the local filesystem; `mlflow-artifacts:/x` resolves to `<artifactsDestination>/x`,
// so a script can open a server's database and artifact directory directly.
import path from 'node:path';
import { joinArtifactPath } from '../artifacts/artifact-path.js';
import { openArtifactRepository } from '../artifacts/open-artifact-repository.js';
import { isS3Uri } from '../artifacts/s3-config.js';
import { CairnError } from '../core/errors.js';
import { openSqlStores } from '../registry/open-stores.js';
import type { TrackingStore } from '../tracking/store.js';
import { markTransient } from './http-connection.js';
import type { ClientStores } from './open-stores.js';
import { maskCredentials, parseArtifactUri, type ClientTransport } from './transport.js';

export interface SqlClientStoresOptions {
  /** Where new experiments put artifacts (a directory, or a URI such as `mlflow-artifacts:/`). */
  defaultArtifactRoot: string;
  /** The directory behind `mlflow-artifacts:/` URIs; default: `defaultArtifactRoot` when that is a directory. */
  artifactsDestination?: string;
  poolSize?: number;
  runCacheCapacity?: number;
}

// A connection that dropped or was refused (server restart, pool connection terminated, network blip).
// Every store write is idempotent when repeated (metrics are their own primary key, params must
// keep their value, tags upsert), so callers such as the batch logger may retry them.
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

export function isConnectionLoss(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  const message = String((err as Error).message);
  return /Connection terminated|terminating connection|Client has encountered a connection error/i.test(message);
}

/** The store with every method's connection-loss failures marked transient (each wrapper made once). */
function transientOnConnectionLoss<T extends object>(store: T): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      let fn = wrapped.get(key);
      if (!fn) {
        fn = async (...args: unknown[]) => {
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } catch (err) {
            throw isConnectionLoss(err) ? markTransient(err as object) : err;
          }
        };
        wrapped.set(key, fn);
      }
      return fn;
    },
  });
}

const hasScheme = (uri: string) => /^[a-z][a-z0-9+.-]*:/i.test(uri);

/** Run artifacts reached from this process: local and s3:// roots directly, proxied ones under `artifactsDestination`. */
function localArtifacts(artifactsDestination: string | undefined): ClientTransport['artifactRepository'] {
  return async (artifactUri) => {
    const location = parseArtifactUri(artifactUri);
    // without a server, the proxy's storage is this process's artifacts destination
    if (location?.kind === 'proxy' && artifactsDestination) {
      return openArtifactRepository(
        isS3Uri(artifactsDestination)
          ? joinArtifactPath(artifactsDestination, location.path)
          : path.join(artifactsDestination, ...location.path.split('/')),
      );
    }
    if (location?.kind === 'proxy') {
      throw new CairnError(
        'NOT_IMPLEMENTED',
        `Artifacts at '${artifactUri}' cannot be reached from this process; ` +
          'mlflow-artifacts:/ roots need a known artifacts destination.',
      );
    }
    return openArtifactRepository(location?.kind === 'local' ? location.dir : artifactUri);
  };
}

export async function openSqlClientStores(uri: string, options: SqlClientStoresOptions): Promise<ClientStores> {
  const given = options.defaultArtifactRoot;
  const defaultArtifactRoot = hasScheme(given) ? given : path.resolve(given);
  const destination =
    options.artifactsDestination ?? (hasScheme(defaultArtifactRoot) ? undefined : defaultArtifactRoot);
  const stores = await openSqlStores(uri, {
    defaultArtifactRoot,
    poolSize: options.poolSize,
    runCacheCapacity: options.runCacheCapacity,
  });
  const tracking: TrackingStore = transientOnConnectionLoss(stores.tracking);
  const artifactRepository = localArtifacts(
    destination && (hasScheme(destination) ? destination : path.resolve(destination)),
  );
  const clientTracking: ClientTransport = Object.assign(Object.create(tracking) as TrackingStore, {
    artifactRepository,
  });
  return {
    uri: maskCredentials(uri),
    tracking: clientTracking,
    registry: stores.registry,
    webhooks: stores.webhooks,
    close: () => stores.close(),
  };
}
