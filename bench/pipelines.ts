// Pipelines benchmark: `cairn train heart` (five families, 5-fold CV, everything logged) and
// `cairn train stroke --models rf --tune tpe --max-evals 50` (nested trial runs) against the same
// work in Python (bench/support/pipelines_anchor.py: scikit-learn + XGBoost + Optuna's TPE + MLflow's
// client against the real MLflow 2.17.2 server), in the same run. Each side is timed from process
// start to exit (the interpreter's startup and imports included on both sides), then its runs are
// read back from its store. Prints Markdown for BENCHMARKS.md; raw output goes to bench/out/.
// `npm run bench -- pipelines [flags]`.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { exec, withMlflowServer } from './support/mlflow-anchor.js';
import { renderPipelines } from './support/pipelines-report.js';
import {
  ANCHOR_SCRIPT,
  cairnArgs,
  cairnTrainUnavailable,
  FAMILIES,
  PHASES,
  readBack,
  runAnchorPhase,
  runCairnPhase,
  saveRaw,
  type Phase,
  type PhaseOutcome,
  type Timed,
} from './support/pipelines-runs.js';
import {
  mlflowPythonUnavailable,
  REPO_ROOT,
  sharedDir,
  startCairnServer,
  startMlflowScript,
} from '../test/support/cairn-server.js';

const USAGE = `npm run bench -- pipelines [flags]
  --reps N               repetitions; wall time is the median (default 1)
  --only heart|stroke    one phase (default both)
  --max-evals N          TPE trials on stroke (default 50)
  --cv N                 folds (default 5)
  --seed N               seed (default 42)
  --models LIST          heart families (default lr,dt,rf,gbm,knn)
  --tune-family rf|gbm   the stroke family tuned by both sides (default rf)
  --preset cairn|baselines  anchor models: Cairn's family settings (default) or sklearn_baselines.py's
  --anchor-only          run only the Python anchor (no cairn train needed)
  --skip-anchor          Cairn only (no ratios)
  --no-server-row        no "Cairn over http" row (a cairn server on a temp SQLite store)
  --no-build             use the existing dist/ (default: npm run build first)`;

const EXPERIMENT: Record<Phase, string> = { heart: 'heart-disease', stroke: 'stroke' };
const ANCHOR = 'MLflow + Python';
const CAIRN_SQLITE = 'Cairn (SQLite file)';
const CAIRN_HTTP = 'Cairn (http server)';

