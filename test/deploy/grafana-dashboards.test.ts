// deploy/grafana: the committed dashboard JSON is exactly what deploy/grafana/dashboards.ts generates with Grafana's
// foundation SDK; the provisioning names the datasource uid every panel uses; the layouts fit Grafana's 24-column
// grid; the panels the deployment promises exist; and every metric the dashboards and alert rules name is one the
// scoring service exports or one of the monitor's fixed gauge names (so a renamed metric cannot leave a blank panel).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DASHBOARD_FILES, DATASOURCE, monitoringDashboard, servingDashboard } from '../../deploy/grafana/dashboards.js';
import { ServingMetrics } from '../../src/serving/serving-metrics.js';
import { REPO_ROOT } from '../support/cairn-server.js';

const GRAFANA = path.join(REPO_ROOT, 'deploy/grafana');

/** The gauges of `cairn monitor --metrics-port` (the names the monitor, the alerts and the dashboards share). */
const MONITOR_GAUGES = [
  'cairn_monitor_dataset_drift',
  'cairn_monitor_drift_share',
  'cairn_monitor_feature_drift',
  'cairn_monitor_feature_drift_score',
  'cairn_monitor_feature_psi',
  'cairn_monitor_prediction_drift',
  'cairn_monitor_live_metric',
  'cairn_monitor_policy_threshold',
  'cairn_monitor_window_predictions',
  'cairn_monitor_last_run_timestamp_seconds',
  'cairn_monitor_model_version_info',
];

type AnyPanel = {
  id?: number;
  type: string;
  title?: string;
  gridPos?: { x: number; y: number; w: number; h: number };
  datasource?: { uid?: string };
  targets?: Array<{ expr?: string; refId?: string; datasource?: { uid?: string } }>;
};

const panelsOf = (d: { panels?: unknown[] }) => (d.panels ?? []) as AnyPanel[];

function exprsOf(d: { panels?: unknown[]; templating?: { list?: Array<{ query?: unknown }> } }): string[] {
  const panelExprs = panelsOf(d).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
  const variables = (d.templating?.list ?? []).map((v) => String(v.query ?? ''));
  return [...panelExprs, ...variables];
}

async function servingMetricNames(): Promise<Set<string>> {
  const m = new ServingMetrics(true);
  const names = new Set<string>();
  for (const metric of await m.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(metric.name + s);
    if (String(metric.type) === 'summary') for (const s of ['_sum', '_count']) names.add(metric.name + s);
  }
  return names;
}

describe('deploy/grafana', () => {
  it('the committed dashboards are what dashboards.ts generates', () => {
    for (const [file, build] of DASHBOARD_FILES) {
      const committed = JSON.parse(readFileSync(path.join(GRAFANA, 'dashboards', file), 'utf8'));
      // JSON round trip: the builders' objects as a file holds them (functions and undefined dropped)
      expect(committed, `${file}: run node --import tsx deploy/grafana/build-dashboards.ts`).toEqual(
        JSON.parse(JSON.stringify(build())),
      );
    }
  });

  it('provisions the Prometheus datasource under the uid every panel and query names', () => {
    const ds = parse(readFileSync(path.join(GRAFANA, 'provisioning/datasources/prometheus.yml'), 'utf8'));
    expect(ds.datasources).toEqual([expect.objectContaining({ type: 'prometheus', uid: DATASOURCE.uid })]);
    const provider = parse(readFileSync(path.join(GRAFANA, 'provisioning/dashboards/cairn.yml'), 'utf8'));
    expect(provider.providers[0]).toMatchObject({ type: 'file', options: { path: expect.any(String) } });
    for (const [, build] of DASHBOARD_FILES) {
      for (const p of panelsOf(build()).filter((x) => x.type !== 'row')) {
        expect(p.datasource?.uid, p.title).toBe(DATASOURCE.uid);
        expect(p.targets?.length, p.title).toBeGreaterThan(0);
        for (const t of p.targets ?? []) expect(t.datasource?.uid, p.title).toBe(DATASOURCE.uid);
        const refIds = (p.targets ?? []).map((t) => t.refId);
        expect(new Set(refIds).size, p.title).toBe(refIds.length);
      }
    }
  });

  it('panels have unique ids and fit the 24-column grid without overlapping', () => {
    for (const [file, build] of DASHBOARD_FILES) {
      const panels = panelsOf(build());
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size, file).toBe(panels.length);
      const boxes = panels.map((p) => p.gridPos!);
      for (const [i, a] of boxes.entries()) {
        expect(a.x + a.w, `${file} ${panels[i].title}`).toBeLessThanOrEqual(24);
        for (const b of boxes.slice(i + 1)) {
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          expect(overlap, `${file}: ${panels[i].title} overlaps another panel`).toBe(false);
        }
      }
    }
  });

  it('shows what the deployment promises', () => {
    const titles = (d: { panels?: unknown[] }) => panelsOf(d).map((p) => p.title);
    expect(titles(servingDashboard())).toEqual(
      expect.arrayContaining([
        'Requests by route and status',
        'Scoring latency',
        'Errors',
        'Predictions by class',
        'Predicted probability histogram',
        'Served model',
      ]),
    );
    expect(titles(monitoringDashboard())).toEqual(
      expect.arrayContaining([
        'Drift per feature',
        'Drift share',
        'Live accuracy vs policy',
        'Monitored model version',
      ]),
    );
    const latency = panelsOf(servingDashboard()).find((p) => p.title === 'Scoring latency')!;
    expect(latency.targets!.map((t) => t.expr!.match(/histogram_quantile\((0\.\d+)/)![1])).toEqual(['0.5', '0.99']);
    const policy = panelsOf(monitoringDashboard()).find((p) => p.title === 'Live accuracy vs policy')!;
    expect(policy.targets!.map((t) => t.expr)).toEqual([
      expect.stringContaining('cairn_monitor_live_metric'),
      expect.stringContaining('cairn_monitor_policy_threshold'),
    ]);
  });

  it('names only metrics the service exports or the monitor’s fixed gauges, in dashboards and alerts', async () => {
    const serving = await servingMetricNames();
    const rules = parse(readFileSync(path.join(REPO_ROOT, 'deploy/prometheus/alert_rules.yml'), 'utf8'));
    const ruleExprs: string[] = rules.groups.flatMap((g: { rules: Array<{ expr: string }> }) =>
      g.rules.map((r) => r.expr),
    );
    const all = [...DASHBOARD_FILES.flatMap(([, build]) => exprsOf(build())), ...ruleExprs];
    const used = new Set(all.flatMap((e) => e.match(/cairn_(serving|monitor)_[a-z0-9_]+/g) ?? []));
    expect(used.size).toBeGreaterThan(15);
    for (const name of used) {
      if (name.startsWith('cairn_serving_')) expect(serving.has(name), `${name} is not a serving metric`).toBe(true);
      else expect(MONITOR_GAUGES, `${name} is not a monitor gauge`).toContain(name);
    }
    // the check has teeth: a misspelt name is caught
    expect(serving.has('cairn_serving_prediction_total')).toBe(false);
  });
});
