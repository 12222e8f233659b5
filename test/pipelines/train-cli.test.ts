// `cairn train` as a user runs it (a child process): the --json document, a generic CSV with inferred
// column types, and refusals — each kind of bad CSV, a bad flag, a bad tuning study — exiting 2 with a message
// and leaving the store exactly as it was.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient } from '../../src/client/cairn-client.js';
import { bundledHeartPath } from '../../src/pipelines/data-source.js';
import { UsageError } from '../../src/cli/cli-client.js';
import { trainCommand } from '../../src/cli/train-command.js';
import { runCairnCli } from '../support/cairn-cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cairn-train-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const STORE = `sqlite:///${tmp}/cli.db`;
const HEART_LINES = readFileSync(bundledHeartPath(), 'utf8').trimEnd().split('\n');

function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
}

function heartWith(row: number, column: string, value: string): string {
  const j = HEART_LINES[0].split(',').indexOf(column);
  const lines = [...HEART_LINES];
  const cells = lines[row].split(',');
  cells[j] = value;
  lines[row] = cells.join(',');
  return `${lines.join('\n')}\n`;
}

/** Everything a refused command could have written: experiments, runs, registered versions. */
async function storeSnapshot(): Promise<string> {
  const client = await CairnClient.open(STORE);
  try {
    const experiments = (await client.searchExperiments({ maxResults: 1000 })).items.map((e) => e.name).sort();
    const ids = (await client.searchExperiments({ maxResults: 1000 })).items.map((e) => e.experimentId);
    const runs = (await client.searchAllRuns(ids)).map((r) => r.info.runId).sort();
    const versions = (await client.registry.searchModelVersions({ maxResults: 1000 })).items.map(
      (v) => `${v.name}/${v.version}/${v.currentStage}`,
    );
    return JSON.stringify({ experiments, runs, versions });
  } finally {
    await client.close();
  }
}

/** Runs `cairn train ARGS` through the command's parser in this process; returns what it threw. */
async function inProcess(args: string[]): Promise<{ error: unknown; stderr: string }> {
  let stderr = '';
  const cmd = trainCommand()
    .exitOverride()
    .configureOutput({
      writeErr: (s) => {
        stderr += s;
      },
      writeOut: () => undefined,
    });
  try {
    await cmd.parseAsync(args, { from: 'user' });
    return { error: null, stderr };
  } catch (err) {
    return { error: err, stderr: `${stderr}${(err as Error).message}` };
  }
}

let trained: { status: number | null; stdout: string; stderr: string };
beforeAll(async () => {
  trained = await runCairnCli(['train', 'heart', '--models', 'lr,dt', '--cv', '3', '--json', '--tracking-uri', STORE]);
});

describe('cairn train heart --json', () => {
  it('prints one document: per model CV mean and std of six metrics, the run id, and what was registered', () => {
    expect(trained.stderr).toMatch(/\[2\/2\] dt done/);
    expect(trained.status).toBe(0);
    const doc = JSON.parse(trained.stdout);
    expect(doc.dataset).toMatchObject({ name: 'heart', rows: 920, positives: 509, target: 'num' });
    expect(doc.selection_metric).toBe('roc_auc');
    expect(doc.models.map((m: { family: string }) => m.family)).toEqual(['lr', 'dt']);
    for (const m of doc.models) {
      expect(m.run_id).toMatch(/^[0-9a-f]{32}$/);
      expect(Object.keys(m.cv).sort()).toEqual(['accuracy', 'f1_1', 'pr_auc', 'precision_1', 'recall_1', 'roc_auc']);
      for (const v of Object.values(m.cv) as { mean: number; std: number }[]) {
        expect(v.mean).toBeGreaterThan(0);
        expect(v.std).toBeGreaterThanOrEqual(0);
      }
    }
    expect(doc.registered).toMatchObject({
      name: 'heart-disease',
      version: '1',
      stage: 'Staging',
      policy_passed: false,
      policy_source: 'default',
      champion: true,
    });
    expect(doc.registered.failing_criteria.length).toBeGreaterThan(0);
  });
});

