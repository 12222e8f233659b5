// `cairn report` against real stores: a SQLite file (through the command function and through the
// CLI process), a real HTTP server on loopback, and PostgreSQL. The experiment is logged through the
// client; the CSV is checked against what the API returns, the best run, the HTML's inline charts
// (and that it names no URL), the Markdown, and that bad input exits 2 with a message.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient } from '../../src/client/cairn-client.js';
import { UsageError } from '../../src/cli/cli-client.js';
import { runReport } from '../../src/cli/report-command.js';
import type { Run } from '../../src/tracking/entities.js';
import { runCairnCli } from '../support/cairn-cli.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { REPORT_RUNS, seedReportExperiment } from '../support/report-fixture.js';
import { lacks } from '../support/requirements.js';
import { startTestServer, type TestServer } from './server-harness.js';

// each CLI call is a fresh `node --import tsx` process; allow for a loaded machine
const TIMEOUT = 300_000;

const dir = mkdtempSync(path.join(tmpdir(), 'cairn-report-'));
let server: TestServer | undefined;
let pg: TestPostgres | undefined;
afterAll(async () => {
  await server?.close();
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Backend {
  name: string;
  open(): Promise<{ uri: string; client: CairnClient }>;
}

const backends: Backend[] = [
  {
    name: 'sqlite',
    async open() {
      const uri = `sqlite:///${path.join(dir, 'report.db')}`;
      return { uri, client: await CairnClient.open(uri, { artifactRoot: path.join(dir, 'sqlite-artifacts') }) };
    },
  },
  {
    name: 'http',
    async open() {
      server = await startTestServer();
      return { uri: server.url, client: await CairnClient.open(server.url) };
    },
  },
];
if (!lacks('postgres')) {
  backends.push({
    name: 'postgresql',
    async open() {
      pg = await startPostgres();
      return { uri: pg.uri, client: await CairnClient.open(pg.uri, { artifactRoot: path.join(dir, 'pg-artifacts') }) };
    },
  });
}

const value = (list: ReadonlyArray<{ key: string; value: string | number }>, key: string) =>
  list.find((e) => e.key === key)?.value;

/** The report's CSV equals the runs the API returns: columns, then every cell. */
function expectCsvMatches(csvText: string, runs: Run[]): void {
  const rows = parse(csvText, { columns: true }) as Array<Record<string, string>>;
  const paramKeys = [...new Set(runs.flatMap((r) => r.data.params.map((p) => p.key)))].sort();
  const metricKeys = [...new Set(runs.flatMap((r) => r.data.metrics.map((m) => m.key)))].sort();
  const header = parse(csvText, { to_line: 1 })[0] as string[];
  expect(header).toEqual([
    'run_id',
    'run_name',
    'status',
    ...paramKeys.map((k) => `params.${k}`),
    ...metricKeys.map((k) => `metrics.${k}`),
  ]);
  expect(rows.map((r) => r.run_id).sort()).toEqual(runs.map((r) => r.info.runId).sort());
  for (const run of runs) {
    const row = rows.find((r) => r.run_id === run.info.runId) as Record<string, string>;
    expect(row.run_name).toBe(run.info.runName);
    expect(row.status).toBe(run.info.status);
    for (const k of paramKeys) expect(row[`params.${k}`]).toBe(value(run.data.params, k) ?? '');
    for (const k of metricKeys) {
      const v = value(run.data.metrics, k);
      expect(row[`metrics.${k}`]).toBe(v === undefined ? '' : String(v));
    }
  }
}

function expectSelfContainedHtml(html: string): void {
  expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  expect(html).not.toMatch(/https?:\/\//);
  expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(\s*['"]?(?!#)/i);
}

describe.each(backends)('cairn report on $name', (backend) => {
  let uri: string;
  let client: CairnClient;
  let runIds: string[];
  let experimentId: string;
  const experiment = `heart report ${backend.name}`;
  const out = (name: string) => path.join(dir, `${backend.name}-${name}`);

  beforeAll(async () => {
    ({ uri, client } = await backend.open());
    ({ experimentId, runIds } = await seedReportExperiment(client, experiment));
  }, TIMEOUT);
  afterAll(async () => {
    await client?.close();
  });

  it(
    'writes the CSV the API agrees with, the Markdown and the HTML, and picks the best run',
    async () => {
      const report = await runReport(client, { experiment, out: out('all') });
      const forest = runIds[1];
      expect(report.data.best.run.info.runId).toBe(forest);
      expect(report.data.ranking.direction).toBe('higher');
      expect(report.data.ranking.ranked.map((r) => r.run.info.runName)).toEqual([
        'forest',
        'logistic regression',
        'knn, "k=5"',
      ]);
      expect(report.data.ranking.missing.map((r) => r.run.info.runName)).toEqual(['crashed']);

      const apiRuns = await client.searchAllRuns([experimentId]);
      expect(apiRuns).toHaveLength(REPORT_RUNS.length);
      expectCsvMatches(readFileSync(report.files.csv, 'utf8'), apiRuns);

      const md = readFileSync(report.files.markdown, 'utf8');
      expect(md).toContain(`**forest** (run \`${forest}\`, FINISHED): \`f1_1\` = **0.86**`);
      expect(md).toContain('| n_estimators | 300 |');
      // the runs' positive_rate tag is 0.1: the summary says so, in words
      expect(md).toMatch(
        /Class 1 is 10\.0% of the data \(tag positive_rate of run forest\): the classes are imbalanced/,
      );
      expect(md).toContain('1 run has no `f1_1` and is not ranked: crashed');
      expect(md).toContain(
        'No ROC curve for 2 of 4 runs: knn, "k=5" (no plots/roc_curve.json logged); ' +
          'crashed (plots/roc_curve.json is malformed: fpr and tpr must be arrays of numbers).',
      );

      const html = readFileSync(report.files.html, 'utf8');
      expectSelfContainedHtml(html);
      // metric by run, ROC overlay, PR overlay, 2 confusion matrices, 2 params (C, max_iter; n_estimators
      // has one value among the ranked runs, model is not numeric)
      expect(html.match(/<svg /g)?.length).toBe(1 + 1 + 1 + 2 + 2);
      expect(html).toContain('f1_1 by run');
      // the legend carries each run's logged AUC
      for (const [i, name] of [
        [1, 'forest'],
        [0, 'logistic regression'],
      ] as const) {
        const roc = JSON.parse((await client.readArtifact(runIds[i], 'plots/roc_curve.json')).toString('utf8'));
        expect(html).toContain(`${name} (AUC ${roc.auc.toFixed(3)})`);
      }
      expect(html).toContain('f1_1 vs C');
      expect(html).toContain('f1_1 vs max_iter');
      expect(html).not.toContain('f1_1 vs n_estimators');
      expect(html).toContain('No ROC curve for 2 runs');
      expect(html).toContain('knn, &quot;k=5&quot;');
    },
    TIMEOUT,
  );

  it(
    'ranks by a lower-is-better metric and applies the filter through the store',
    async () => {
      const report = await runReport(client, {
        experiment,
        metric: 'log_loss',
        filter: "params.model != 'lr'",
        out: out('filtered'),
      });
      expect(report.data.ranking.direction).toBe('lower');
      expect(report.data.runs.map((r) => r.run.info.runName).sort()).toEqual(['crashed', 'forest', 'knn, "k=5"']);
      expect(report.data.best.run.info.runName).toBe('forest');
      const rows = parse(readFileSync(report.files.csv, 'utf8'), { columns: true }) as Array<Record<string, string>>;
      expect(rows).toHaveLength(3);
      expect(readFileSync(report.files.markdown, 'utf8')).toContain("matching `params.model != 'lr'`");
    },
    TIMEOUT,
  );

  it(
    'refuses an unknown experiment, an unknown metric and a bad filter with the store’s words',
    async () => {
      await expect(runReport(client, { experiment: 'no such experiment' })).rejects.toThrow(
        new UsageError(
          "--experiment: no active experiment named 'no such experiment' (list them with `cairn experiments list`).",
        ),
      );
      await expect(runReport(client, { experiment, metric: 'f2' })).rejects.toThrow(
        /^--metric: no run has the metric 'f2'; metrics logged: accuracy, f1_1, log_loss, pr_auc, roc_auc\.$/,
      );
      const err = await runReport(client, { experiment, filter: 'params.model ~ 3' }).catch((e) => e);
      expect(err).toBeInstanceOf(UsageError);
      // the store's parser (over REST: the server's error message) names the problem
      expect(err.message).toBe(
        "--filter: Invalid search expression 'params.model ~ 3': unexpected character '~' at position 13 near '~ 3'",
      );
    },
    TIMEOUT,
  );

  // a process per call is slow on a loaded machine: the SQLite file and the server cover both kinds of store
  if (backend.name === 'postgresql') return;
  it(
    'the cairn process: prints the best run, writes the files; bad input exits 2 with a message',
    async () => {
      const ok = await runCairnCli(['report', '--experiment', experiment, '--out', out('cli'), '--tracking-uri', uri]);
      expect(ok.stderr).toBe('');
      expect(ok.status).toBe(0);
      expect(ok.stdout).toContain(`Best run: forest (${runIds[1]}), f1_1 = 0.86`);
      expect(ok.stdout).toMatch(/n_estimators\s+300/);
      expect(ok.stdout).toContain(`Wrote ${path.join(out('cli'), 'report.html')}`);
      expectSelfContainedHtml(readFileSync(path.join(out('cli'), 'report.html'), 'utf8'));

      const bad = await Promise.all([
        runCairnCli(['report', '--experiment', 'nope', '--tracking-uri', uri]),
        runCairnCli(['report', '--experiment', experiment, '--metric', 'f9', '--tracking-uri', uri]),
        runCairnCli(['report', '--experiment', experiment, '--filter', 'metrics.f1_1 >>> 1', '--tracking-uri', uri]),
      ]);
      for (const r of bad) {
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/^cairn: --(experiment|metric|filter): /);
        expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      }
      expect(bad[0].stderr).toContain("no active experiment named 'nope'");
      expect(bad[1].stderr).toContain("no run has the metric 'f9'");
      expect(bad[2].stderr).toContain("--filter: Invalid search expression 'metrics.f1_1 >>> 1'");
    },
    TIMEOUT,
  );
});
