// The chart view (metric vs step with smoothing, log scale, overlays; param vs metric; parallel
// coordinates; state in the URL), the run page's HTML and model-package previews, and the compare
// page's images side by side: real Chromium against a real `cairn server` seeded through the API.
// Screenshots in test-results/ui/, axe-core on every page, console errors fail the page.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient } from '../../src/client/cairn-client.js';
import { frame, numericColumn } from '../../src/learn/core/frame.js';
import { LogisticRegression } from '../../src/learn/linear/index.js';
import { Pipeline } from '../../src/learn/pipeline.js';
import { StandardScaler } from '../../src/learn/preprocessing/index.js';
import { writeExperimentReport } from '../../src/pipelines/report/index.js';
import { type CairnServer, startCairnServer } from '../support/cairn-server.js';
import { lacks } from '../support/requirements.js';
import { type UiBrowser, launchBrowser, screenshot, seriousViolations } from './browser.js';
import { ensureUiBuilt } from './build-ui.js';
import { type Seeded, api, seedUiData } from './seed.js';

interface SeriesOption {
  name: string;
  type: string;
  data: Array<[number, number | null] | { value: unknown[]; name: string }>;
}
interface ChartOption {
  series: SeriesOption[];
  xAxis?: Array<{ type: string; data?: string[] }>;
  yAxis?: Array<{ type: string }>;
  parallelAxis?: Array<{ name: string; type: string; data?: string[] }>;
}

const REPORT_HTML =
  '<!doctype html><html><head><title>Run report</title></head><body>' +
  '<h1 id="title">Heart disease report</h1><p id="script-state">static</p>' +
  "<script>document.getElementById('script-state').textContent = 'script ran';</script>" +
  '<img id="pixel" alt="" src="data:," onerror="document.title = \'handler ran\'"></body></html>';

function png(color: string, width: number): Buffer {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="100"><rect width="${width}" height="100" ` +
    `fill="#fff"/><circle cx="50" cy="50" r="40" fill="${color}"/></svg>`;
  return new Resvg(svg).render().asPng();
}

async function upload(base: string, runId: string, relPath: string, body: Buffer | string, type: string) {
  const got = await fetch(`${base}/api/2.0/mlflow/runs/get?run_id=${runId}`).then((r) => r.json());
  const root = (got.run.info.artifact_uri as string).replace(/^mlflow-artifacts:\/*/, '');
  const res = await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${root}/${relPath}`, {
    method: 'PUT',
    headers: { 'content-type': type },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  if (!res.ok) throw new Error(`upload ${relPath}: HTTP ${res.status} ${await res.text()}`);
}

/** TensorBoard's debiased exponential moving average, written out again here as the reference. */
function ema(values: number[], w: number): number[] {
  const out: number[] = [];
  let acc = 0;
  values.forEach((v, i) => {
    acc = acc * w + (1 - w) * v;
    out.push(acc / (1 - w ** (i + 1)));
  });
  return out;
}

async function chartOption(page: Page, title: string): Promise<ChartOption> {
  const el = page.getByRole('img', { name: `Chart: ${title}`, exact: true });
  await el.locator('canvas').waitFor();
  return el.evaluate((node) =>
    JSON.parse(JSON.stringify((node as HTMLElement & { echartsOption: () => unknown }).echartsOption())),
  );
}

async function exportBytes(page: Page, title: string, kind: 'PNG' | 'SVG'): Promise<Buffer> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: `Export ${title} as ${kind}` }).click(),
  ]);
  return readFileSync(await download.path());
}

async function expectPngAndSvg(page: Page, title: string): Promise<void> {
  const pngBytes = await exportBytes(page, title, 'PNG');
  expect(pngBytes.subarray(1, 4).toString()).toBe('PNG');
  expect(pngBytes.length).toBeGreaterThan(5000);
  const svg = (await exportBytes(page, title, 'SVG')).toString('utf8');
  expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
  expect(svg).toContain('<path');
}

/**
 * Clicks a checkbox whose state lives in the URL and waits for it to flip: the router applies the
 * new URL in a transition, so the box shows its new state a moment after the click, not during it.
 */