describe('refusals exit 2 with a message and leave the store unchanged', () => {
  const cases: Array<{ kind: string; args: () => string[]; message: RegExp }> = [
    {
      kind: 'missing column',
      args: () => [
        'heart',
        '--data',
        file('no-age.csv', `${HEART_LINES.join('\n').replace(/^id,age,/, 'id,years,')}\n`),
      ],
      message: /no-age\.csv: column "age" \(a numeric feature\) is missing/,
    },
    {
      kind: 'mistyped column',
      args: () => ['heart', '--data', file('bad-chol.csv', heartWith(9, 'chol', 'high'))],
      message: /bad-chol\.csv: line 10, column "chol" \(\d+\): "high" is not a number/,
    },
    {
      kind: 'unknown target value',
      args: () => ['heart', '--data', file('bad-num.csv', heartWith(4, 'num', 'sick'))],
      message: /bad-num\.csv: column "num", data row 4: "sick" is not a known target value/,
    },
    {
      kind: 'empty file',
      args: () => ['--data', file('empty.csv', ''), '--target', 'y'],
      message: /empty\.csv: the file is empty/,
    },
    {
      kind: 'malformed file',
      args: () => ['--data', file('quote.csv', 'a,b,y\n1,"open,1\n2,3,0\n'), '--target', 'y'],
      message: /quote\.csv: line 2, column 2: quote opened here is never closed/,
    },
    {
      kind: 'generic target column missing',
      args: () => ['--data', bundledHeartPath(), '--target', 'outcome'],
      message: /column "outcome" \(the target\) is missing/,
    },
    {
      kind: '--study-uri that is not a database',
      args: () => ['heart', '--tune', 'tpe', '--study', 's1', '--study-uri', 'http://example.org'],
      message: /--study-uri must be a database URI/,
    },
    {
      kind: 'a generic flag on heart',
      args: () => ['heart', '--target', 'num'],
      message: /--target is for a generic CSV; heart has a fixed schema/,
    },
    { kind: 'unknown family', args: () => ['heart', '--models', 'lr,svm'], message: /unknown model family 'svm'/ },
  ];

  // in-process through the command's own parser (what main.ts turns into exit status 2), to keep the
  // suite fast; the two cases after this run the real binary and check the status itself
  it.each(cases)('$kind', async ({ args, message }) => {
    const before = await storeSnapshot();
    const { error, stderr } = await inProcess([...args(), '--tracking-uri', STORE]);
    const usage = error instanceof UsageError || (error instanceof CommanderError && error.exitCode !== 0);
    expect(usage, String(error)).toBe(true);
    expect(stderr).toMatch(message);
    expect(await storeSnapshot()).toBe(before);
  });

  it.each([
    ['mistyped column', ['heart', '--data', 'binary-chol.csv'], /binary-chol\.csv: line 10, column "chol"/],
    ['--study without --tune', ['heart', '--study', 'random'], /--study and --study-uri need --tune/],
  ])('the binary exits 2 without a stack trace: %s', async (_kind, args, message) => {
    file('binary-chol.csv', heartWith(9, 'chol', 'high'));
    const before = await storeSnapshot();
    const res = await runCairnCli([
      'train',
      ...args.map((a) => (a.endsWith('.csv') ? path.join(tmp, a) : a)),
      '--tracking-uri',
      STORE,
    ]);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.status).toBe(2);
    expect(await storeSnapshot()).toBe(before);
  });

  it('a refused command does not even create the store', async () => {
    const fresh = path.join(tmp, 'never.db');
    const { error } = await inProcess([
      'heart',
      '--data',
      path.join(tmp, 'empty.csv'),
      '--tracking-uri',
      `sqlite:///${fresh}`,
    ]);
    expect(error).toBeInstanceOf(UsageError);
    expect(existsSync(fresh)).toBe(false);
  });

  it('stroke without --data, a cached copy or a URL says what to do', async () => {
    const saved = { cache: process.env.CAIRN_CACHE_DIR, url: process.env.CAIRN_STROKE_URL };
    process.env.CAIRN_CACHE_DIR = path.join(tmp, 'no-cache');
    delete process.env.CAIRN_STROKE_URL;
    try {
      const { error } = await inProcess(['stroke', '--tracking-uri', STORE]);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(/not bundled .*--data FILE/s);
    } finally {
      if (saved.cache === undefined) delete process.env.CAIRN_CACHE_DIR;
      else process.env.CAIRN_CACHE_DIR = saved.cache;
      if (saved.url !== undefined) process.env.CAIRN_STROKE_URL = saved.url;
    }
  });
});

describe('a generic CSV', () => {
  it('trains with a text target, prints the inferred column types, registers under its name', async () => {
    const header = `${HEART_LINES[0]},disease`;
    const rows = HEART_LINES.slice(1).map((l) => `${l},${Number(l.split(',').at(-1)) > 0 ? 'yes' : 'no'}`);
    const csv = file('clinic.csv', `${[header, ...rows].join('\n')}\n`);
    const res = await runCairnCli([
      'train',
      '--data',
      csv,
      '--target',
      'disease',
      '--positive',
      'yes',
      '--drop',
      'id,dataset,num',
      '--models',
      'lr',
      '--cv',
      '3',
      '--tracking-uri',
      STORE,
    ]);
    expect(res.stderr).toMatch(/\[1\/1\] lr done/);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/column types inferred: age=numeric, sex=categorical/);
    expect(res.stdout).toMatch(/target disease == "yes"/);
    expect(res.stdout).toMatch(
      /Registered: clinic v1 \(lr, run [0-9a-f]{32}\) → Staging, checked against no Production policy/,
    );
  });
});
