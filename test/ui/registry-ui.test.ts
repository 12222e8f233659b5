// The registry, webhook and monitoring pages in a real Chromium against a real `cairn server` (SQLite
// on a temp dir, loopback), seeded through the REST API. Each page is screenshotted to
// test-results/ui/, audited by axe-core, and must log no console error beyond the refusals it provokes.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnServer, startCairnServer } from '../support/cairn-server.js';
import { lacks } from '../support/requirements.js';
import { type UiBrowser, launchBrowser, screenshot, seriousViolations } from './browser.js';
import { ensureUiBuilt } from './build-ui.js';
import {
  type MonitorSeed,
  type RegistrySeed,
  SIGNATURE_INPUTS,
  seedMonitoring,
  seedRegistry,
} from './registry-seed.js';

const MLFLOW = '/api/2.0/mlflow';
const CAIRN = '/api/2.0/cairn';

async function getJson(base: string, path: string): Promise<any> {
  const res = await fetch(`${base}${path}`);
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${text}`);
  return JSON.parse(text);
}

async function expectPageClean(ui: UiBrowser, name: string): Promise<void> {
  await screenshot(ui.page, name);
  expect(await seriousViolations(ui.page), `axe on ${name}`).toEqual([]);
  expect(ui.takeErrors(), `console errors on ${name}`).toEqual([]);
}

/** Pixels of the chart's canvas close to an RGB colour (the heat-map's red and green cells). */
async function canvasPixels(page: Page, chartLabel: string, rgb: [number, number, number]): Promise<number> {
  // ECharts may draw on several stacked canvases (layers): count over all of them
  return page.locator(`[aria-label="Chart: ${chartLabel}"] canvas`).evaluateAll((canvases, target) => {
    let n = 0;
    for (const canvas of canvases) {
      const c = canvas as HTMLCanvasElement;
      const data = (c.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < data.length; i += 4) {
        const d =
          Math.abs((data[i] as number) - target[0]) +
          Math.abs((data[i + 1] as number) - target[1]) +
          Math.abs((data[i + 2] as number) - target[2]);
        if (d < 30) n++;
      }
    }
    return n;
  }, rgb);
}

describe.skipIf(lacks('chromium'))('registry, webhooks and monitoring pages in Chromium', () => {
  let server: CairnServer;
  let ui: UiBrowser;
  let base: string;
  let reg: RegistrySeed;
  let mon: MonitorSeed;

  beforeAll(async () => {
    ensureUiBuilt();
    // the seeded webhook's receiver listens on loopback
    server = await startCairnServer({ env: { CAIRN_WEBHOOK_ALLOW_PRIVATE_IPS: 'true', CAIRN_WEBHOOK_POLL_MS: '100' } });
    base = server.url;
    reg = await seedRegistry(base);
    mon = await seedMonitoring(base, reg.model);
    ui = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await ui?.close();
    reg?.receiver.close();
    await server?.stop();
    server?.cleanup();
  });

  it('lists the registered models with latest versions, aliases and description, and searches by name', async () => {
    const { page } = ui;
    await page.goto(`${base}/models`);
    const table = page.getByRole('table', { name: 'Registered models' });
    await table.waitFor();
    const api = await getJson(base, `${MLFLOW}/registered-models/search?order_by=name%20ASC`);
    const names = api.registered_models.map((m: { name: string }) => m.name);
    await expect
      .poll(() => page.locator('tr[data-model]').evaluateAll((rows) => rows.map((r) => r.dataset.model)))
      .toEqual(names);
    const heart = page.locator(`tr[data-model="${reg.model}"]`);
    const heartApi = api.registered_models.find((m: { name: string }) => m.name === reg.model);
    for (const v of heartApi.latest_versions) {
      await heart.getByRole('link', { name: `v${v.version} ${v.current_stage} of ${reg.model}` }).waitFor();
    }
    expect(await heart.textContent()).toContain(heartApi.description);
    expect(await page.locator(`tr[data-model="${reg.otherModel}"]`).textContent()).toContain('@shadow → v1');
    await expectPageClean(ui, 'reg-01-models');

    await page.getByLabel('Search models by name').fill('stro');
    await expect.poll(() => page.locator('tr[data-model]').count()).toBe(1);
    expect(await page.locator('tr[data-model]').getAttribute('data-model')).toBe(reg.otherModel);
    expect(new URL(page.url()).searchParams.get('q')).toBe('stro');
    expect(ui.takeErrors()).toEqual([]);
  });

  it('shows a model: versions with stage, aliases, source run, tags, its policies and the audit history', async () => {
    const { page } = ui;
    await page.goto(`${base}/models/${reg.model}`);
    const versionsTable = page.getByRole('table', { name: 'Versions' });
    await versionsTable.waitFor();
    const api = await getJson(
      base,
      `${MLFLOW}/model-versions/search?filter=${encodeURIComponent(`name='${reg.model}'`)}`,
    );
    for (const v of api.model_versions) {
      const row = page.locator(`tr[data-version="${v.version}"]`);
      expect(await row.locator('.stage').textContent()).toBe(v.current_stage);
      expect(await row.getByRole('link', { name: v.run_id.slice(0, 12) }).getAttribute('href')).toBe(
        `/runs/${v.run_id}`,
      );
    }
    expect(await page.locator('tr[data-version="3"]').textContent()).toContain('validated_by=qa');
    expect(await page.locator('ul.policies').textContent()).toContain(
      'Production: accuracy >= 0.9, precision_1 >= 0.85',
    );
    const history = page.getByRole('table', { name: 'History' });
    await history.waitFor();
    const first = history.locator('tbody tr').first();
    // newest first: alice moved version 2 to Staging last
    expect(await first.getAttribute('data-action')).toBe('transition_stage');
    expect(await first.textContent()).toContain('alice');
    expect(await first.textContent()).toContain('None → Staging');
    await expectPageClean(ui, 'reg-02-model');
  });

  it('shows a version: source run, stage, tags and the signature from its MLmodel', async () => {
    const { page } = ui;
    const v3 = reg.versions[2];
    await page.goto(`${base}/models/${reg.model}/versions/3`);
    const inputs = page.getByRole('table', { name: 'Inputs' });
    await inputs.waitFor();
    const rows = await inputs
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent)));
    expect(rows).toEqual(SIGNATURE_INPUTS.map((c) => [c.name, c.type, c.required ? 'yes' : 'no']));
    const details = page.getByLabel('Version details');
    expect(await details.getByRole('link', { name: v3?.runId }).getAttribute('href')).toBe(`/runs/${v3?.runId}`);
    expect(await details.locator('.stage').textContent()).toBe('Production');
    expect(await page.getByRole('table', { name: 'Version tags' }).textContent()).toContain('validated_by');
    await expectPageClean(ui, 'reg-03-version');
  });

  it('shows the failing verdict before a stage transition and the server refusal when it is confirmed', async () => {
    const { page } = ui;
    await page.goto(`${base}/models/${reg.model}`);
    await page.getByRole('button', { name: 'Change stage of version 1' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Target stage').selectOption('Production');
    const verdict = dialog.getByRole('region', { name: 'Promotion policy for Production: fails' });
    await verdict.waitFor();
    const accuracyRow = verdict.locator('tr', { hasText: 'accuracy >= 0.9' });
    expect(await accuracyRow.getAttribute('data-passed')).toBe('false');
    expect(await accuracyRow.textContent()).toContain('0.82');
    expect(await verdict.locator('tr', { hasText: 'precision_1 >= 0.85' }).getAttribute('data-passed')).toBe('true');
    await screenshot(page, 'reg-04-transition-verdict');
    expect(await seriousViolations(page)).toEqual([]);

    await dialog.getByRole('button', { name: 'Confirm' }).click();
    const refusal = dialog.getByRole('alert', { name: 'The server refused the change' });
    await refusal.waitFor();
    const text = (await refusal.textContent()) ?? '';
    expect(text).toMatch(/^INVALID_STATE: /);
    expect(text).toContain('accuracy >= 0.9: got 0.82');
    await screenshot(page, 'reg-05-transition-refused');
    const v1 = await getJson(base, `${MLFLOW}/model-versions/get?name=${reg.model}&version=1`);
    expect(v1.model_version.current_stage).toBe('None');
    const hist = await getJson(base, `${CAIRN}/registry/history?name=${reg.model}&version=1`);
    expect(hist.entries[0].action).toBe('transition_stage_refused');
    // the browser reports the 400 answer itself; nothing else may be logged
    const errors = ui.takeErrors();
    expect(errors.every((e) => e.includes('400') && e.includes('transition-stage'))).toBe(true);

    // forcing needs a reason; the override is applied and recorded as forced
    await dialog.getByLabel('Force: override the failing policy').check();
    const force = dialog.getByRole('button', { name: 'Force and confirm' });
    expect(await force.isDisabled()).toBe(true);
    await dialog.getByLabel(/^Reason/).fill('clinical sign-off for the pilot');
    await force.click();
    await dialog.waitFor({ state: 'detached' });
    await expect
      .poll(() => page.locator('tr[data-version="1"] .stage').textContent(), { timeout: 20_000 })
      .toBe('Production');
    const forced = (await getJson(base, `${CAIRN}/registry/history?name=${reg.model}&version=1`)).entries[0];
    expect([forced.action, forced.forced, forced.reason]).toEqual([
      'transition_stage',
      true,
      'clinical sign-off for the pilot',
    ]);
    expect(ui.takeErrors()).toEqual([]);
  });

  it('shows the passing verdict before setting an alias, then applies it and records who', async () => {
    const { page } = ui;
    await page.goto(`${base}/models/${reg.model}`);
    await page.getByRole('button', { name: 'Set an alias on version 2' }).click();
    const dialog = page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Confirm' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Alias').fill('champion');
    const verdict = dialog.getByRole('region', { name: 'Promotion policy for @champion: passes' });
    await verdict.waitFor();
    expect(await verdict.locator('tr', { hasText: 'accuracy >= 0.9' }).textContent()).toContain('0.93');
    // nothing is applied before the confirmation
    expect((await getJson(base, `${MLFLOW}/registered-models/get?name=${reg.model}`)).registered_model.aliases).toBe(
      undefined,
    );
    await dialog.getByLabel('Your name').fill('carol');
    await dialog.getByLabel('Reason', { exact: false }).fill('best accuracy');
    await screenshot(page, 'reg-06-alias-verdict');
    expect(await seriousViolations(page)).toEqual([]);
    await confirm.click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('[data-alias="champion"]').waitFor();
    const byAlias = await getJson(base, `${MLFLOW}/registered-models/alias?name=${reg.model}&alias=champion`);
    expect(byAlias.model_version.version).toBe('2');
    const first = page.getByRole('table', { name: 'History' }).locator('tbody tr').first();
    await expect.poll(() => first.getAttribute('data-action')).toBe('set_alias');
    expect(await first.textContent()).toContain('carol');
    expect(await first.textContent()).toContain('best accuracy');
    await expectPageClean(ui, 'reg-07-alias-applied');

    // and deleted again, after a confirmation
    await page.getByRole('button', { name: 'Delete alias @champion' }).click();
    const del = page.getByRole('dialog');
    await del.getByRole('button', { name: 'Delete alias', exact: true }).click();
    await page.locator('[data-alias="champion"]').waitFor({ state: 'detached' });
    expect((await getJson(base, `${MLFLOW}/registered-models/get?name=${reg.model}`)).registered_model.aliases).toBe(
      undefined,
    );
    await expect.poll(() => first.getAttribute('data-action')).toBe('delete_alias');
    expect(ui.takeErrors()).toEqual([]);
  });

  it('lists webhooks with their deliveries, adds one and deletes it', async () => {
    const { page } = ui;
    // the seeded stage changes and the alias above were delivered to the loopback receiver
    await expect
      .poll(
        async () => {
          const d = await getJson(base, `${CAIRN}/registry/webhooks/deliveries?webhook_id=${reg.webhookId}`);
          return d.deliveries.filter((x: { status: string }) => x.status === 'DELIVERED').length;
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThanOrEqual(3);
    await page.goto(`${base}/webhooks?webhook=${reg.webhookId}`);
    const row = page.locator(`tr[data-webhook="${reg.webhookId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('ci-notifier');
    expect(await row.textContent()).toContain('MODEL_VERSION_TRANSITIONED_STAGE');
    const deliveries = page.getByRole('table', { name: 'Deliveries' });
    await deliveries.waitFor();
    const api = await getJson(base, `${CAIRN}/registry/webhooks/deliveries?webhook_id=${reg.webhookId}`);
    const shown = await deliveries
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-delivery'), tr.getAttribute('data-status')]));
    expect(shown).toEqual(api.deliveries.map((d: { id: string; status: string }) => [d.id, d.status]));
    expect(shown.some(([, s]) => s === 'DELIVERED')).toBe(true);
    await expectPageClean(ui, 'reg-08-webhooks');

    await page.getByRole('button', { name: 'Add webhook…' }).click();
    await page.getByLabel('URL').fill('http://127.0.0.1:9/made-in-ui');
    await page.getByLabel('Name', { exact: true }).fill('made-in-ui');
    await page.getByLabel('REGISTERED_MODEL_ALIAS_SET').check();
    await page.getByRole('button', { name: 'Add webhook', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'secret, shown only now' }).waitFor();
    const list = await getJson(base, `${CAIRN}/registry/webhooks`);
    const made = list.webhooks.find((w: { name: string }) => w.name === 'made-in-ui');
    expect(made.events).toEqual(['REGISTERED_MODEL_ALIAS_SET']);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete webhook made-in-ui' }).click();
    await page.locator(`tr[data-webhook="${made.id}"]`).waitFor({ state: 'detached' });
    const after = await getJson(base, `${CAIRN}/registry/webhooks`);
    expect(after.webhooks.map((w: { id: string }) => w.id)).not.toContain(made.id);
    expect(ui.takeErrors()).toEqual([]);
  });

  it('draws drift per feature from the Model_Monitoring runs and links each drift report', async () => {
    const { page } = ui;
    await page.goto(`${base}/monitoring`);
    await page.getByRole('link', { name: reg.model, exact: true }).click();
    await page.getByRole('table', { name: 'Monitoring passes' }).waitFor();
    await page.locator('[aria-label="Chart: Drift per feature"] canvas').first().waitFor();
    // red cells where the seed drifted (chol ×3, thalach ×1), green ones elsewhere
    await expect.poll(() => canvasPixels(page, 'Drift per feature', [0xcf, 0x22, 0x2e])).toBeGreaterThan(500);
    expect(await canvasPixels(page, 'Drift per feature', [0x2d, 0xa4, 0x4e])).toBeGreaterThan(
      (await canvasPixels(page, 'Drift per feature', [0xcf, 0x22, 0x2e])) * 2,
    );
    await page.locator('[aria-label="Chart: Live performance"] canvas').first().waitFor();
    await page.locator('[aria-label="Chart: Prediction distribution"] canvas').first().waitFor();

    // one row per pass, newest first, with its data set drift flag and report links
    const rows = page.locator('table[aria-label="Monitoring passes"] tbody tr');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run-id')))).toEqual(
      [...mon.runIds].reverse(),
    );
    expect(await rows.first().locator('.flag-drift').textContent()).toBe('drift');
    expect(await rows.nth(1).locator('.flag-ok').textContent()).toBe('no drift');
    const newest = mon.runIds[5] as string;
    const view = rows.first().getByRole('link', { name: /^View drift report of / });
    expect(await view.getAttribute('href')).toBe(`/runs/${newest}?tab=artifacts&path=drift_report.html`);
    const download = await rows
      .first()
      .getByRole('link', { name: /^Download drift report/ })
      .getAttribute('href');
    const report = await fetch(`${base}${download}`);
    expect(report.status).toBe(200);
    expect(await report.text()).toContain(mon.reportMarker);
    expect(await page.getByLabel('Latest pass').textContent()).toContain('2 of 4 features drifting');
    await expectPageClean(ui, 'mon-01-model');
    // the page scrolls inside <main>: the lower charts and the passes table
    await page.locator('main').evaluate((m) => m.scrollTo(0, 560));
    await screenshot(page, 'mon-01-model-lower');
    await page.locator('main').evaluate((m) => m.scrollTo(0, m.scrollHeight));
    await screenshot(page, 'mon-01-model-bottom');

    await page.getByLabel('Model version').selectOption('2');
    await expect.poll(() => rows.count()).toBe(2);
    expect(new URL(page.url()).searchParams.get('version')).toBe('2');
    expect(ui.takeErrors()).toEqual([]);
  });

  it('says how to create monitoring runs for a model without any', async () => {
    const { page } = ui;
    await page.goto(`${base}/monitoring/${reg.otherModel}`);
    const howTo = page.getByRole('region', { name: 'How to create monitoring runs' });
    await howTo.waitFor();
    expect(await howTo.textContent()).toContain(`cairn monitor models:/${reg.otherModel}@champion --once`);
    await expectPageClean(ui, 'mon-02-empty');
  });

  it('works in the dark theme and from the keyboard', async () => {
    const ctx = await launchBrowser({ colorScheme: 'dark' });
    try {
      const { page } = ctx;
      await page.goto(`${base}/monitoring/${reg.model}`);
      await page.locator('[aria-label="Chart: Drift per feature"] canvas').first().waitFor();
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
      await expect.poll(() => canvasPixels(page, 'Drift per feature', [0xcf, 0x22, 0x2e])).toBeGreaterThan(500);
      await expectPageClean(ctx, 'mon-03-model-dark');

      await page.goto(`${base}/models/${reg.model}`);
      await page.getByRole('table', { name: 'History' }).waitFor();
      await expectPageClean(ctx, 'reg-09-model-dark');
      // keyboard: focus the stage button of version 3, open the dialog with Enter, close it with Escape
      const button = page.getByRole('button', { name: 'Change stage of version 3' });
      await button.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog');
      await dialog.locator('[data-verdict]').waitFor();
      expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
      await screenshot(page, 'reg-10-dialog-dark');
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(ctx.takeErrors()).toEqual([]);
    } finally {
      await ctx.close();
    }
  });
});
