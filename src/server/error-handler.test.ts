// The not-found answer over a real app on a real SQLite file (Fastify's inject, no socket): the
// message names the path the client sent, even when merged-slashes.ts rewrote it before routing.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlStores, type SqlStores } from '../registry/open-stores.js';
import { buildApp } from './app.js';

let tmp: string;
let stores: SqlStores;
let app: FastifyInstance;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cairn-not-found-'));
  stores = await openSqlStores(`sqlite:///${path.join(tmp, 'cairn.db')}`, {
    defaultArtifactRoot: path.join(tmp, 'artifacts'),
  });
  app = await buildApp({
    store: stores.tracking,
    registry: stores.registry,
    serveArtifacts: false,
    logLevel: 'silent',
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await stores?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('unknown routes', () => {
  it('answer 404 ENDPOINT_NOT_FOUND naming the path as requested', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/2.0/mlflow/no-such-thing?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error_code: 'ENDPOINT_NOT_FOUND',
      message: 'No endpoint GET /api/2.0/mlflow/no-such-thing',
    });
  });

  it('name the doubled slashes the client sent, not the merged path the router saw', async () => {
    for (const url of ['/api/2.0/mlflow//no-such-thing', '//api/2.0/mlflow/nope//x?y=//z']) {
      const res = await app.inject({ method: 'POST', url, payload: {} });
      expect(res.statusCode).toBe(404);
      expect(res.json().error_code).toBe('ENDPOINT_NOT_FOUND');
      expect(res.json().message).toBe(`No endpoint POST ${url.split('?')[0]}`);
    }
  });
});
