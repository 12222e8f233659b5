// Minimal REST calls for the `cairn experiments` / `runs` / `models` commands (server over HTTP).
import { Option } from 'commander';

export class RestCallError extends Error {}
/** A usage mistake detected after parsing (exit status 2, like commander's own). */
export class UsageError extends Error {}

/** Where `cairn server` listens by default, so the other commands find it with no configuration. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:5000';

/** The `--tracking-uri` option every server-talking command shares. */
export const trackingUriOption = (): Option =>
  new Option('--tracking-uri <url>', `server URL (default: CAIRN_TRACKING_URI, MLFLOW_TRACKING_URI, else ${DEFAULT_SERVER_URL})`);

/** The server URL: --tracking-uri, else CAIRN_TRACKING_URI / MLFLOW_TRACKING_URI, else the default; must be http(s). */
export function resolveServerUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const value = flag || env.CAIRN_TRACKING_URI || env.MLFLOW_TRACKING_URI || DEFAULT_SERVER_URL;
  if (!/^https?:\/\//.test(value)) {
    throw new UsageError(`the tracking URI must be an http(s) URL of a Cairn or MLflow server, got '${value}'.`);
  }
  return value.replace(/\/+$/, '');
}

export async function mlflowCall<T>(serverUrl: string, method: 'GET' | 'POST', endpoint: string, body: Record<string, unknown> = {}): Promise<T> {
  return restCall<T>(serverUrl, method, `/api/2.0/mlflow${endpoint}`, body);
}

/** A JSON call to any API path of the server (`/api/2.0/cairn/...` too); GET sends `body` as the query string. */
export async function restCall<T>(
  serverUrl: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', apiPath: string,
  body: Record<string, unknown> = {}, headers: Record<string, string> = {},
): Promise<T> {
  let url = `${serverUrl}${apiPath}`;
  const init: RequestInit = { method, headers };
  if (method === 'GET') {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(body)) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) qs.append(k, String(item));
    }
    if ([...qs].length > 0) url += `?${qs}`;
  } else {
    init.headers = { ...headers, 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new RestCallError(`cannot reach ${serverUrl} (${cause}): is \`cairn server\` running there? Set --tracking-uri or MLFLOW_TRACKING_URI.`);
  }
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw new RestCallError(`${method} ${apiPath} answered ${res.status} with a non-JSON body`);
  }
  if (!res.ok) throw new RestCallError(`${json.error_code ?? res.status}: ${json.message ?? text}`);
  return json as T;
}

/** Left-aligned columns, for terminal listings. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
