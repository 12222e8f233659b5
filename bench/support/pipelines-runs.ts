// The two sides of the pipelines benchmark as child processes, each timed from spawn to exit: the
// Python anchor (pipelines_anchor.py with MLflow's client, against the real MLflow server) and the
// built `cairn train` CLI. After each, the runs are read back from its store through CairnClient
// (it speaks to MLflow's server as well), so a side that skipped work cannot look fast.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CairnClient } from '../../src/client/cairn-client.js';
import { DEBIAN_PYTHON, mlflowPythonEnv, REPO_ROOT } from '../../test/support/cairn-server.js';

export type Phase = 'heart' | 'stroke';
export const PHASES: readonly Phase[] = ['heart', 'stroke'];
export const FAMILIES = ['lr', 'dt', 'rf', 'gbm', 'knn'] as const;

export const ANCHOR_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pipelines_anchor.py');
export const CAIRN_BIN = path.join(REPO_ROOT, 'bin', 'cairn.js');

export interface Timed {
  code: number | null;
  wallS: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion, timing it; stderr lines go to `onLine` as they come (progress),
 * stdout is kept for the JSON document at its end.
 */
export function runTimed(
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number; onLine?: (line: string) => void },
): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      const text = b.toString();
      stderr += text;
      const lines = (partial + text).split(/\r?\n|\r/);
      partial = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) opts.onLine?.(l);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 3 * 3600_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, wallS: (performance.now() - t0) / 1000, stdout, stderr });
    });
  });
}

/** The last line of stdout that parses as a JSON object (the anchor), or the whole stdout (cairn --json). */
export function parseJsonOutput(stdout: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    const last = stdout.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(last) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
}

/** What one side produced for one phase. */
export interface PhaseOutcome {
  side: string;
  phase: Phase;
  rep: number;
  wallS: number;
  ok: boolean;
  error?: string;
  /** CV ROC-AUC mean per family (heart; stroke: the baseline of the tuned family). */
  rocAuc: Record<string, number>;
  /** stroke: the best trial's CV ROC-AUC, the trial count read back from the store. */
  bestTrialRocAuc?: number;
  trials?: number;
  /** Runs read back from the store for this phase's experiment. */
  runsInStore?: number;
  /** The anchor's own phase timings (import, phase wall), for context. */
  inner?: Record<string, number>;
}

export interface AnchorPhaseOptions {
  phase: Phase;
  /** The row label in the report. */
  side: string;
  trackingUri: string;
  dataDir: string;
  cv: number;
  seed: number;
  maxEvals: number;
  tuneFamily: string;
  preset: string;
  models: string[];
  cwd: string;
  onLine?: (line: string) => void;
}

export async function runAnchorPhase(o: AnchorPhaseOptions, rep: number): Promise<PhaseOutcome & Timed> {
  const args = [
    ANCHOR_SCRIPT,
    '--tracking-uri',
    o.trackingUri,
    '--data-dir',
    o.dataDir,
    '--only',
    o.phase,
    '--models',
    o.models.join(','),
    '--cv',
    String(o.cv),
    '--seed',
    String(o.seed),
    '--max-evals',
    String(o.maxEvals),
    '--tune-family',
    o.tuneFamily,
    '--preset',
    o.preset,
  ];
  const env = { ...mlflowPythonEnv(), PYTHONUNBUFFERED: '1', MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR: 'false' };
  const t = await runTimed(DEBIAN_PYTHON, args, { env, cwd: o.cwd, onLine: o.onLine });
  const doc = parseJsonOutput(t.stdout) as AnchorDoc | undefined;
  const base = { ...t, side: o.side, phase: o.phase, rep, rocAuc: {} as Record<string, number> };
  if (t.code !== 0 || !doc?.phases?.[o.phase])
    return {
      ...base,
      ok: false,
      error: `anchor exited ${t.code}: ${t.stderr.trim().split('\n').slice(-5).join(' | ')}`,
    };
  const p = doc.phases[o.phase]!;
  const inner: Record<string, number> = { import_s: doc.import_s, phase_s: p.wall_s, total_s: doc.total_s };
  if (o.phase === 'heart') {
    for (const [f, m] of Object.entries(p.models ?? {})) base.rocAuc[f] = m.cv.roc_auc.mean;
    return { ...base, ok: true, inner };
  }
  if (p.baseline) base.rocAuc[p.family!] = p.baseline.cv.roc_auc.mean;
  inner.tuning_s = p.tuning!.wall_s;
  return { ...base, ok: true, inner, bestTrialRocAuc: p.tuning!.best.roc_auc };
}

