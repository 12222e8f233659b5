// The web UI in a real Chromium against a real `cairn server` (SQLite on a temp dir, loopback),
// seeded through the REST API. Every page is screenshotted to test-results/ui/ and audited by
// axe-core; console errors fail the page that logged them.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnServer, startCairnServer } from '../support/cairn-server.js';
import { lacks } from '../support/requirements.js';
import { type UiBrowser, launchBrowser, screenshot, seriousViolations } from './browser.js';
import { ensureUiBuilt } from './build-ui.js';
import { RUN_COUNT, type Seeded, api, seedUiData } from './seed.js';

interface ApiRun {
  info: { run_id: string; run_name: string; start_time: number };
  data: { metrics?: Array<{ key: string; value: number }>; params?: Array<{ key: string; value: string }> };
}

async function searchAll(base: string, experimentId: string, filter: string, orderBy: string[]): Promise<ApiRun[]> {
  const out: ApiRun[] = [];
  let token: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await api(base, 'runs/search', {
      experiment_ids: [experimentId],
      filter,
      order_by: orderBy,
      max_results: 7,
      page_token: token,
    });
    out.push(...(page.runs ?? []));
    token = page.next_page_token;
    if (!token) break;
  }
  return out;
}

/** Run ids of the rendered rows, top to bottom. */
async function renderedRunIds(page: Page): Promise<string[]> {
  return page.$$eval('.grid-body tr', (rows) =>
    rows
      .map((r) => ({ id: r.getAttribute('data-run-id') ?? '', top: r.getBoundingClientRect().top }))
      .sort((a, b) => a.top - b.top)
      .map((r) => r.id),
  );
}

async function expectPageClean(ui: UiBrowser, name: string): Promise<void> {
  await screenshot(ui.page, name);
  expect(await seriousViolations(ui.page), `axe on ${name}`).toEqual([]);
  expect(ui.takeErrors(), `console errors on ${name}`).toEqual([]);
}

