// Test harness: a real Cairn server (real SQLite file, real loopback HTTP) in this process, plus
// small request helpers that keep status, headers and the parsed body.
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/server/start.js';

export interface TestServer {
  url: string;
  dir: string;
  artifactsDir: string;
  server: RunningServer;
  close(): Promise<void>;
}

export async function startTestServer(
  opts: { serveArtifacts?: boolean; defaultArtifactRoot?: string } = {},
): Promise<TestServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-server-test-'));
  const artifactsDir = path.join(dir, 'artifacts');
  const server = await startServer({
    backendStoreUri: `sqlite:///${dir}/cairn.db`,
    artifactsDestination: artifactsDir,
    defaultArtifactRoot: opts.defaultArtifactRoot,
    serveArtifacts: opts.serveArtifacts ?? true,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
  });
  return {
    url: server.url,
    dir,
    artifactsDir,
    server,
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function call(url: string, init: RequestInit = {}): Promise<ApiResponse> {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export function post(url: string, body: unknown): Promise<ApiResponse> {
  return call(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** GET with a query string built like Python's requests: lists become repeated keys. */
export function get(
  url: string,
  params: Record<string, string | number | Array<string | number> | undefined> = {},
): Promise<ApiResponse> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) qs.append(k, String(item));
  }
  const q = qs.toString();
  return call(q ? `${url}?${q}` : url);
}

/** A request whose path is sent byte for byte (fetch would normalise '..' segments away). */
export function rawRequest(
  baseUrl: string,
  method: string,
  rawPath: string,
  body?: Buffer,
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method, path: rawPath }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