const log = (msg: string) =>
  process.stderr.write(`[bench pipelines ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

export async function run(args: string[]): Promise<void> {
  const { values: o } = parseArgs({
    args,
    options: {
      reps: { type: 'string', default: '1' },
      only: { type: 'string' },
      'max-evals': { type: 'string', default: '50' },
      cv: { type: 'string', default: '5' },
      seed: { type: 'string', default: '42' },
      models: { type: 'string', default: FAMILIES.join(',') },
      'tune-family': { type: 'string', default: 'rf' },
      preset: { type: 'string', default: 'cairn' },
      'anchor-only': { type: 'boolean', default: false },
      'skip-anchor': { type: 'boolean', default: false },
      'no-server-row': { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (o.help) {
    console.log(USAGE);
    return;
  }
  const int = (name: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${v}`);
    return n;
  };
  const reps = int('reps', o.reps, 1);
  const maxEvals = int('max-evals', o['max-evals'], 1);
  const cv = int('cv', o.cv, 2);
  const seed = int('seed', o.seed, 0);
  if (o.only !== undefined && !PHASES.includes(o.only as Phase))
    throw new Error(`--only must be heart or stroke, got ${o.only}`);
  const phases = o.only ? [o.only as Phase] : [...PHASES];
  const models = o.models!.split(',');
  for (const m of models)
    if (!(FAMILIES as readonly string[]).includes(m))
      throw new Error(`--models: unknown family ${m} (known: ${FAMILIES.join(',')})`);
  const tuneFamily = o['tune-family']!;
  if (tuneFamily !== 'rf' && tuneFamily !== 'gbm')
    throw new Error(`--tune-family must be rf or gbm, got ${tuneFamily}`);
  if (o.preset !== 'cairn' && o.preset !== 'baselines')
    throw new Error(`--preset must be cairn or baselines, got ${o.preset}`);
  if (o['anchor-only'] && o['skip-anchor']) throw new Error('--anchor-only and --skip-anchor exclude each other');
  const runAnchor = !o['skip-anchor'];
  const runCairn = !o['anchor-only'];

  const dataDir = path.join(sharedDir(), 'data');
  const strokeCsv = path.join(dataDir, 'stroke.csv');
  for (const f of ['heart_disease_uci.csv', 'stroke.csv'])
    if (!existsSync(path.join(dataDir, f))) throw new Error(`${path.join(dataDir, f)} not found (set CAIRN_SHARED)`);
  if (runAnchor) {
    const why = mlflowPythonUnavailable();
    if (why) throw new Error(`the MLflow anchor is not usable: ${why} (bash ${startMlflowScript()} prepare)`);
  }
  if (runCairn) {
    if (!o['no-build']) {
      log('npm run build (the benchmark runs the built CLI, bin/cairn.js, as users do)');
      const b = await exec('npm', ['run', 'build'], {}, 900_000, REPO_ROOT);
      if (b.code !== 0) throw new Error(`npm run build failed:\n${b.out.slice(-3000)}`);
    }
    const why = cairnTrainUnavailable();
    if (why) {
      console.error(
        `cairn train is not available in this tree (${why}): the pipelines benchmark compares it with the ` +
          'Python anchor and has nothing to time without it. Run `npm run bench -- pipelines --anchor-only` for the anchor alone.',
      );
      process.exitCode = 2;
      return;
    }
  }

  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const outDir = path.join(REPO_ROOT, 'bench', 'out', `pipelines-${stamp}`);
  mkdirSync(outDir, { recursive: true });
  log(`output in ${path.relative(REPO_ROOT, outDir)}; load ${loadavg()}`);
  const tty = process.stderr.isTTY === true;
  const progress = (label: string) => (line: string) => {
    if (tty) process.stderr.write(`    [${label}] ${line}\n`);
  };
  const outcomes: PhaseOutcome[] = [];
  const record = (res: PhaseOutcome & Timed) => {
    saveRaw(outDir, res);
    const { stdout: _o, stderr: _e, code: _c, ...kept } = res;
    outcomes.push(kept);
    log(
      `${res.side} ${res.phase} rep ${res.rep}: ${res.ok ? `${res.wallS.toFixed(1)} s` : `FAILED ${res.error}`} (load ${loadavg()})`,
    );
  };
  const common = { cv, seed, maxEvals, tuneFamily, models, dataDir, strokeCsv };

  for (let rep = 1; rep <= reps; rep++) {
    if (runAnchor) {
      await withMlflowServer('cairn-bench-pipelines-mlflow-', async (url) => {
        for (const phase of phases) {
          const cwd = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-pipelines-py-'));
          try {
            log(`anchor ${phase} rep ${rep} against MLflow at ${url}`);
            const res = await runAnchorPhase(
              {
                ...common,
                phase,
                side: ANCHOR,
                trackingUri: url,
                preset: o.preset!,
                cwd,
                onLine: progress(`anchor ${phase}`),
              },
              rep,
            );
            if (res.ok) await readBack(url, EXPERIMENT[phase], res);
            record(res);
          } finally {
            rmSync(cwd, { recursive: true, force: true });
          }
        }
      });
    }
    if (runCairn) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-pipelines-'));
      try {
        const uri = `sqlite:///${path.join(dir, 'cairn.db')}`;
        for (const phase of phases) {
          log(`${CAIRN_SQLITE} ${phase} rep ${rep}`);
          const res = await runCairnPhase(
            { ...common, phase, side: CAIRN_SQLITE, trackingUri: uri, cwd: dir, onLine: progress(`cairn ${phase}`) },
            rep,
          );
          if (res.ok) await readBack(uri, EXPERIMENT[phase], res);
          record(res);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      if (!o['no-server-row']) {
        const server = await startCairnServer();
        const cwd = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-pipelines-cwd-'));
        try {
          for (const phase of phases) {
            log(`${CAIRN_HTTP} ${phase} rep ${rep} against ${server.url}`);
            const res = await runCairnPhase(
              {
                ...common,
                phase,
                side: CAIRN_HTTP,
                trackingUri: server.url,
                cwd,
                onLine: progress(`cairn http ${phase}`),
              },
              rep,
            );
            if (res.ok) await readBack(server.url, EXPERIMENT[phase], res);
            record(res);
          }
        } finally {
          await server.stop();
          server.cleanup();
          rmSync(cwd, { recursive: true, force: true });
        }
      }
    }
  }

  const sides = [
    ...(runAnchor ? [ANCHOR] : []),
    ...(runCairn ? [CAIRN_SQLITE, ...(o['no-server-row'] ? [] : [CAIRN_HTTP])] : []),
  ];
  const anchorCmd = (phase: Phase) =>
    `eval "$(bash $CAIRN_SHARED/anchors/mlflow/start_mlflow.sh env)"; ` +
    `/usr/bin/python3 ${path.relative(REPO_ROOT, ANCHOR_SCRIPT)} --tracking-uri http://127.0.0.1:PORT --data-dir $CAIRN_SHARED/data ` +
    `--only ${phase} --models ${models.join(',')} --cv ${cv} --seed ${seed} --max-evals ${maxEvals} --tune-family ${tuneFamily} --preset ${o.preset}`;
  const commands = [
    `npm run bench -- pipelines ${args.join(' ')}`.trimEnd(),
    'bash $CAIRN_SHARED/anchors/mlflow/start_mlflow.sh start PORT   # MLFLOW_DATA=<fresh dir>',
    ...phases.map(anchorCmd),
    ...phases.map(
      (phase) =>
        `node bin/cairn.js ${cairnArgs({ ...common, phase, trackingUri: 'sqlite:////tmp/x/cairn.db', strokeCsv: '$CAIRN_SHARED/data/stroke.csv' }).join(' ')}`,
    ),
  ];
  const notes = [
    `anchor: Debian's /usr/bin/python3 with scikit-learn, XGBoost, Optuna's TPESampler(seed=${seed}) and MLflow 2.17.2's client against a fresh MLflow server (SQLite, artifacts proxied, its default gunicorn workers); preset \`${o.preset}\` (${o.preset === 'cairn' ? "Cairn's family hyper-parameters and data handling, so the ROC-AUC compares like with like" : 'sklearn_baselines.py as written'})`,
    `Cairn: \`node bin/cairn.js\` (built JS), a fresh SQLite file per repetition${o['no-server-row'] ? '' : ', and a `cairn server` on a fresh SQLite store over loopback http'}; \`--no-register\` (the anchor registers nothing)`,
    `stroke on both sides: the ${tuneFamily} baseline run, then ${maxEvals} TPE trials as nested runs under one parent, each trial a ${cv}-fold CV`,
    'servers are started before the clock starts and stopped after it stops',
  ];
  const md = renderPipelines({
    startedAt: startedAt.toISOString().replace('T', ' ').slice(0, 16),
    machine: `${os.cpus().length} CPUs \`${os.cpus()[0]?.model ?? '?'}\`, load average at the end ${loadavg()}, Node ${process.version}`,
    reps,
    phases,
    sides,
    hasAnchor: runAnchor,
    outcomes,
    commands,
    notes,
  });
  writeFileSync(path.join(outDir, 'outcomes.json'), JSON.stringify(outcomes, null, 2));
  writeFileSync(path.join(outDir, 'pipelines.md'), md);
  console.log(md);
  if (outcomes.some((x) => !x.ok)) process.exitCode = 1;
}

function loadavg(): string {
  return os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}