describe.skipIf(lacks('chromium'))('web UI in Chromium', () => {
  let server: CairnServer;
  let ui: UiBrowser;
  let seeded: Seeded;
  let base: string;

  beforeAll(async () => {
    ensureUiBuilt();
    server = await startCairnServer();
    base = server.url;
    seeded = await seedUiData(base);
    ui = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await ui?.close();
    await server?.stop();
    server?.cleanup();
  });

  it('serves index.html for client routes without shadowing the API', async () => {
    const index = await fetch(`${base}/experiments/1?filter=x`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    expect(html).toContain('<div id="root">');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(`${base}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    const unknownApi = await fetch(`${base}/api/2.0/mlflow/no-such-endpoint`);
    expect(unknownApi.status).toBe(404);
    expect((await unknownApi.json()).error_code).toBe('ENDPOINT_NOT_FOUND');
    const missingAsset = await fetch(`${base}/assets/missing.js`);
    expect(missingAsset.status).toBe(404);
  });

  it('lists experiments with run counts, creates, renames, deletes and restores', async () => {
    const { page } = ui;
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'heart-disease-ui' }).waitFor();
    const count = page.getByLabel('Runs in heart-disease-ui');
    await expect.poll(() => count.textContent(), { timeout: 20_000 }).toBe(String(RUN_COUNT + 4));
    await expect.poll(() => page.getByLabel('Runs in stroke-ui').textContent()).toBe('0');
    await expectPageClean(ui, '01-experiments');

    await page.getByLabel('New experiment name').fill('made-in-ui');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('link', { name: 'made-in-ui' }).waitFor();
    await page.getByRole('button', { name: 'Rename made-in-ui' }).click();
    await page.getByLabel('New name for made-in-ui').fill('renamed-in-ui');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: 'renamed-in-ui' }).waitFor();
    const byName = await fetch(`${base}/api/2.0/mlflow/experiments/get-by-name?experiment_name=renamed-in-ui`);
    expect(byName.status).toBe(200);
    const id = (await byName.json()).experiment.experiment_id as string;

    await page.getByRole('button', { name: 'Delete renamed-in-ui' }).click();
    await page.getByRole('link', { name: 'renamed-in-ui' }).waitFor({ state: 'detached' });
    const deleted = await fetch(`${base}/api/2.0/mlflow/experiments/get?experiment_id=${id}`).then((r) => r.json());
    expect(deleted.experiment.lifecycle_stage).toBe('deleted');
    await page.getByLabel('Show').selectOption('deleted');
    await page.getByRole('button', { name: 'Restore renamed-in-ui' }).click();
    await page.getByLabel('Show').selectOption('active');
    await page.getByRole('link', { name: 'renamed-in-ui' }).waitFor();

    await page.getByLabel('Search experiments by name').fill('stroke');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await expectPageClean(ui, '02-experiments-search');
  });

  it('filters runs with metrics.accuracy > 0.9 to exactly the matching runs', async () => {
    const { page } = ui;
    await page.goto(`${base}/experiments/${seeded.experimentId}`);
    await page.locator('.grid-body tr').first().waitFor();
    await expectPageClean(ui, '03-runs');
    const filter = page.getByRole('combobox', { name: /Filter runs/ });
    await filter.fill('metrics.accuracy > 0.9');
    await filter.press('Escape');
    await filter.press('Enter');
    const expected = await searchAll(base, seeded.experimentId, 'metrics.accuracy > 0.9', []);
    expect(expected.length).toBeGreaterThan(3);
    expect(expected.length).toBeLessThan(RUN_COUNT);
    await expect.poll(() => page.locator('.statusline').textContent()).toContain(`${expected.length} runs loaded`);
    const shown = await renderedRunIds(page);
    expect(new Set(shown)).toEqual(new Set(expected.map((r) => r.info.run_id)));
    expect(new URL(page.url()).searchParams.get('filter')).toBe('metrics.accuracy > 0.9');
    await expectPageClean(ui, '04-runs-filtered');
  });

  it('completes filter keys seen in the runs', async () => {
    const { page } = ui;
    const filter = page.getByRole('combobox', { name: /Filter runs/ });
    await filter.fill('');
    await filter.pressSequentially('metrics.acc');
    const option = page.getByRole('option', { name: 'metrics.accuracy' });
    await option.waitFor();
    await filter.press('Tab');
    await expect.poll(() => filter.inputValue()).toBe('metrics.accuracy');
  });

  it('chooses columns from the keys seen and keeps them in the URL', async () => {
    const { page } = ui;
    await page.goto(`${base}/experiments/${seeded.experimentId}`);
    await page.locator('.grid-body tr').first().waitFor();
    await page.getByRole('button', { name: /^Columns/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Choose columns' });
    await dialog.getByRole('group', { name: 'Metrics' }).getByLabel('accuracy').check();
    await dialog.getByRole('group', { name: 'Tags' }).getByLabel('team').check();
    await dialog.getByRole('group', { name: 'Attributes' }).getByLabel('Duration').uncheck();
    await screenshot(page, '05a-runs-columns');
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    const cols = new URL(page.url()).searchParams.getAll('col');
    expect(cols).toEqual([
      'attributes.run_name',
      'attributes.start_time',
      'attributes.status',
      'metrics.accuracy',
      'tags.team',
    ]);
    const run39 = seeded.runIds[39] as string;
    const cell = page.locator(`tr[data-run-id="${run39}"] td[data-column="tags.team"]`);
    await expect.poll(() => cell.textContent()).toBe('cardio');
    expect(ui.takeErrors()).toEqual([]);
  });

  it('sorts by a metric column on the server and keeps the view in the URL', async () => {
    const { page } = ui;
    await page.goto(
      `${base}/experiments/${seeded.experimentId}?filter=${encodeURIComponent("params.model = 'forest'")}` +
        '&col=attributes.run_name&col=metrics.accuracy&col=params.model&col=params.note',
    );
    await page.locator('.grid-body tr').first().waitFor();
    await page.getByRole('button', { name: /accuracy/ }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('-metrics.accuracy');
    const desc = await searchAll(base, seeded.experimentId, "params.model = 'forest'", ['metrics.accuracy DESC']);
    await expect.poll(() => renderedRunIds(page)).toEqual(desc.map((r) => r.info.run_id));
    await page.getByRole('button', { name: /accuracy/ }).click();
    const asc = await searchAll(base, seeded.experimentId, "params.model = 'forest'", ['metrics.accuracy ASC']);
    await expect.poll(() => renderedRunIds(page)).toEqual(asc.map((r) => r.info.run_id));
    expect(await page.locator('.grid-head th[aria-sort="ascending"]').textContent()).toContain('accuracy');
    await expectPageClean(ui, '05-runs-sorted');
  });

  it('restores filter, sort and columns from a deep link', async () => {
    const ctx = await launchBrowser({ colorScheme: 'dark' });
    try {
      const url =
        `${base}/experiments/${seeded.experimentId}?filter=${encodeURIComponent('metrics.accuracy > 0.9')}` +
        '&sort=metrics.accuracy&col=attributes.run_name&col=metrics.accuracy&col=tags.team';
      await ctx.page.goto(url);
      await ctx.page.locator('.grid-body tr').first().waitFor();
      expect(await ctx.page.getByRole('combobox', { name: /Filter runs/ }).inputValue()).toBe('metrics.accuracy > 0.9');
      const headers = await ctx.page.locator('.grid-head th').allTextContents();
      expect(headers.slice(1)).toEqual(['Run name', 'metricaccuracy ↑', 'tagteam']);
      const expected = await searchAll(base, seeded.experimentId, 'metrics.accuracy > 0.9', ['metrics.accuracy ASC']);
      await expect.poll(() => renderedRunIds(ctx.page)).toEqual(expected.map((r) => r.info.run_id));
      expect(await ctx.page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
      await expectPageClean(ctx, '06-runs-deep-link-dark');
    } finally {
      await ctx.close();
    }
  });

  it('downloads a CSV equal to the API search with the chosen columns', async () => {
    const { page } = ui;
    const filter = "params.model = 'forest'";
    await page.goto(
      `${base}/experiments/${seeded.experimentId}?filter=${encodeURIComponent(filter)}&sort=-metrics.accuracy` +
        '&col=attributes.run_name&col=metrics.accuracy&col=params.model&col=params.note',
    );
    await page.locator('.grid-body tr').first().waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const file = await download.path();
    const rows = parse(readFileSync(file, 'utf8'), { relax_column_count: false }) as string[][];
    const runs = await searchAll(base, seeded.experimentId, filter, ['metrics.accuracy DESC']);
    const expected = [
      ['run_id', 'attributes.run_name', 'metrics.accuracy', 'params.model', 'params.note'],
      ...runs.map((r) => [
        r.info.run_id,
        r.info.run_name,
        String(r.data.metrics?.find((m) => m.key === 'accuracy')?.value),
        r.data.params?.find((p) => p.key === 'model')?.value,
        r.data.params?.find((p) => p.key === 'note')?.value,
      ]),
    ];
    expect(rows).toEqual(expected);
    expect(rows.some((r) => r[4]?.includes('", seeded') || r[4]?.includes(', seeded'))).toBe(true);
    expect(ui.takeErrors()).toEqual([]);
  });

  it("shows the server's message for a bad filter", async () => {
    const { page } = ui;
    const bad = 'metrics.accuracy >> 0.9';
    const res = await fetch(`${base}/api/2.0/mlflow/runs/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ experiment_ids: [seeded.experimentId], filter: bad }),
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    await page.goto(`${base}/experiments/${seeded.experimentId}?filter=${encodeURIComponent(bad)}`);
    const alert = page.getByRole('alert', { name: 'Search error' });
    await alert.waitFor();
    expect(await alert.textContent()).toBe(`${body.error_code}: ${body.message}`);
    await screenshot(page, '07-runs-bad-filter');
    expect(await seriousViolations(page)).toEqual([]);
    // the browser itself reports the 400 answer; nothing else may be logged
    const errors = ui.takeErrors();
    expect(errors.every((e) => e.includes('400') && e.includes('/runs/search'))).toBe(true);
  });

  it('nests child runs under their parent and collapses them', async () => {
    const { page } = ui;
    await page.goto(`${base}/experiments/${seeded.experimentId}`);
    await page.locator(`[data-run-id="${seeded.parentId}"]`).waitFor();
    let ids = await renderedRunIds(page);
    const at = ids.indexOf(seeded.parentId);
    expect(new Set(ids.slice(at + 1, at + 4))).toEqual(new Set(seeded.childIds));
    await page.getByRole('button', { name: 'Hide 3 child runs' }).click();
    ids = await renderedRunIds(page);
    for (const child of seeded.childIds) expect(ids).not.toContain(child);
    await page.getByRole('button', { name: 'Show 3 child runs' }).click();
    await expect.poll(async () => (await renderedRunIds(page)).includes(seeded.childIds[0] as string)).toBe(true);
    await expectPageClean(ui, '08-runs-nested');
  });

  it('moves between rows with the arrow keys, keeping the column', async () => {
    const { page } = ui;
    await page.goto(`${base}/experiments/${seeded.experimentId}`);
    await page.locator('.grid-body tr').first().waitFor();
    const ids = await renderedRunIds(page);
    await page.locator(`tr[data-run-id="${ids[0]}"] td[data-column="attributes.run_name"] a`).focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        return `${el.closest('tr')?.getAttribute('data-run-id')} ${el.closest('td')?.getAttribute('data-column')}`;
      });
    await expect.poll(focused).toBe(`${ids[2]} attributes.run_name`);
    await page.keyboard.press('ArrowUp');
    await expect.poll(focused).toBe(`${ids[1]} attributes.run_name`);
    // far below the rendered rows: the row is scrolled into the DOM, then focused
    await page.locator(`tr[data-run-id="${ids[1]}"] input[type="checkbox"]`).focus();
    const all = await searchAll(base, seeded.experimentId, '', []);
    for (let i = 1; i <= 4; i++) {
      await page.keyboard.press('PageDown'); // ten rows each
      await expect.poll(focused).toBe(`${all[1 + 10 * i]?.info.run_id} __select`);
    }
  });

  it('shows a run: overview, params, metrics charts, tags editing, children', async () => {
    const { page } = ui;
    await page.goto(`${base}/runs/${seeded.parentId}`);
    await page.getByRole('list', { name: 'Child runs' }).waitFor();
    expect(await page.getByRole('list', { name: 'Child runs' }).getByRole('link').count()).toBe(3);
    await expectPageClean(ui, '09-run-parent');

    const runId = seeded.artifactRunId;
    await page.goto(`${base}/runs/${runId}`);
    await page.getByRole('heading', { name: /Parameters/ }).waitFor();
    await page.getByLabel('Tag', { exact: true }).fill('reviewed');
    await page.getByLabel('Value', { exact: true }).fill('yes');
    await page.getByRole('button', { name: 'Set tag' }).click();
    await page.getByRole('button', { name: 'Edit tag reviewed' }).waitFor();
    const run = await fetch(`${base}/api/2.0/mlflow/runs/get?run_id=${runId}`).then((r) => r.json());
    expect(run.run.data.tags).toContainEqual({ key: 'reviewed', value: 'yes' });
    await expectPageClean(ui, '10-run-overview');

    await page.getByRole('link', { name: 'Metric charts' }).click();
    await page.getByRole('img', { name: 'Chart: loss' }).locator('canvas').waitFor();
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export loss as PNG' }).click(),
    ]);
    const pngBytes = readFileSync(await png.path());
    expect(pngBytes.subarray(1, 4).toString()).toBe('PNG');
    expect(pngBytes.length).toBeGreaterThan(1000);
    const [svg] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export loss as SVG' }).click(),
    ]);
    expect(readFileSync(await svg.path(), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
    await expectPageClean(ui, '11-run-metrics');
  });

  it('browses artifacts and previews images, text, JSON and CSV', async () => {
    const { page } = ui;
    await page.goto(`${base}/runs/${seeded.artifactRunId}?tab=artifacts`);
    const tree = page.getByRole('navigation', { name: 'Artifact files' });
    await tree.getByRole('button', { name: /notes\.txt/ }).click();
    await expect.poll(() => page.locator('[data-preview="text"]').textContent()).toContain('Cleveland subset');
    await tree.getByRole('button', { name: /metrics\.json/ }).click();
    await expect.poll(() => page.locator('[data-preview="json"]').textContent()).toContain('"recall": {');
    await tree.getByRole('button', { name: /data/ }).click();
    await tree.getByRole('button', { name: /sample\.csv/ }).click();
    await page.locator('[data-preview="csv"]').waitFor();
    expect(await page.locator('[data-preview="csv"] tbody tr').nth(2).locator('td').first().textContent()).toBe(
      '41, est.',
    );
    await tree.getByRole('button', { name: /plots/ }).click();
    await tree.getByRole('button', { name: /roc\.png/ }).click();
    const img = page.getByRole('img', { name: 'Artifact plots/roc.png' });
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(160);
    expect(new URL(page.url()).searchParams.get('path')).toBe('plots/roc.png');
    await expectPageClean(ui, '12-run-artifacts');
  });

  it('compares selected runs with differences highlighted and overlaid histories', async () => {
    const { page } = ui;
    await page.goto(`${base}/experiments/${seeded.experimentId}?col=attributes.run_name&col=params.model`);
    const [a, b] = [seeded.runIds[39] as string, seeded.runIds[36] as string];
    for (const id of [a, b]) {
      await page.locator(`tr[data-run-id="${id}"] input[type="checkbox"]`).check();
    }
    await page.getByRole('button', { name: 'Compare (2)' }).click();
    await page.getByRole('table', { name: 'Run comparison' }).waitFor();
    expect(new URL(page.url()).searchParams.getAll('runs')).toEqual([a, b]);
    const runs = await Promise.all(
      [a, b].map((id) => fetch(`${base}/api/2.0/mlflow/runs/get?run_id=${id}`).then((r) => r.json())),
    );
    const rowOf = (name: string) =>
      page.locator('table[aria-label="Run comparison"] tbody tr', { has: page.locator(`th:text-is("${name}")`) });
    for (const key of ['model', 'note', 'learning_rate']) {
      const cells = await rowOf(key).locator('td.mono').allTextContents();
      const expected = runs.map((r) => r.run.data.params.find((p: { key: string }) => p.key === key)?.value);
      expect(cells).toEqual(expected);
      expect(await rowOf(key).getAttribute('data-differs')).toBe(String(expected[0] !== expected[1]));
    }
    // run-39 and run-36 are both 'forest' (i % 3 == 0): the same value is not highlighted
    expect(await rowOf('model').getAttribute('data-differs')).toBe('false');
    await page.getByRole('img', { name: 'Chart: loss' }).locator('canvas').waitFor();
    await expectPageClean(ui, '13-compare');
  });

  it('draws the chart view of a metric per run and exports it as PNG', async () => {
    const { page } = ui;
    await page.goto(`${base}/experiments/${seeded.experimentId}?mode=chart&metric=accuracy`);
    const bar = page.getByRole('img', { name: 'Chart: accuracy per run' });
    await bar.locator('canvas').waitFor();
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export accuracy per run as PNG' }).click(),
    ]);
    const bytes = readFileSync(await png.path());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(bytes.length).toBeGreaterThan(5000);
    await page.getByRole('img', { name: 'Chart: accuracy', exact: true }).locator('canvas').waitFor();
    await expectPageClean(ui, '14-runs-chart-view');
  });
});
