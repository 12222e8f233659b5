// `cairn server` serving the web UI (src/server/ui-plugin.ts): index.html for client routes with
// no-cache, hashed assets immutable, the API's JSON 404s untouched, and a plain message when the UI
// was not built. Real server on loopback over a temp SQLite store; the UI directory is a fixture.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UI_NOT_BUILT_MESSAGE } from '../../src/server/ui-plugin.js';
import { type TestServer, startTestServer } from '../integration/server-harness.js';

async function withUiDir<T>(uiDir: string, start: () => Promise<T>): Promise<T> {
  const before = process.env.CAIRN_UI_DIR;
  process.env.CAIRN_UI_DIR = uiDir;
  try {
    return await start();
  } finally {
    if (before === undefined) delete process.env.CAIRN_UI_DIR;
    else process.env.CAIRN_UI_DIR = before;
  }
}

describe('UI served by cairn server', () => {
  let dir: string;
  let built: TestServer;
  let missing: TestServer;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cairn-ui-dir-'));
    const uiDir = path.join(dir, 'ui');
    mkdirSync(path.join(uiDir, 'assets'), { recursive: true });
    writeFileSync(path.join(uiDir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(path.join(uiDir, 'assets/index-AbC123.js'), 'console.log(1)');
    writeFileSync(path.join(dir, 'secret.txt'), 'outside the UI');
    built = await withUiDir(uiDir, () => startTestServer());
    missing = await withUiDir(path.join(dir, 'not-built'), () => startTestServer());
  });

  afterAll(async () => {
    await built?.close();
    await missing?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers index.html, never cached, for every client route', async () => {
    for (const route of [
      '/',
      '/experiments',
      '/experiments/3?filter=metrics.a%20%3E%201',
      '/runs/abc',
      '/compare?runs=a',
      '/models?q=heart',
      '/models/heart-disease/versions/3',
      '/webhooks?webhook=abc',
      '/monitoring',
      '/monitoring/heart-disease',
    ]) {
      const res = await fetch(`${built.url}${route}`);
      expect(res.status, route).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<div id="root">');
    }
  });

  it('serves hashed assets as immutable and nothing outside the assets folder', async () => {
    const res = await fetch(`${built.url}/assets/index-AbC123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await res.text()).toBe('console.log(1)');
    expect((await fetch(`${built.url}/assets/nope.js`)).status).toBe(404);
    const traversal = await fetch(`${built.url}/assets/%2e%2e/%2e%2e/secret.txt`);
    expect(traversal.status).toBe(404);
    expect(await traversal.text()).not.toContain('outside the UI');
  });

  it('leaves the API and its JSON errors alone', async () => {
    const unknown = await fetch(`${built.url}/api/2.0/mlflow/experiments/nope`);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error_code).toBe('ENDPOINT_NOT_FOUND');
    const other = await fetch(`${built.url}/not-a-ui-route`);
    expect(other.status).toBe(404);
    expect((await other.json()).error_code).toBe('ENDPOINT_NOT_FOUND');
    const search = await fetch(`${built.url}/api/2.0/mlflow/experiments/search?max_results=10`);
    expect(search.status).toBe(200);
    expect((await fetch(`${built.url}/health`)).status).toBe(200);
  });

  it('says how to build the UI when it is missing', async () => {
    const res = await fetch(`${missing.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toBe(UI_NOT_BUILT_MESSAGE);
    expect(UI_NOT_BUILT_MESSAGE).toContain('npm run build:ui');
    expect((await fetch(`${missing.url}/api/2.0/mlflow/experiments/search?max_results=1`)).status).toBe(200);
  });
});
