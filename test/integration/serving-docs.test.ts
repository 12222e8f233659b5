// GET /docs of a real `cairn serve`: the OpenAPI document is well formed (structural checks: no OpenAPI 3.1
// meta-schema is installed, so every schema in it is compiled as JSON Schema 2020-12 — OpenAPI 3.1's
// dialect — with Ajv, every $ref resolves, every response is described, and the documented /predict
// example is valid against the documented body and accepted by the server), and the Swagger UI page
// renders every operation in Debian's Chromium with no console error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type UiBrowser } from '../ui/browser.js';
import { lacks } from '../support/requirements.js';
import { startServeProcess, stopServeProcess, type ServeProcess } from '../support/serve-process.js';
import { saveHeartModel } from '../support/serving-model.js';

const skip = lacks('shared-data');
const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-serve-docs-'));
const OPERATIONS = [
  'POST /predict',
  'POST /invocations',
  'POST /feedback',
  'GET /health',
  'GET /ping',
  'GET /version',
  'GET /metadata',
  'GET /metrics',
];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
let server: ServeProcess;

type Json = Record<string, any>;

/** Every object in the document reached through `key` (e.g. every `schema`), with its JSON pointer. */
function collect(doc: unknown, key: string, at = '', out: { at: string; value: Json }[] = []) {
  if (doc === null || typeof doc !== 'object') return out;
  for (const [k, v] of Object.entries(doc)) {
    const here = `${at}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (k === key && v && typeof v === 'object') out.push({ at: here, value: v as Json });
    else collect(v, key, here, out);
  }
  return out;
}

function resolvePointer(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = doc;
  for (const part of ref.slice(2).split('/').filter(Boolean)) {
    const k = part.replaceAll('~1', '/').replaceAll('~0', '~');
    node = node && typeof node === 'object' ? (node as Json)[k] : undefined;
  }
  return node;
}

beforeAll(async () => {
  if (skip) return;
  const model = await saveHeartModel(path.join(tmp, 'heart-model'), 10);
  server = await startServeProcess([model.dir, '--prediction-log', 'none', '--log-level', 'warn']);
}, 180_000);

afterAll(async () => {
  if (server) await stopServeProcess(server);
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(skip)('GET /docs/json: the OpenAPI document', () => {
  it('is a well-formed OpenAPI 3.1 document whose schemas compile and whose /predict example is accepted', async () => {
    const doc = (await (await fetch(`${server.url}/docs/json`)).json()) as Json;
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(typeof doc.info?.title).toBe('string');
    expect(typeof doc.info?.version).toBe('string');
    const ops: string[] = [];
    for (const [route, item] of Object.entries(doc.paths as Json)) {
      expect(route.startsWith('/'), route).toBe(true);
      for (const [method, op] of Object.entries(item as Json)) {
        if (!METHODS.includes(method)) continue;
        ops.push(`${method.toUpperCase()} ${route}`);
        const responses = Object.entries((op as Json).responses ?? {});
        expect(responses.length, `${method} ${route}: responses`).toBeGreaterThan(0);
        for (const [status, res] of responses) {
          expect(status, `${method} ${route}`).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
          expect(typeof (res as Json).description, `${method} ${route} ${status}: description`).toBe('string');
        }
      }
    }
    expect(ops).toEqual(expect.arrayContaining(OPERATIONS));
    const refs: string[] = [];
    const ids: string[] = [];
    JSON.stringify(doc, (k, v) => {
      if (k === '$ref') refs.push(v);
      if (k === 'operationId') ids.push(v);
      return v;
    });
    expect(new Set(ids).size).toBe(ids.length);
    for (const ref of refs) expect(resolvePointer(doc, ref), `$ref ${ref}`).toBeDefined();

    // every schema is valid JSON Schema 2020-12 (OpenAPI 3.1's dialect); refs into the document resolve
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ ...doc, $id: 'openapi.json' }, 'openapi.json');
    const schemas = collect(doc, 'schema');
    expect(schemas.length).toBeGreaterThan(OPERATIONS.length);
    for (const { at } of schemas) expect(typeof ajv.getSchema(`openapi.json#${at}`), at).toBe('function');

    const body = doc.paths['/predict'].post.requestBody.content['application/json'];
    const validate = ajv.getSchema('openapi.json#/paths/~1predict/post/requestBody/content/application~1json/schema')!;
    const example = body.example ?? body.schema.examples?.[0];
    expect(example).toHaveProperty('age');
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...example, age: { years: 60 } })).toBe(false);
    const scored = await fetch(`${server.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(example),
    });
    expect(scored.status).toBe(200);
  }, 60_000);
});

describe.skipIf(skip || lacks('chromium'))('GET /docs in Chromium', () => {
  let ui: UiBrowser;
  beforeAll(async () => {
    ui = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
  });

  it('renders the Swagger UI page with every operation and no console error', async () => {
    const { page } = ui;
    const res = await page.goto(`${server.url}/docs`, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    await page.waitForSelector('.opblock', { timeout: 60_000 });
    const shown = await page.$$eval('.opblock', (blocks) =>
      blocks.map((b) => {
        const method = b.querySelector('.opblock-summary-method')?.textContent?.trim() ?? '';
        const route = b.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
        return `${method} ${route}`;
      }),
    );
    expect(shown).toEqual(expect.arrayContaining(OPERATIONS));
    expect(await page.textContent('.info .title')).toContain('Cairn scoring API: heart-model');
    // open /predict: its body example comes from the model signature
    await page.click('#operations-default-post_predict .opblock-summary');
    await page.waitForSelector(
      '#operations-default-post_predict .body-param__example, #operations-default-post_predict .microlight',
      {
        timeout: 30_000,
      },
    );
    expect(await page.textContent('#operations-default-post_predict')).toContain('age');
    expect(ui.takeErrors()).toEqual([]);
  }, 120_000);
});
