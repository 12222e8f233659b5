// The stroke download over real loopback HTTP: fetched once into the cache and SHA-256 checked; a wrong
// file is refused and not kept; no URL or an unreachable one says to pass --data FILE.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lacks } from '../../test/support/requirements.js';
import { sharedPath } from '../../test/support/shared.js';
import { CACHE_DIR_ENV, resolveStrokeFile, STROKE_URL_ENV } from './data-source.js';
import { DataError } from './load-dataset.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cairn-data-source-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const refused = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a DataError');
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(DataError);
      return (e as Error).message;
    },
  );

it('without --data, a cache or a URL it says what to do', async () => {
  const msg = await refused(resolveStrokeFile({ env: { [CACHE_DIR_ENV]: path.join(tmp, 'empty') } }));
  expect(msg).toMatch(/not bundled/);
  expect(msg).toMatch(/--data FILE/);
  expect(msg).toMatch(new RegExp(STROKE_URL_ENV));
});

it('an unreachable URL (offline) says to pass --data FILE', async () => {
  const srv = http.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const msg = await refused(
    resolveStrokeFile({ url: `http://127.0.0.1:${port}/stroke.csv`, env: { [CACHE_DIR_ENV]: path.join(tmp, 'c0') } }),
  );
  expect(msg).toMatch(/cannot download the stroke data from http:\/\/127\.0\.0\.1:\d+\/stroke\.csv/);
  expect(msg).toMatch(/offline, pass --data FILE/);
});

describe.skipIf(lacks('shared-data'))('download into the cache', () => {
  let server: http.Server;
  let base = '';
  let hits = 0;
  beforeAll(async () => {
    const bytes = readFileSync(sharedPath('data', 'stroke.csv'));
    server = http.createServer((req, res) => {
      hits++;
      if (req.url === '/stroke.csv') res.end(bytes);
      else if (req.url === '/tampered.csv')
        res.end(Buffer.concat([bytes, Buffer.from('\n1,Male,1,0,0,No,Private,Urban,1,1,never smoked,1')]));
      else {
        res.statusCode = 404;
        res.end('not found');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('downloads once, verifies, and reuses the cached copy', async () => {
    const env = { [CACHE_DIR_ENV]: path.join(tmp, 'c1'), [STROKE_URL_ENV]: `${base}/stroke.csv` };
    const lines: string[] = [];
    const first = await resolveStrokeFile({ env, log: (l) => lines.push(l) });
    expect(first.startsWith(path.join(tmp, 'c1', 'data'))).toBe(true);
    expect(readFileSync(first).equals(readFileSync(sharedPath('data', 'stroke.csv')))).toBe(true);
    expect(lines[0]).toMatch(/downloading the stroke data from http/);
    const before = hits;
    expect(await resolveStrokeFile({ env })).toBe(first);
    expect(hits).toBe(before);
  });

  it('refuses a file whose SHA-256 differs and keeps nothing; a 404 is named', async () => {
    const dir = path.join(tmp, 'c2');
    const msg = await refused(resolveStrokeFile({ url: `${base}/tampered.csv`, env: { [CACHE_DIR_ENV]: dir } }));
    expect(msg).toMatch(/has SHA-256 [0-9a-f]{64}, not the stroke data set's 644d473b/);
    expect(existsSync(path.join(dir, 'data')) ? readdirSync(path.join(dir, 'data')) : []).toEqual([]);
    const missing = await refused(resolveStrokeFile({ url: `${base}/gone.csv`, env: { [CACHE_DIR_ENV]: dir } }));
    expect(missing).toMatch(/HTTP 404/);
  });
});
