// How `cairn experiments|runs|models|webhook` reach the stores: the tracking URI from the flag or the
// environment, opened through CairnClient (openStores: a server over REST, or a database directly),
// plus the usage error and table layout every command shares.
import { Option } from 'commander';
import { CairnClient } from '../client/cairn-client.js';
import { isServerUri } from '../client/open-stores.js';

/** A usage mistake detected after parsing (exit status 2, like commander's own). */
export class UsageError extends Error {}

/** Where `cairn server` listens by default, so the other commands find it with no configuration. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:5000';

/** The `--tracking-uri` option every store-talking command shares. */
export const trackingUriOption = (): Option =>
  new Option(
    '--tracking-uri <uri>',
    'server URL, or a database: sqlite:///relative.db, sqlite:////absolute.db, postgresql://user:pass@host:port/db ' +
      `(default: CAIRN_TRACKING_URI, MLFLOW_TRACKING_URI, else ${DEFAULT_SERVER_URL})`,
  );

const SUPPORTED = /^(https?|sqlite|postgres(ql)?(\+[a-z0-9_]+)?):\/\//i;

/** --tracking-uri, else CAIRN_TRACKING_URI / MLFLOW_TRACKING_URI, else the default server. */
export function resolveTrackingUri(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const value = flag || env.CAIRN_TRACKING_URI || env.MLFLOW_TRACKING_URI || DEFAULT_SERVER_URL;
  if (!SUPPORTED.test(value)) {
    throw new UsageError(
      `the tracking URI must be a server URL (http(s)://host:port) or a database URI ` +
        `(sqlite:///…, postgresql://…), got '${value.replace(/\/\/[^@/]*@/, '//***@')}'.`,
    );
  }
  return isServerUri(value) ? value.replace(/\/+$/, '') : value;
}

/**
 * Opens the stores the command's tracking URI names, runs `fn` and closes them. A command gives up on
 * an unreachable server after a few quick retries unless MLFLOW_HTTP_REQUEST_MAX_RETRIES says otherwise.
 */
export async function withClient<T>(
  opts: { trackingUri?: string },
  fn: (client: CairnClient) => Promise<T>,
): Promise<T> {
  const uri = resolveTrackingUri(opts.trackingUri);
  const retry = process.env.MLFLOW_HTTP_REQUEST_MAX_RETRIES ? {} : { maxRetries: 2 };
  const client = await CairnClient.open(uri, { retry });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Left-aligned columns, for terminal listings. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
