// The not-found answer over a real app on a real SQLite file (Fastify's inject, no socket): the
// message names the path the client sent, even when merged-slashes.ts rewrote it before routing.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInProcessApp, type InProcessApp } from '../../test/support/in-process-app.js';

let env: InProcessApp;
let app: FastifyInstance;

beforeAll(async () => {
  env = await openInProcessApp('cairn-not-found-');
  ({ app } = env);
});

afterAll(async () => {
  await env?.close();
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
