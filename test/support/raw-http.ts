// Raw HTTP on loopback with node:http: the request path is sent byte for byte (fetch would
// normalise `../`, `%2e%2e` and backslashes away), bodies may be invalid JSON.
import http from 'node:http';

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

export function rawRequest(
  port: number,
  req: RawRequest,
  opts: { agent?: http.Agent; timeoutMs?: number; maxBody?: number } = {},
): Promise<RawResponse> {
  const maxBody = opts.maxBody ?? 2 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
    const r = http.request(
      { host: '127.0.0.1', port, method: req.method, path: req.path, headers, agent: opts.agent },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= maxBody) chunks.push(c);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - t0,
          }),
        );
        res.on('error', reject);
      },
    );
    r.setTimeout(opts.timeoutMs ?? 30_000, () => r.destroy(new Error(`timeout ${req.method} ${req.path}`)));
    r.on('error', reject);
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

/** JSON POST/GET helper for the REST API (`/api/2.0/mlflow/<endpoint>`). */
export async function api<T = unknown>(
  port: number,
  method: 'GET' | 'POST',
  endpoint: string,
  payload?: Record<string, unknown>,
  agent?: http.Agent,
): Promise<{ status: number; json: T; raw: string }> {
  let path = `/api/2.0/mlflow/${endpoint}`;
  let body: string | undefined;
  if (method === 'GET' && payload) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(payload)) {
      if (Array.isArray(v)) v.forEach((x) => qs.append(k, String(x)));
      else if (v !== undefined) qs.append(k, String(v));
    }
    path += `?${qs}`;
  } else if (payload) {
    body = JSON.stringify(payload);
  }
  const res = await rawRequest(
    port,
    {
      method,
      path,
      body,
      headers: body !== undefined ? { 'content-type': 'application/json' } : {},
    },
    { agent },
  );
  let json: unknown = null;
  try {
    json = res.body ? JSON.parse(res.body) : null;
  } catch {
    json = null;
  }
  return { status: res.status, json: json as T, raw: res.body };
}
