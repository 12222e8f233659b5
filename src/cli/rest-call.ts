// Minimal MLflow REST calls for the `cairn experiments` / `cairn runs` commands (server over HTTP).
export class RestCallError extends Error {}
/** A usage mistake detected after parsing (exit status 2, like commander's own). */
export class UsageError extends Error {}

/** The server URL: --tracking-uri, else CAIRN_TRACKING_URI / MLFLOW_TRACKING_URI, which must be http(s). */
export function resolveServerUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const value = flag || env.CAIRN_TRACKING_URI || env.MLFLOW_TRACKING_URI;
  if (!value) {
    throw new UsageError('no server given: pass --tracking-uri http://host:port or set MLFLOW_TRACKING_URI (or CAIRN_TRACKING_URI).');
  }
  if (!/^https?:\/\//.test(value)) {
    throw new UsageError(`the tracking URI must be an http(s) URL of a Cairn or MLflow server, got '${value}'.`);
  }
  return value.replace(/\/+$/, '');
}

export async function mlflowCall<T>(serverUrl: string, method: 'GET' | 'POST', endpoint: string, body: Record<string, unknown> = {}): Promise<T> {
  let url = `${serverUrl}/api/2.0/mlflow${endpoint}`;
  const init: RequestInit = { method };
  if (method === 'GET') {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(body)) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) qs.append(k, String(item));
    }
    if ([...qs].length > 0) url += `?${qs}`;
  } else {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    throw new RestCallError(`cannot reach ${serverUrl}: ${(err as Error).message}`);
  }
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw new RestCallError(`${method} ${endpoint} answered ${res.status} with a non-JSON body`);
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
