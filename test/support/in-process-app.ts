// Cairn's REST app over real SQLite stores in a temp directory, for Fastify `inject` tests (no socket).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openSqlStores, type SqlStores } from '../../src/registry/open-stores.js';
import { buildApp } from '../../src/server/app.js';

export interface InProcessApp {
  app: FastifyInstance;
  stores: SqlStores;
  close(): Promise<void>;
}

export async function openInProcessApp(prefix: string): Promise<InProcessApp> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), prefix));
  const stores = await openSqlStores(`sqlite:///${path.join(tmp, 'cairn.db')}`, {
    defaultArtifactRoot: path.join(tmp, 'artifacts'),
  });
  const app = await buildApp({
    store: stores.tracking,
    registry: stores.registry,
    webhooks: stores.webhooks,
    serveArtifacts: false,
    logLevel: 'silent',
  });
  await app.ready();
  return {
    app,
    stores,
    async close() {
      await app.close();
      await stores.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
