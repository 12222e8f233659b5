// The deploy files against real processes: Debian's Prometheus scrapes a real `cairn serve` fed by `cairn simulate`
// (plain, shifted far out of range, and a few bad requests), with deploy/prometheus/alert_rules.yml loaded. Every
// PromQL expression of the Grafana dashboards and of the alert rules parses and evaluates without error through
// Prometheus's HTTP API, every serving panel shows data, and every alert rule evaluates healthy.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { monitoringDashboard, servingDashboard } from '../../deploy/grafana/dashboards.js';
import { runCairnCli } from '../support/cairn-cli.js';
import { REPO_ROOT } from '../support/cairn-server.js';
import {
  BUNDLED_HEART_CSV,
  type PrometheusProcess,
  registerHeartModel,
  type ServeProcess,
  startPrometheus,
  startServe,
  waitFor,
} from '../support/monitoring-stack.js';
import { HEART_RECORD } from '../support/serving-model.js';
import { lacks, PROMETHEUS_PATH } from '../support/requirements.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-prometheus-it-'));
const trackingUri = `sqlite:///${path.join(tmp, 'tracking.db')}`;
const MODEL = 'models:/heart-disease@champion';
const RULES = readFileSync(path.join(REPO_ROOT, 'deploy/prometheus/alert_rules.yml'), 'utf8');
const skip = lacks('prometheus');

let serve: ServeProcess;
let prom: PrometheusProcess;

/** Grafana's variables, as a dashboard with "All" selected and a 5-minute range would send them. */
function grafanaExpr(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__range', '5m')
    .replaceAll('$instance', '.*')
    .replaceAll('$model', '.*');
}

interface PanelQueries {
  panel: string;
  exprs: string[];
}

function panelQueries(d: ReturnType<typeof servingDashboard>): PanelQueries[] {
  return (d.panels ?? [])
    .filter((p) => p.type !== 'row')
    .map((p) => {
      const targets = ((p as { targets?: Array<{ expr?: string }> }).targets ?? []).map((t) => t.expr!);
      return { panel: (p as { title?: string }).title ?? '', exprs: targets };
    });
}

beforeAll(async () => {
  if (skip) return;
  await registerHeartModel(trackingUri, path.join(tmp, 'artifacts'));
  serve = await startServe([
    MODEL,
    '--tracking-uri',
    trackingUri,
    '--prediction-log',
    `sqlite:///${path.join(tmp, 'predictions.db')}`,
    '--log-level',
    'warn',
  ]);
  prom = await startPrometheus({
    binary: PROMETHEUS_PATH,
    dir: path.join(tmp, 'prometheus'),
    targets: { 'cairn-serving': `127.0.0.1:${serve.port}` },
    ruleFiles: { 'alert_rules.yml': RULES },
  });
}, 240_000);

afterAll(async () => {
  await prom?.stop();
  await serve?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(skip)('Prometheus scraping cairn serve fed by cairn simulate', () => {
  it('every dashboard and alert expression evaluates; the serving panels all show data', async () => {
    const simulate = (extra: string[]) =>
      runCairnCli([
        'simulate',
        '--model',
        MODEL,
        '--tracking-uri',
        trackingUri,
        '--endpoint',
        serve.url,
        '--data',
        BUNDLED_HEART_CSV,
        '--feedback',
        ...extra,
      ]);
    const [plain, shifted] = await Promise.all([
      simulate(['--rows', '200', '--seed', '1']),
      // far outside the training range: flagged, counted by feature
      simulate(['--rows', '40', '--seed', '2', '--shift', 'age=*3,chol=*4']),
    ]);
    expect(plain.status, plain.stderr).toBe(0);
    expect(shifted.status, shifted.stderr).toBe(0);
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${serve.url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...HEART_RECORD, age: 'sixty' }),
      });
      expect(res.status).toBe(400);
    }

    // scraped after all the traffic
    await waitFor('the predictions to be scraped', async () => {
      const r = await prom.query('sum(cairn_serving_predictions_total)');
      return Number((r.result[0]?.value as [number, string] | undefined)?.[1]) >= 240 ? true : undefined;
    });
    const instances = await prom.api(`/api/v1/label/instance/values?match[]=cairn_serving_model_info`);
    expect(instances).toContain(`127.0.0.1:${serve.port}`);
    const info = await prom.query('cairn_serving_model_info');
    expect(info.result.map((r) => r.metric)).toEqual([
      expect.objectContaining({ model_name: 'heart-disease', model_version: '1', model_uri: MODEL }),
    ]);

    // serving: every query of every panel evaluates and shows data (rates need two scrapes in their window)
    for (const { panel, exprs } of panelQueries(servingDashboard())) {
      expect(exprs.length, panel).toBeGreaterThan(0);
      for (const expr of exprs) {
        const result = await waitFor(
          `data for "${panel}": ${expr}`,
          async () => {
            const r = await prom.query(grafanaExpr(expr));
            return r.result.length > 0 ? r.result : undefined;
          },
          60_000,
        );
        expect(result.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      }
    }
    const outOfRange = await prom.query('sum by (feature) (cairn_serving_input_out_of_range_total)');
    expect(outOfRange.result.map((r) => r.metric.feature).sort()).toEqual(expect.arrayContaining(['age', 'chol']));
    const errors = await prom.query('sum by (status) (cairn_serving_requests_total{status="400"})');
    expect(Number((errors.result[0].value as [number, string])[1])).toBe(5);

    // monitoring (no monitor scraped here): every query parses and evaluates
    for (const { panel, exprs } of panelQueries(monitoringDashboard())) {
      for (const expr of exprs) await expect(prom.query(grafanaExpr(expr)), `${panel}: ${expr}`).resolves.toBeTruthy();
    }
    // a query Prometheus refuses makes query() throw: the loop above has teeth
    await expect(prom.query('sum by (le (cairn_serving_requests_total)')).rejects.toThrow(/bad_data/);

    // the alert rules: each expression evaluates, and Prometheus evaluates every rule healthy
    const rules = parse(RULES).groups.flatMap((g: { rules: Array<{ alert: string; expr: string }> }) => g.rules);
    for (const r of rules) await expect(prom.query(r.expr), r.alert).resolves.toBeTruthy();
    const loaded = await waitFor('every rule evaluated', async () => {
      const data = await prom.api('/api/v1/rules');
      const all = data.groups.flatMap((g: { rules: Array<Record<string, unknown>> }) => g.rules);
      return all.length === rules.length && all.every((r: Record<string, unknown>) => r.health === 'ok')
        ? all
        : undefined;
    });
    expect(loaded.map((r: { name: string }) => r.name).sort()).toEqual(
      rules.map((r: { alert: string }) => r.alert).sort(),
    );
  }, 300_000);
});
