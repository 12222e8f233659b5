// What a test needs from the machine beyond Node (Debian's Python libraries, the MLflow anchor, the
// shared data, PostgreSQL), each with a check and the exact command that provides it. A test file
// skips with `describe.skipIf(lacks('sklearn'))(…)`; `lacks` records the skip in the run's skip
// log, and the skip reporter (test/support/skip-reporter.ts) prints each missing requirement with its
// command in the run's summary, and fails the run when CI=true (CI must run every test).
import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { cairnSupportsWorkers, mlflowPythonUnavailable, startMlflowScript } from './cairn-server.js';
import { PG_BIN } from './postgres.js';
import { pythonImportError } from './python.js';
import { sharedDir, sharedPath } from './shared.js';
import { SKIP_LOG_ENV, type SkipRecord } from './skip-reporter.js';

export type Requirement =
  | 'sklearn'
  | 'xgboost'
  | 'imblearn'
  | 'mlflow-python'
  | 'shared-data'
  | 'postgres'
  | 'chromium'
  | 'cairn-workers'
  | 'scipy'
  | 'prometheus'
  | 'docker-compose';

/** Debian's Chromium, which the UI tests drive through playwright-core. */
export const CHROMIUM_PATH = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium';

/** Debian's Prometheus and its promtool, for the alert-rule tests and the monitoring integration test. */
export const PROMETHEUS_PATH = process.env.CAIRN_PROMETHEUS ?? '/usr/bin/prometheus';
export const PROMTOOL_PATH = process.env.CAIRN_PROMTOOL ?? '/usr/bin/promtool';
/** Debian's docker-compose, which checks a compose file (`docker-compose config`) without an engine. */
export const DOCKER_COMPOSE_PATH = process.env.CAIRN_DOCKER_COMPOSE ?? '/usr/bin/docker-compose';

interface RequirementSpec {
  /** Null when the machine has it, else why not. */
  check(): string | null;
  /** The exact command (or setting) that provides it. */
  enable(): string;
}

function sharedFolderCommand(): string {
  return `put the shared folder at ${sharedDir()} or set CAIRN_SHARED=/path/to/shared`;
}

function postgresUnavailable(): string | null {
  if (process.env.CAIRN_TEST_PG_URI) return null;
  if (!existsSync(path.join(PG_BIN, 'initdb'))) return `${PG_BIN}/initdb not found`;
  // test/support/postgres.ts runs initdb and pg_ctl as the postgres user through runuser.
  if (process.getuid?.() !== 0) return 'starting a throwaway PostgreSQL needs root (runuser -u postgres)';
  return null;
}

const REQUIREMENTS: Record<Requirement, RequirementSpec> = {
  sklearn: {
    check: () => pythonImportError('sklearn'),
    enable: () => 'apt-get install -y python3-sklearn python3-pandas',
  },
  xgboost: { check: () => pythonImportError('xgboost'), enable: () => 'apt-get install -y python3-xgboost' },
  imblearn: { check: () => pythonImportError('imblearn'), enable: () => 'apt-get install -y python3-imblearn' },
  'mlflow-python': {
    check: mlflowPythonUnavailable,
    enable: () =>
      existsSync(startMlflowScript())
        ? `bash ${startMlflowScript()} prepare`
        : `${sharedFolderCommand()}, then bash ${startMlflowScript()} prepare`,
  },
  'shared-data': {
    check: () => (existsSync(sharedPath('data')) ? null : `${sharedPath('data')} not found`),
    enable: sharedFolderCommand,
  },
  chromium: {
    check: () => (existsSync(CHROMIUM_PATH) ? null : `${CHROMIUM_PATH} not found`),
    enable: () => 'apt-get install -y chromium (or set CAIRN_CHROMIUM=/path/to/chromium)',
  },
  'cairn-workers': {
    check: () => (cairnSupportsWorkers() ? null : '`cairn server --help` lists no --workers option'),
    enable: () => 'run the tests on a checkout whose `cairn server` has --workers (src/cli/server-command.ts)',
  },
  scipy: { check: () => pythonImportError('scipy'), enable: () => 'apt-get install -y python3-scipy python3-numpy' },
  prometheus: {
    check: () => (existsSync(PROMETHEUS_PATH) && existsSync(PROMTOOL_PATH) ? null : `${PROMETHEUS_PATH} not found`),
    enable: () => 'apt-get install -y prometheus (it provides prometheus and promtool)',
  },
  'docker-compose': {
    check: () => (existsSync(DOCKER_COMPOSE_PATH) ? null : `${DOCKER_COMPOSE_PATH} not found`),
    enable: () => 'apt-get install -y docker-compose (validating a compose file needs no Docker engine)',
  },
  postgres: {
    check: postgresUnavailable,
    enable: () => 'apt-get install -y postgresql and run the tests as root, or set CAIRN_TEST_PG_URI=postgresql://…',
  },
};

const checked = new Map<Requirement, string | null>();
const warned = new Set<Requirement>();

/** Null when the machine meets the requirement, else why not (checked once per test file). */
export function unmetReason(name: Requirement): string | null {
  if (!checked.has(name)) checked.set(name, REQUIREMENTS[name].check());
  return checked.get(name) ?? null;
}

/** The exact command (or setting) that provides a requirement. */
export function enableCommand(name: Requirement): string {
  return REQUIREMENTS[name].enable();
}

function currentTestFile(): string {
  return expect.getState().testPath ?? 'unknown test file';
}

/**
 * True when this machine lacks any of `names`; then it says so on stderr and records the
 * skip for the run's summary. Use it as the condition of `describe.skipIf` / `it.skipIf`.
 */
export function lacks(...names: Requirement[]): boolean {
  let any = false;
  for (const name of names) {
    const reason = unmetReason(name);
    if (reason === null) continue;
    any = true;
    if (warned.has(name)) continue;
    warned.add(name);
    const record: SkipRecord = { requirement: name, reason, enable: enableCommand(name), file: currentTestFile() };
    console.warn(`SKIP ${path.basename(record.file)}: needs ${name} (${reason}); to enable: ${record.enable}`);
    const log = process.env[SKIP_LOG_ENV];
    if (log) appendFileSync(log, `${JSON.stringify(record)}\n`);
  }
  return any;
}