async function toggleUrlCheckbox(box: ReturnType<Page['getByLabel']>, checked: boolean): Promise<void> {
  await box.click();
  await expect.poll(() => box.isChecked()).toBe(checked);
}

async function expectPageClean(ui: UiBrowser, name: string): Promise<void> {
  await screenshot(ui.page, name);
  expect(await seriousViolations(ui.page), `axe on ${name}`).toEqual([]);
  expect(ui.takeErrors(), `console errors on ${name}`).toEqual([]);
}

const values = (s: SeriesOption | undefined) => (s?.data ?? []).map((p) => (p as [number, number])[1]);

describe.skipIf(lacks('chromium'))('chart view, artifact previews and compare images in Chromium', () => {
  let server: CairnServer;
  let ui: UiBrowser;
  let seeded: Seeded;
  let base: string;
  let modelRunId: string;
  const imageRuns: string[] = [];

  beforeAll(async () => {
    ensureUiBuilt();
    server = await startCairnServer();
    base = server.url;
    seeded = await seedUiData(base);
    await upload(base, seeded.artifactRunId, 'report.html', REPORT_HTML, 'text/html');
    // two runs with an image at the same path (different pictures) and one only the first has
    imageRuns.push(seeded.runIds[1] as string, seeded.runIds[2] as string);
    await upload(base, imageRuns[0] as string, 'plots/confusion.png', png('#d62728', 200), 'image/png');
    await upload(base, imageRuns[1] as string, 'plots/confusion.png', png('#2ca02c', 200), 'image/png');
    await upload(base, imageRuns[0] as string, 'plots/extra/only-a.png', png('#1f77b4', 120), 'image/png');

    const client = await CairnClient.open(base);
    try {
      const X = frame([
        numericColumn('age', [63, 37, 41, 56, 57, 57, 56, 44, 52, 57]),
        numericColumn('chol', [233, 250, 204, 236, 354, 192, 294, 263, 199, 168]),
      ]);
      const y = Float64Array.from([1, 0, 0, 1, 1, 0, 1, 0, 0, 1]);
      const pipeline = new Pipeline({
        steps: [
          ['scale', new StandardScaler({})],
          ['model', new LogisticRegression({})],
        ],
      }).fit(X, y);
      const run = await client.createRun(seeded.experimentId, { runName: 'logged-model' });
      modelRunId = run.info.runId;
      await client.logModel(modelRunId, pipeline, { artifactPath: 'model', trainingFrame: X, trainingTarget: y });
      // the pipelines' own report.html (`cairn report`) of the seeded experiment, logged on the parent run
      const outDir = mkdtempSync(path.join(tmpdir(), 'cairn-ui-report-'));
      try {
        const report = await writeExperimentReport(client, {
          experiment: 'heart-disease-ui',
          metric: 'accuracy',
          outDir,
        });
        await upload(base, seeded.parentId, 'reports/report.html', readFileSync(report.files.html), 'text/html');
      } finally {
        rmSync(outDir, { recursive: true, force: true });
      }
    } finally {
      await client.close();
    }
    ui = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await ui?.close();
    await server?.stop();
    server?.cleanup();
  });

  it('smooths metric histories, overlays metrics, switches to a log scale and keeps it in the URL', async () => {
    const { page } = ui;
    await page.goto(`${base}/experiments/${seeded.experimentId}?mode=chart&metric=loss`);
    let option = await chartOption(page, 'loss');
    const raw = option.series.filter((s) => s.name.startsWith('run-'));
    expect(raw.length).toBe(10);
    const first = raw[0] as SeriesOption;
    // series are named by run name, `run-NN` for seeded.runIds[NN]
    const runId = seeded.runIds[Number(first.name.slice(4))] as string;
    const history = await fetch(`${base}/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=loss`).then(
      (r) => r.json(),
    );
    const apiValues = (history.metrics as Array<{ step: number; value: number }>)
      .sort((a, b) => a.step - b.step)
      .map((m) => m.value);
    expect(values(first)).toEqual(apiValues);
    await expectPageClean(ui, '20-chart-step');

    await page.getByLabel('Smoothing').fill('0.6');
    await expect.poll(() => new URL(page.url()).searchParams.get('smooth')).toBe('0.6');
    await expect
      .poll(async () => (await chartOption(page, 'loss')).series.some((s) => s.name === `${first.name} (raw)`))
      .toBe(true);
    option = await chartOption(page, 'loss');
    const smoothed = option.series.find((s) => s.name === first.name);
    const rawAgain = option.series.find((s) => s.name === `${first.name} (raw)`);
    expect(values(rawAgain)).toEqual(apiValues);
    const expected = ema(apiValues, 0.6);
    values(smoothed).forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 12));
    expect(values(smoothed)).not.toEqual(apiValues);

    expect(option.yAxis?.[0]?.type).toBe('value');
    await toggleUrlCheckbox(page.getByLabel('Log scale'), true);
    await expect.poll(async () => (await chartOption(page, 'loss')).yAxis?.[0]?.type).toBe('log');
    expect(new URL(page.url()).searchParams.get('log')).toBe('1');

    await toggleUrlCheckbox(page.getByRole('group', { name: 'Overlay' }).getByLabel('accuracy'), true);
    await expect
      .poll(async () => (await chartOption(page, 'loss, accuracy')).series.some((s) => s.name.endsWith('· accuracy')))
      .toBe(true);
    expect(new URL(page.url()).searchParams.getAll('also')).toEqual(['accuracy']);
    await expectPngAndSvg(page, 'loss, accuracy');
    await page.getByRole('img', { name: 'Chart: loss, accuracy' }).scrollIntoViewIfNeeded();
    await expectPageClean(ui, '21-chart-step-smoothed-log');
  });

  it('draws a param against a metric, numeric or categorical, and exports it', async () => {
    const { page } = ui;
    await page.goto(`${base}/experiments/${seeded.experimentId}?mode=chart&metric=accuracy`);
    await page.getByRole('button', { name: 'Param vs metric' }).click();
    await page.getByLabel('Param', { exact: true }).selectOption('learning_rate');
    let option = await chartOption(page, 'accuracy by learning_rate');
    expect(option.xAxis?.[0]?.type).toBe('value');
    const runs = await api(base, 'runs/search', {
      experiment_ids: [seeded.experimentId],
      filter: "params.learning_rate != ''",
      max_results: 1000,
    });
    const points = option.series[0]?.data as Array<{ value: [number, number]; name: string }>;
    expect(points.length).toBe(runs.runs.length);
    const byName = new Map(points.map((p) => [p.name, p.value]));
    for (const r of runs.runs as Array<{
      info: { run_name: string };
      data: { params: Array<{ key: string; value: string }>; metrics: Array<{ key: string; value: number }> };
    }>) {
      const lr = Number(r.data.params.find((p) => p.key === 'learning_rate')?.value);
      const acc = r.data.metrics.find((m) => m.key === 'accuracy')?.value;
      expect(byName.get(r.info.run_name)).toEqual([lr, acc]);
    }
    await expectPngAndSvg(page, 'accuracy by learning_rate');
    expect(new URL(page.url()).searchParams.get('x')).toBe('learning_rate');

    await page.getByLabel('Param', { exact: true }).selectOption('model');
    option = await chartOption(page, 'accuracy by model');
    expect(option.xAxis?.[0]).toMatchObject({ type: 'category', data: ['forest', 'knn', 'logreg'] });
    await expectPageClean(ui, '22-chart-param-vs-metric');
  });

  it('draws parallel coordinates over chosen params and a metric, and exports it', async () => {
    const { page } = ui;
    await page.goto(`${base}/experiments/${seeded.experimentId}?mode=chart&metric=accuracy&chart=parallel`);
    const title = 'accuracy over learning_rate, model, note';
    let option = await chartOption(page, title);
    expect(option.parallelAxis?.map((a) => [a.name, a.type])).toEqual([
      ['learning_rate', 'value'],
      ['model', 'category'],
      ['note', 'category'],
      ['accuracy', 'value'],
    ]);
    expect(option.series[0]?.type).toBe('parallel');
    expect(option.series[0]?.data.length).toBe(40);
    await expectPngAndSvg(page, title);

    await toggleUrlCheckbox(page.getByRole('group', { name: 'Params' }).getByLabel('note'), false);
    await expect.poll(() => new URL(page.url()).searchParams.getAll('axes')).toEqual(['learning_rate', 'model']);
    option = await chartOption(page, 'accuracy over learning_rate, model');
    expect(option.parallelAxis?.map((a) => a.name)).toEqual(['learning_rate', 'model', 'accuracy']);
    await expectPageClean(ui, '23-chart-parallel');
  });

  it('restores the chart view from a deep link', async () => {
    const ctx = await launchBrowser({ colorScheme: 'dark' });
    try {
      const { page } = ctx;
      await page.goto(
        `${base}/experiments/${seeded.experimentId}?mode=chart&metric=loss&also=accuracy&smooth=0.35&log=1&style=scatter`,
      );
      const option = await chartOption(page, 'loss, accuracy');
      expect(option.yAxis?.[0]?.type).toBe('log');
      expect(option.series.some((s) => s.name.endsWith('· accuracy'))).toBe(true);
      // scatter with smoothing: the raw values as points, the smoothed line over them
      expect(option.series.find((s) => s.name.endsWith('(raw)'))?.type).toBe('scatter');
      expect(await page.getByLabel('Smoothing').inputValue()).toBe('0.35');
      expect(await page.getByLabel('Log scale').isChecked()).toBe(true);
      expect(await page.getByLabel('Draw as').inputValue()).toBe('scatter');
      expect(await page.getByRole('group', { name: 'Overlay' }).getByLabel('accuracy').isChecked()).toBe(true);
      await page.getByRole('img', { name: 'Chart: loss, accuracy' }).scrollIntoViewIfNeeded();
      await expectPageClean(ctx, '24-chart-deep-link-dark');

      await page.goto(`${base}/experiments/${seeded.experimentId}?mode=chart&metric=accuracy&chart=param&x=model`);
      expect((await chartOption(page, 'accuracy by model')).xAxis?.[0]?.type).toBe('category');
      expect(await page.getByRole('button', { name: 'Param vs metric' }).getAttribute('aria-pressed')).toBe('true');
      expect(ctx.takeErrors()).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('shows an HTML report in a sandboxed frame without same-origin access or scripts', async () => {
    const { page } = ui;
    await page.goto(`${base}/runs/${seeded.artifactRunId}?tab=artifacts&path=report.html`);
    const frameEl = page.locator('iframe[data-preview="html"]');
    await frameEl.waitFor();
    expect(await frameEl.getAttribute('sandbox')).toBe('');
    expect(await frameEl.getAttribute('title')).toBe('Report report.html');
    const inner = page.frameLocator('iframe[data-preview="html"]');
    await expect.poll(() => inner.locator('#title').textContent()).toBe('Heart disease report');
    expect(await inner.locator('#script-state').textContent()).toBe('static');
    expect(await inner.locator('#pixel').getAttribute('onerror')).toBeNull();
    await expectPageClean(ui, '25-run-artifact-html');

    // with scripts on, still no allow-same-origin: the report cannot reach the parent page
    await page.getByLabel(/Run the report's 2 scripts/).check();
    const sandbox = await page.locator('iframe[data-preview="html"]').getAttribute('sandbox');
    expect(sandbox).toBe('allow-scripts');
    await expect.poll(() => inner.locator('#script-state').textContent()).toBe('script ran');
    const origin = await page
      .frames()
      .find((f) => f !== page.mainFrame())
      ?.evaluate(() => window.origin);
    expect(origin).toBe('null');
    expect(await inner.locator('#pixel').getAttribute('onerror')).not.toBeNull();
    expect(ui.takeErrors()).toEqual([]);
  });

  it("renders the pipelines' report.html with its inline charts in the sandboxed frame", async () => {
    const { page } = ui;
    await page.goto(`${base}/runs/${seeded.parentId}?tab=artifacts&path=reports/report.html`);
    const frameEl = page.locator('iframe[data-preview="html"]');
    await frameEl.waitFor();
    expect(await frameEl.getAttribute('sandbox')).toBe('');
    const inner = page.frameLocator('iframe[data-preview="html"]');
    await expect.poll(() => inner.locator('h1').textContent()).toBe('Experiment report: heart-disease-ui');
    const chart = inner.locator('figure svg').first();
    const box = await chart.boundingBox();
    expect(box?.width).toBeGreaterThan(200);
    expect(box?.height).toBeGreaterThan(100);
    // no scripts in the report: nothing to turn on
    expect(await page.getByLabel(/Run the report's/).count()).toBe(0);
    await expectPageClean(ui, '25b-run-artifact-report');
  });

  it("previews a logged model package: MLmodel, the signature's columns and the input example", async () => {
    const { page } = ui;
    await page.goto(`${base}/runs/${modelRunId}?tab=artifacts&path=model/MLmodel`);
    const inputs = page.getByRole('table', { name: 'Signature inputs' });
    await inputs.waitFor();
    const rows = await inputs
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent)));
    expect(rows).toEqual([
      ['age', 'double', 'yes'],
      ['chol', 'double', 'yes'],
    ]);
    const outputs = await page.getByRole('table', { name: 'Signature outputs' }).locator('tbody td').allTextContents();
    expect(outputs).toEqual(['(unnamed 0)', 'double', 'yes']);
    const example = page.getByRole('table', { name: 'Input example' });
    await example.waitFor();
    expect(await example.locator('thead th').allTextContents()).toEqual(['age', 'chol']);
    expect(await example.locator('tbody tr').first().locator('td').allTextContents()).toEqual(['63', '233']);
    const preview = page.locator('[data-preview="mlmodel"]');
    expect(await preview.textContent()).toContain('LogisticRegression');
    expect(await preview.getByRole('link', { name: modelRunId }).getAttribute('href')).toBe(`/runs/${modelRunId}`);
    await expectPageClean(ui, '26-run-artifact-mlmodel');
  });

  it('compares two runs with their images at the same artifact path side by side', async () => {
    const { page } = ui;
    const [a, b] = imageRuns as [string, string];
    await page.goto(`${base}/compare?runs=${a}&runs=${b}`);
    const group = page.getByRole('group', { name: 'plots/confusion.png', exact: true });
    await group.waitFor();
    const imgs = group.getByRole('img');
    expect(await imgs.count()).toBe(2);
    for (const [i, id] of [a, b].entries()) {
      const img = imgs.nth(i);
      await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(200);
      const src = new URL((await img.getAttribute('src')) as string, base);
      expect(src.searchParams.get('run_id')).toBe(id);
      expect(src.searchParams.get('path')).toBe('plots/confusion.png');
    }
    const boxes = await Promise.all([0, 1].map((i) => imgs.nth(i).boundingBox()));
    expect(boxes[0]?.y).toBeCloseTo(boxes[1]?.y as number, 0);
    expect((boxes[1]?.x as number) > (boxes[0]?.x as number) + (boxes[0]?.width as number) - 1).toBe(true);
    const onlyA = page.getByRole('group', { name: 'plots/extra/only-a.png', exact: true });
    expect(await onlyA.getByRole('img').count()).toBe(1);
    expect(await onlyA.textContent()).toContain('Not logged by this run.');

    const keyCells = page.locator('table[aria-label="Run comparison"] tbody th');
    const allKeys = await keyCells.allTextContents();
    expect(allKeys).toContain('Status');
    await toggleUrlCheckbox(page.getByLabel('Only rows that differ'), true);
    await expect.poll(() => keyCells.count()).toBeLessThan(allKeys.length);
    const shownKeys = await keyCells.allTextContents();
    // run-01 is logreg and run-02 knn; both FINISHED
    expect(shownKeys).toContain('model \u2260 (differs)');
    expect(shownKeys).not.toContain('Status');
    expect(shownKeys.every((k) => k.includes('\u2260'))).toBe(true);
    expect(await page.getByRole('table', { name: 'Run comparison' }).isVisible()).toBe(true);
    expect(new URL(page.url()).searchParams.get('diff')).toBe('1');
    await page.getByRole('img', { name: 'Chart: loss' }).locator('canvas').waitFor();
    await expectPageClean(ui, '27-compare');
    await group.scrollIntoViewIfNeeded();
    await screenshot(page, '28-compare-images');
  });
});
