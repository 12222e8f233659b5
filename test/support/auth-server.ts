// A Cairn app with --auth over a real SQLite file, listening on loopback (real HTTP): the stores,
// the auth store at a low scrypt cost (the cost is stored per hash, so only speed differs), and
// helpers to call it as a given user.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { LocalArtifactRepository } from '../../src/artifacts/local-artifact-repository.js';
import type { RateLimitOptions } from '../../src/auth/login-rate-limiter.js';
import { ensureAdmin, openAuthStore, type OpenedAuthStore } from '../../src/auth/open-auth-store.js';
import type { PermissionName } from '../../src/auth/permissions.js';
import { openSqlStores, type SqlStores } from '../../src/registry/open-stores.js';
import { buildApp } from '../../src/server/app.js';

export const ADMIN = { username: 'admin', password: 'admin-password-1' };

export interface AuthTestServer {
  url: string;
  app: FastifyInstance;
  stores: SqlStores;
  auth: OpenedAuthStore;
  dir: string;
  close(): Promise<void>;
}

export const basic = (username: string, password: string): string =>
  `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

export async function startAuthServer(
  opts: { defaultPermission?: PermissionName; rateLimit?: RateLimitOptions } = {},
): Promise<AuthTestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-auth-'));
  const uri = `sqlite:///${path.join(dir, 'cairn.db')}`;
  const stores = await openSqlStores(uri, { defaultArtifactRoot: 'mlflow-artifacts:/' });
  const auth = await openAuthStore(uri, { scryptCost: { N: 1024, r: 8, p: 1 } });
  await ensureAdmin(auth.auth, ADMIN);
  const app = await buildApp({
    store: stores.tracking,
    registry: stores.registry,
    webhooks: stores.webhooks,
    serveArtifacts: true,
    artifactRepo: await LocalArtifactRepository.open(path.join(dir, 'artifacts')),
    logLevel: 'silent',
    auth: {
      store: auth.auth,
      defaultPermission: opts.defaultPermission ?? 'READ',
      rateLimit: opts.rateLimit ?? { perUser: 1000, perAddress: 100_000, windowMs: 60_000 },
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    stores,
    auth,
    dir,
    async close() {
      await app.close();
      await auth.close();
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** One request; `authorization` undefined sends none. A JSON body for non-GET unless `raw`. */
export async function call(
  url: string,
  method: string,
  pathAndQuery: string,
  authorization: string | undefined,
  body?: unknown,
  raw?: string,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (authorization !== undefined) headers.authorization = authorization;
  let payload: string | undefined;
  if (raw !== undefined) {
    headers['content-type'] = 'application/octet-stream';
    payload = raw;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`${url}${pathAndQuery}`, { method, headers, body: payload });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (an artifact, the UI)
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