interface AnchorDoc {
  import_s: number;
  total_s: number;
  phases: Partial<
    Record<
      Phase,
      {
        wall_s: number;
        family?: string;
        models?: Record<string, { cv: { roc_auc: { mean: number } } }>;
        baseline?: { cv: { roc_auc: { mean: number } } } | null;
        tuning?: { wall_s: number; trials: number; best: { roc_auc: number } };
      }
    >
  >;
}

/** True when the built CLI has a `train` command; else why not (the benchmark refuses to run). */
export function cairnTrainUnavailable(): string | null {
  if (!existsSync(path.join(REPO_ROOT, 'src', 'cli', 'train-command.ts')))
    return 'src/cli/train-command.ts is not in this tree';
  const r = spawnSync(process.execPath, [CAIRN_BIN, 'train', '--help'], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0 || !/--tune\b/.test(r.stdout))
    return `\`node bin/cairn.js train --help\` did not list --tune (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}`;
  return null;
}

export interface CairnPhaseOptions {
  phase: Phase;
  side: string;
  trackingUri: string;
  strokeCsv: string;
  cv: number;
  seed: number;
  maxEvals: number;
  tuneFamily: string;
  models: string[];
  cwd: string;
  onLine?: (line: string) => void;
}

/** The exact `cairn train` arguments of a phase (also printed in the report, to re-run by hand). */
export function cairnArgs(o: Omit<CairnPhaseOptions, 'side' | 'cwd' | 'onLine'>): string[] {
  const common = ['--cv', String(o.cv), '--seed', String(o.seed), '--tracking-uri', o.trackingUri];
  common.push('--no-register', '--json'); // the anchor registers nothing either
  if (o.phase === 'heart') return ['train', 'heart', '--models', o.models.join(','), ...common];
  return [
    'train',
    'stroke',
    '--data',
    o.strokeCsv,
    '--models',
    o.tuneFamily,
    '--tune',
    'tpe',
    '--max-evals',
    String(o.maxEvals),
    ...common,
  ];
}

export async function runCairnPhase(o: CairnPhaseOptions, rep: number): Promise<PhaseOutcome & Timed> {
  const env = { CAIRN_TRACKING_URI: '', MLFLOW_TRACKING_URI: '' };
  const t = await runTimed(process.execPath, [CAIRN_BIN, ...cairnArgs(o)], { env, cwd: o.cwd, onLine: o.onLine });
  const doc = parseJsonOutput(t.stdout) as CairnDoc | undefined;
  const base = { ...t, side: o.side, phase: o.phase, rep, rocAuc: {} as Record<string, number> };
  if (t.code !== 0 || !doc?.models)
    return {
      ...base,
      ok: false,
      error: `cairn train exited ${t.code}: ${t.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    };
  for (const m of doc.models) if (m.cv?.roc_auc?.mean !== undefined) base.rocAuc[m.family] = m.cv.roc_auc.mean;
  return { ...base, ok: true };
}

interface CairnDoc {
  experiment?: { id: string; name: string };
  models: Array<{ family: string; cv: { roc_auc: { mean: number } } }>;
}

/**
 * Reads a phase's runs back from a store (Cairn's or MLflow's server): how many runs the experiment
 * holds, and for stroke the trial runs (`cairn.tuning.role = 'trial'`, which both sides tag) and
 * the best one's CV ROC-AUC (`cairn.tuning.best = 'true'`).
 */
export async function readBack(trackingUri: string, experiment: string, outcome: PhaseOutcome): Promise<void> {
  const client = await CairnClient.open(trackingUri, { retry: { maxRetries: 2 } });
  try {
    const exp = await client.getExperimentByName(experiment);
    if (!exp) throw new Error(`experiment ${experiment} not found in ${trackingUri}`);
    const runs = await client.searchAllRuns([exp.experimentId]);
    outcome.runsInStore = runs.length;
    if (outcome.phase !== 'stroke') return;
    const tag = (r: (typeof runs)[number], k: string) => r.data.tags.find((t) => t.key === k)?.value;
    const trials = runs.filter((r) => tag(r, 'cairn.tuning.role') === 'trial');
    outcome.trials = trials.length;
    const best = trials.find((r) => tag(r, 'cairn.tuning.best') === 'true');
    const auc = best?.data.metrics.find((m) => m.key === 'roc_auc')?.value;
    if (auc !== undefined) outcome.bestTrialRocAuc = auc;
  } finally {
    await client.close();
  }
}

/** Writes one side's raw output of one phase under the benchmark's output folder. */
export function saveRaw(outDir: string, o: PhaseOutcome & Timed): void {
  const stem = path.join(outDir, `${o.side.replace(/[^a-z0-9]+/gi, '-')}-${o.phase}-rep${o.rep}`);
  writeFileSync(`${stem}.stdout.json`, o.stdout);
  writeFileSync(`${stem}.stderr.log`, o.stderr);
}
