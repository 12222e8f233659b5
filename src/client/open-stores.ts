// One way to open the stores a tracking URI names: `openStores(uri, options)` gives
// `{ tracking, registry, webhooks, close }` behind their interfaces, backed by REST for
// `http(s)://…` (a Cairn or MLflow server, as MLflow's RestStore) or by SQL for `sqlite:///…` /
// `postgresql://…` (opened in this process). The server, CairnClient, the fluent API and the CLI
// all open their stores here; nothing above them asks which kind it got.
import path from 'node:path';
import { InvalidParameter } from '../core/errors.js';
import type { Stores } from '../registry/stores.js';
import { parseTrackingStoreUri } from '../tracking/open-store.js';
import { HttpConnection, type HttpConnectionOptions } from './http-connection.js';
import { RestRegistryStore } from './rest-registry-store.js';
import { RestTrackingStore } from './rest-transport.js';
import { RestWebhookStore } from './rest-webhook-store.js';
import { openSqlClientStores } from './sql-client-stores.js';
import { maskCredentials, type ClientTransport } from './transport.js';

export interface ClientStores extends Stores {
  /** The tracking store, which also reaches its runs' artifacts. */
  tracking: ClientTransport;
  /** The tracking URI these stores talk to (credentials masked). */
  readonly uri: string;
}

export interface OpenStoresOptions extends HttpConnectionOptions {
  /** Database URIs: where new experiments put artifacts; default `artifacts/` beside a SQLite file, else
   * ./cairn-data/artifacts. */
  defaultArtifactRoot?: string;
  /** Database URIs: the directory behind `mlflow-artifacts:/` URIs; default `defaultArtifactRoot` when a directory. */
  artifactsDestination?: string;
  /** PostgreSQL connection pool size (default 10). */
  poolSize?: number;
  /** Runs kept between searches by a long-lived server (SQL only); default none. */
  runCacheCapacity?: number;
}

export const isServerUri = (uri: string): boolean => /^https?:\/\//i.test(uri);

/** The artifact root a database URI uses when none is given. */
export function defaultArtifactRootFor(storeUri: string): string {
  const parsed = parseTrackingStoreUri(storeUri);
  if (parsed.kind === 'sqlite' && parsed.filename !== ':memory:') {
    return path.join(path.dirname(parsed.filename), 'artifacts');
  }
  return path.resolve('cairn-data', 'artifacts');
}

/** The stores of a Cairn or MLflow server, sharing one HTTP connection (auth, timeouts, retries). */
export function restStores(serverUrl: string, options: HttpConnectionOptions = {}): ClientStores {
  const http = new HttpConnection(serverUrl, options);
  return {
    uri: maskCredentials(http.baseUrl),
    tracking: new RestTrackingStore(http),
    registry: new RestRegistryStore(http),
    webhooks: new RestWebhookStore(http),
    async close() {
      /* fetch's pooled connections close themselves when idle */
    },
  };
}

export async function openStores(uri: string, options: OpenStoresOptions = {}): Promise<ClientStores> {
  if (isServerUri(uri)) return restStores(uri, options);
  if (typeof uri !== 'string' || !/^(sqlite|postgres(ql)?(\+[a-z0-9_]+)?):\/\//i.test(uri)) {
    throw new InvalidParameter(
      `Unsupported tracking URI '${maskCredentials(String(uri))}'. Supported forms: ` +
        'http(s)://host:port (a Cairn or MLflow server), sqlite:///relative/path.db, sqlite:////absolute/path.db, ' +
        'postgresql://user:password@host:port/database',
    );
  }
  return openSqlClientStores(uri, {
    defaultArtifactRoot: options.defaultArtifactRoot ?? defaultArtifactRootFor(uri),
    artifactsDestination: options.artifactsDestination,
    poolSize: options.poolSize,
    runCacheCapacity: options.runCacheCapacity,
  });
}
