// HttpConnection against a real HTTP server on loopback: retries, backoff bounds, auth, error mapping.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AlreadyExists, CairnError, InvalidParameter, NotFound } from '../core/errors.js';
import { HttpConnection, authHeaders, isTransientError } from './http-connection.js';

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;
const servers: http.Server[] = [];

async function serve(handler: Handler): Promise<string> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => handler(req, body, res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

const fast = { initialDelayMs: 5, maxDelayMs: 20 };

describe('HttpConnection', () => {
  it('retries 503 and 429 with backoff, then succeeds', async () => {
    let calls = 0;
    const url = await serve((_req, _body, res) => {
      calls++;
      if (calls <= 2) {
        res.writeHead(calls === 1 ? 503 : 429).end('{"error_code":"TEMPORARILY_UNAVAILABLE","message":"busy"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok": true}');
    });
    const conn = new HttpConnection(url, { retry: { ...fast, maxRetries: 3 } });
    expect(await conn.json('POST', '/x', { a: 1 })).toEqual({ ok: true });
    expect(calls).toBe(3);
  });

  it('gives up after maxRetries and throws the transient error', async () => {
    let calls = 0;
    const url = await serve((_req, _body, res) => {
      calls++;
      res.writeHead(500).end('{"error_code":"INTERNAL_ERROR","message":"boom"}');
    });
    const conn = new HttpConnection(url, { retry: { ...fast, maxRetries: 2 } });
    const err = await conn.json('GET', '/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CairnError);
    expect(err).toMatchObject({ errorCode: 'INTERNAL_ERROR', message: 'boom' });
    expect(isTransientError(err)).toBe(true);
    expect(calls).toBe(3);
  });

  it('does not retry 4xx and maps error codes to CairnError subclasses', async () => {
    const bodies: Record<string, [number, string]> = {
      '/nf': [404, 'RESOURCE_DOES_NOT_EXIST'],
      '/ae': [400, 'RESOURCE_ALREADY_EXISTS'],
      '/ip': [400, 'INVALID_PARAMETER_VALUE'],
    };
    let calls = 0;
    const url = await serve((req, _body, res) => {
      calls++;
      const [status, code] = bodies[req.url ?? ''] ?? [403, 'CUSTOM_CODE'];
      res.writeHead(status).end(JSON.stringify({ error_code: code, message: `m ${code}` }));
    });
    const conn = new HttpConnection(url, { retry: { ...fast, maxRetries: 5 } });
    await expect(conn.json('GET', '/nf')).rejects.toBeInstanceOf(NotFound);
    await expect(conn.json('GET', '/ae')).rejects.toBeInstanceOf(AlreadyExists);
    await expect(conn.json('GET', '/ip')).rejects.toBeInstanceOf(InvalidParameter);
    await expect(conn.json('GET', '/other')).rejects.toMatchObject({
      errorCode: 'PERMISSION_DENIED',
      message: 'CUSTOM_CODE: m CUSTOM_CODE',
    });
    expect(calls).toBe(4);
  });

  it('retries network errors and reports TEMPORARILY_UNAVAILABLE when the server stays down', async () => {
    const url = await serve(() => undefined);
    await new Promise((r) => servers.pop()!.close(r)); // nothing listens on that port any more
    const conn = new HttpConnection(url, { retry: { ...fast, maxRetries: 2 } });
    const started = Date.now();
    const err = await conn.json('GET', '/x').catch((e: unknown) => e);
    expect(err).toMatchObject({ errorCode: 'TEMPORARILY_UNAVAILABLE' });
    expect(isTransientError(err)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('encodes GET payloads as repeated query keys and POSTs JSON', async () => {
    const seen: string[] = [];
    const url = await serve((req, body, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? ''} ${body}`);
      res.writeHead(200).end('');
    });
    const conn = new HttpConnection(url);
    expect(await conn.json('GET', '/g', { run_ids: ['a', 'b'], k: 'v w', skip: undefined })).toEqual({});
    await conn.json('POST', '/p', { x: [1] });
    expect(seen).toEqual(['GET /g?run_ids=a&run_ids=b&k=v+w  ', 'POST /p application/json {"x":[1]}']);
  });

  it('sends Bearer or Basic auth from the MLflow environment variables', async () => {
    const auths: string[] = [];
    const url = await serve((req, _body, res) => {
      auths.push(req.headers.authorization ?? '');
      res.writeHead(200).end('{}');
    });
    await new HttpConnection(url, { env: { MLFLOW_TRACKING_TOKEN: 'tok' } }).json('GET', '/a');
    await new HttpConnection(url, { env: { MLFLOW_TRACKING_USERNAME: 'ann', MLFLOW_TRACKING_PASSWORD: 'pw:1' } }).json(
      'GET',
      '/a',
    );
    await new HttpConnection(url, { env: {} }).json('GET', '/a');
    expect(auths).toEqual(['Bearer tok', `Basic ${Buffer.from('ann:pw:1').toString('base64')}`, '']);
    expect(authHeaders({ MLFLOW_TRACKING_USERNAME: 'only-user' })).toEqual({});
  });

  it('honours MLFLOW_HTTP_REQUEST_MAX_RETRIES and rejects a malformed value', () => {
    expect(new HttpConnection('http://h', { env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2' } }).policy.maxRetries).toBe(2);
    expect(() => new HttpConnection('http://h', { env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: 'lots' } })).toThrow(
      /MLFLOW_HTTP_REQUEST_MAX_RETRIES/,
    );
    expect(new HttpConnection('http://h', { env: { MLFLOW_HTTP_REQUEST_TIMEOUT: '3' } }).policy.timeoutMs).toBe(3000);
  });

  it('refuses MLFLOW_TRACKING_INSECURE_TLS on https instead of silently checking certificates', () => {
    expect(() => new HttpConnection('https://h', { env: { MLFLOW_TRACKING_INSECURE_TLS: 'true' } })).toThrow(
      /NODE_TLS_REJECT_UNAUTHORIZED/,
    );
    expect(new HttpConnection('http://h', { env: { MLFLOW_TRACKING_INSECURE_TLS: 'true' } }).baseUrl).toBe('http://h');
  });
});
