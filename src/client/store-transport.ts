// ClientTransport straight onto a TrackingStore (sqlite:///…, postgresql://…) for scripts without a
// server; artifacts are written to the local filesystem with LocalArtifactRepository.
import path from 'node:path';
import type { ArtifactRepository } from '../artifacts/artifact-repository.js';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import { CairnError } from '../core/errors.js';
import { openStores } from '../registry/open-stores.js';
import type { TrackingStore } from '../tracking/store.js';
import { markTransient } from './http-connection.js';
import { parseArtifactUri, type ClientTransport } from './transport.js';

export interface StoreTransportOptions {
  /** Directory for new experiments' artifacts; also where `mlflow-artifacts:/` URIs resolve. */
  artifactRoot: string;
  poolSize?: number;
}

type StoreMethods = Omit<TrackingStore, 'init' | 'close'>;

// Lost or refused database connections (PostgreSQL restarted, backend terminated, network blip).
// Every store write is idempotent when repeated (metrics are their own primary key, params must
// keep their value, tags upsert), so callers such as the batch logger may retry them.
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH',
  '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006',
]);

export function isConnectionLoss(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  return /Connection terminated|terminating connection|Client has encountered a connection error/i.test(String((err as Error).message));
}

/** Every tracking call is the store's own method (bound; lost connections marked transient). */
export interface StoreTransport extends ClientTransport {
  readonly store: TrackingStore;
  readonly artifactRoot: string;
}

export async function openStoreTransport(uri: string, options: StoreTransportOptions): Promise<StoreTransport> {
  const artifactRoot = path.resolve(options.artifactRoot);
  // every layer's tables, so the registry on the same database (CairnClient.registry) is ready too
  const { tracking } = await openStores(uri, { defaultArtifactRoot: artifactRoot, poolSize: options.poolSize });
  return storeTransport(tracking, uri, artifactRoot);
}

export function storeTransport(store: TrackingStore, uri: string, artifactRoot: string): StoreTransport {
  const methods: (keyof StoreMethods)[] = [
    'createExperiment', 'getExperiment', 'getExperimentByName', 'searchExperiments', 'renameExperiment',
    'deleteExperiment', 'restoreExperiment', 'setExperimentTag', 'deleteExperimentTag', 'createRun', 'getRun',
    'updateRun', 'deleteRun', 'restoreRun', 'searchRuns', 'logMetric', 'logParam', 'setTag', 'deleteTag',
    'logBatch', 'logInputs', 'recordLoggedModel', 'getMetricHistory', 'getMetricHistoryBulkInterval',
  ];
  const bound = Object.fromEntries(methods.map((m) => {
    const fn = (store[m] as (...a: unknown[]) => Promise<unknown>).bind(store);
    return [m, async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw isConnectionLoss(err) ? markTransient(err as object) : err;
      }
    }];
  })) as StoreMethods;
  return {
    ...bound,
    kind: 'store',
    uri: uri.replace(/\/\/[^@/]*@/, '//***@'),
    store,
    artifactRoot,
    close: () => store.close(),
    async artifactRepository(artifactUri: string): Promise<ArtifactRepository> {
      const location = parseArtifactUri(artifactUri);
      // without a server, the proxy's storage is this client's artifact root
      if (location?.kind === 'proxy') return LocalArtifactRepository.open(path.join(artifactRoot, ...location.path.split('/')));
      if (location?.kind === 'local') return LocalArtifactRepository.open(location.dir);
      throw new CairnError('NOT_IMPLEMENTED', `The client cannot reach artifacts at '${artifactUri}'; supported roots are mlflow-artifacts:/ and local directories.`);
    },
  };
}
