// The Prometheus files of deploy/prometheus, checked by the real promtool (Debian's prometheus package): the
// configuration and rules load, the unit tests in deploy/prometheus/tests pass, every alert has a case where
// it fires and one where it stays silent, and the firing cases have teeth (an alert whose expression can never
// be true fails its tests).
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../support/cairn-server.js';
import { lacks, PROMTOOL_PATH } from '../support/requirements.js';

const run = promisify(execFile);
const PROM_DIR = path.join(REPO_ROOT, 'deploy/prometheus');
const TESTS_DIR = path.join(PROM_DIR, 'tests');
const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-promtool-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Rule {
  alert?: string;
  expr: string;
  for?: string;
}
interface RuleTest {
  alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }>;
}

const rulesDoc = () => parse(readFileSync(path.join(PROM_DIR, 'alert_rules.yml'), 'utf8'));
const alertNames = (): string[] =>
  rulesDoc().groups.flatMap((g: { rules: Rule[] }) => g.rules.filter((r) => r.alert).map((r) => r.alert!));
const testFiles = () => readdirSync(TESTS_DIR).filter((f) => f.endsWith('.yml'));

async function promtool(args: string[], cwd = PROM_DIR): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(PROMTOOL_PATH, args, { cwd, timeout: 60_000 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe.skipIf(lacks('prometheus'))('deploy/prometheus (promtool)', () => {
  it('the configuration and its rule file pass promtool check config and check rules', async () => {
    const config = await promtool(['check', 'config', 'prometheus.yml']);
    expect(config.code, config.out).toBe(0);
    expect(config.out).toMatch(/SUCCESS: prometheus.yml is valid prometheus config file syntax/);
    const rules = await promtool(['check', 'rules', 'alert_rules.yml']);
    expect(rules.code, rules.out).toBe(0);
    expect(rules.out).toContain(`SUCCESS: ${alertNames().length} rules found`);
  });

  it('scrapes the scoring service and the monitor and loads the alert rules', () => {
    const config = parse(readFileSync(path.join(PROM_DIR, 'prometheus.yml'), 'utf8'));
    expect(config.rule_files).toEqual(['alert_rules.yml']);
    expect(config.scrape_configs.map((s: { job_name: string }) => s.job_name)).toEqual([
      'cairn-serving',
      'cairn-monitor',
    ]);
  });

  it('the alerts the deployment promises all exist', () => {
    expect(alertNames()).toEqual(
      expect.arrayContaining([
        'CairnServingHighLatencyP99',
        'CairnServingHighErrorRate',
        'CairnServingNoPredictions',
        'CairnDataDriftDetected',
        'CairnLiveMetricBelowPolicy',
        'CairnModelVersionChanged',
      ]),
    );
  });

  it('every promtool unit test passes', async () => {
    const res = await promtool(['test', 'rules', ...testFiles().map((f) => `tests/${f}`)]);
    expect(res.code, res.out).toBe(0);
    expect(res.out.match(/SUCCESS/g)).toHaveLength(testFiles().length);
  });

  it('every alert has a test where it fires and one where it stays silent', () => {
    const cases = testFiles().flatMap((f) =>
      (parse(readFileSync(path.join(TESTS_DIR, f), 'utf8')).tests as RuleTest[]).flatMap(
        (t) => t.alert_rule_test ?? [],
      ),
    );
    for (const name of alertNames()) {
      const mine = cases.filter((c) => c.alertname === name);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${name} has no firing case`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${name} has no silent case`,
      ).toBe(true);
    }
  });

  it('each alert made unable to fire fails its tests (the firing cases have teeth)', async () => {
    for (const name of alertNames()) {
      const dir = path.join(tmp, name);
      mkdirSync(path.join(dir, 'tests'), { recursive: true });
      const doc = rulesDoc();
      for (const g of doc.groups) for (const r of g.rules as Rule[]) if (r.alert === name) r.expr = 'vector(1) == 0';
      writeFileSync(path.join(dir, 'alert_rules.yml'), stringify(doc));
      for (const f of testFiles()) copyFileSync(path.join(TESTS_DIR, f), path.join(dir, 'tests', f));
      const res = await promtool(['test', 'rules', ...testFiles().map((f) => `tests/${f}`)], dir);
      expect(res.code, `${name}: ${res.out}`).not.toBe(0);
      expect(res.out).toContain(`alertname: ${name},`);
    }
  }, 120_000);
});
