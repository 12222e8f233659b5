// `cairn monitor --every` as a real process scraped by Debian's Prometheus, next to the `cairn serve` whose
// prediction log it reads, fed by `cairn simulate --shift age=+10`: the cairn_monitor_* gauges reach Prometheus,
// the age feature's drift gauge is 1, and deploy/prometheus/alert_rules.yml's data-drift alert goes pending and
// then firing. The rules are the real file with only its `for:` durations shortened, so the expressions under
// test are the ones deployed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCairnCli } from '../support/cairn-cli.js';
import { freePort, REPO_ROOT } from '../support/cairn-server.js';
import {
  BUNDLED_HEART_CSV,
  type MonitorProcess,
  type PrometheusProcess,
  registerHeartModel,
  type ServeProcess,
  startMonitor,
  startPrometheus,
  startServe,
  waitFor,
} from '../support/monitoring-stack.js';
import { lacks, PROMETHEUS_PATH } from '../support/requirements.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-prometheus-monitor-it-'));
const trackingUri = `sqlite:///${path.join(tmp, 'tracking.db')}`;
const predictionLog = `sqlite:///${path.join(tmp, 'predictions.db')}`;
const MODEL = 'models:/heart-disease@champion';
const ROWS = 300;
const skip = lacks('prometheus');

/**
 * The deployed rules with every `for:` set to `forDuration` and nothing else changed. Long enough that a poll
 * every half second sees the pending state even on a loaded machine, short enough to reach firing soon.
 */
function withShortFor(rules: string, forDuration: string): string {
  return rules.replace(/^(\s+for:\s*)\S+\s*$/gm, `$1${forDuration}`);
}

const REAL_RULES = readFileSync(path.join(REPO_ROOT, 'deploy/prometheus/alert_rules.yml'), 'utf8');
const RULES = withShortFor(REAL_RULES, '20s');

let serve: ServeProcess;
let monitor: MonitorProcess;
let prom: PrometheusProcess;

beforeAll(async () => {
  if (skip) return;
  await registerHeartModel(trackingUri, path.join(tmp, 'artifacts'));
  serve = await startServe([
    MODEL,
    '--tracking-uri',
    trackingUri,
    '--prediction-log',
    predictionLog,
    '--log-level',
    'warn',
  ]);
  const monitorPort = await freePort();
  prom = await startPrometheus({
    binary: PROMETHEUS_PATH,
    dir: path.join(tmp, 'prometheus'),
    targets: { 'cairn-serving': `127.0.0.1:${serve.port}`, 'cairn-monitor': `127.0.0.1:${monitorPort}` },
    ruleFiles: { 'alert_rules.yml': RULES },
  });
  // The data-drift alert fires on data *set* drift (cairn_monitor_dataset_drift == 1), not on one feature's
  // drift. Under Evidently's default drift_share 0.5, age alone is 1 of 13 features and is no data set drift;
  // --drift-share 0.05 makes one drifting feature (1/13 ≈ 0.077) enough, so the shift of age exercises the rule.
  monitor = await startMonitor(
    [
      MODEL,
      '--every',
      '2s',
      '--window',
      String(ROWS),
      '--drift-share',
      '0.05',
      '--prediction-log',
      predictionLog,
      '--tracking-uri',
      trackingUri,
    ],
    monitorPort,
  );
}, 240_000);

afterAll(async () => {
  await monitor?.stop();
  await prom?.stop();
  await serve?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('withShortFor', () => {
  it('rewrites every for: of the deployed rules and nothing else', () => {
    const short = withShortFor(REAL_RULES, '20s');
    const fors = (t: string) => t.split('\n').filter((l) => /^\s+for:/.test(l));
    expect(fors(REAL_RULES).length).toBeGreaterThan(0);
    expect(fors(short)).toEqual(fors(REAL_RULES).map((l) => l.replace(/for:.*/, 'for: 20s')));
    const rest = (t: string) => t.split('\n').filter((l) => !/^\s+for:/.test(l));
    expect(rest(short)).toEqual(rest(REAL_RULES));
  });
});

describe.skipIf(skip)('Prometheus scraping cairn monitor --every over a shifted window', () => {
  it('gauges present, age drifts, CairnDataDriftDetected goes pending then firing', async () => {
    const sim = await runCairnCli([
      'simulate',
      '--model',
      MODEL,
      '--tracking-uri',
      trackingUri,
      '--endpoint',
      serve.url,
      '--data',
      BUNDLED_HEART_CSV,
      '--rows',
      String(ROWS),
      '--seed',
      '3',
      '--shift',
      'age=+10',
    ]);
    expect(sim.status, sim.stderr).toBe(0);

    // a pass over the whole shifted window, scraped
    const value = (r: { value: unknown }) => Number((r.value as [number, string])[1]);
    await waitFor(
      'a scraped monitor pass over the shifted window',
      async () => {
        const r = await prom.query('cairn_monitor_window_predictions{job="cairn-monitor",model_name="heart-disease"}');
        return r.result.length === 1 && value(r.result[0]) === ROWS ? true : undefined;
      },
      120_000,
    );
    const names = new Set((await prom.api('/api/v1/label/__name__/values?match[]={job="cairn-monitor"}')) as string[]);
    for (const gauge of [
      'cairn_monitor_dataset_drift',
      'cairn_monitor_drift_share',
      'cairn_monitor_feature_drift',
      'cairn_monitor_feature_drift_score',
      'cairn_monitor_feature_psi',
      'cairn_monitor_window_predictions',
      'cairn_monitor_last_run_timestamp_seconds',
      'cairn_monitor_model_version_info',
    ])
      expect(names, gauge).toContain(gauge);
    const age = await prom.query('cairn_monitor_feature_drift{model_name="heart-disease",feature="age"}');
    expect(age.result).toHaveLength(1);
    expect(value(age.result[0])).toBe(1);
    expect(age.result[0].metric.method).toBe('ks');
    const dataset = await prom.query('cairn_monitor_dataset_drift{model_name="heart-disease"}');
    expect(value(dataset.result[0])).toBe(1);
    // the unshifted features mostly do not drift: the gauge tells age apart
    const drifting = await prom.query('cairn_monitor_feature_drift{model_name="heart-disease"} == 1');
    expect(drifting.result.length).toBeLessThan(13 / 2);

    // the real rule: pending first (for: 20s), then firing, its value the share of drifting features
    const alertState = async () => {
      const data = (await prom.api('/api/v1/alerts')) as {
        alerts: Array<{ labels: Record<string, string>; state: string; value: string }>;
      };
      return data.alerts.find((a) => a.labels.alertname === 'CairnDataDriftDetected');
    };
    const pending = await waitFor('CairnDataDriftDetected pending', async () => {
      const a = await alertState();
      return a?.state === 'pending' ? a : a?.state === 'firing' ? Promise.reject(new Error('firing')) : undefined;
    });
    expect(pending.labels).toMatchObject({ model_name: 'heart-disease', job: 'cairn-monitor', severity: 'warning' });
    const firing = await waitFor(
      'CairnDataDriftDetected firing',
      async () => {
        const a = await alertState();
        return a?.state === 'firing' ? a : undefined;
      },
      120_000,
    );
    const share = await prom.query('cairn_monitor_drift_share{model_name="heart-disease"}');
    expect(Number(firing.value)).toBeCloseTo(value(share.result[0]), 9);
    expect(value(share.result[0])).toBeGreaterThanOrEqual(0.05);
    expect(monitor.output()).toMatch(/Data set drift detected for heart-disease v1/);
  }, 360_000);
});
