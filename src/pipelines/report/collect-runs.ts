// Reads what a report needs through the one store contract (CairnClient over REST or a database):
// the experiment by name, every run matching the filter (all pages), and each run's logged curve
// and confusion-matrix points (plots/*.json, written by renderEvaluationPlots).
import type { CairnClient } from '../../client/cairn-client.js';
import { CairnError } from '../../core/errors.js';
import type { Experiment, Run } from '../../tracking/entities.js';
import {
  type ConfusionMatrixJson,
  PLOT_PATHS,
  type PrCurveJson,
  type RocCurveJson,
} from '../charts/evaluation-plots.js';

/** Bad input from the user (unknown experiment or metric, a filter the store refuses): exit status 2. */
export class ReportInputError extends Error {}

/** A logged plot file: its parsed points, or why there are none. */
export type Logged<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface ReportRun {
  run: Run;
  roc: Logged<RocCurveJson>;
  pr: Logged<PrCurveJson>;
  confusion: Logged<ConfusionMatrixJson>;
}

export interface CollectedRuns {
  experiment: Experiment;
  runs: ReportRun[];
}

const PAGE_SIZE = 1000;
/** Artifact reads in flight at once (each a file read or an HTTP GET). */
const CONCURRENCY = 8;

const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');

/** Shape checks: a malformed file is reported in the report, never drawn. */
const validators = {
  roc(v: unknown): string | null {
    const o = v as Partial<RocCurveJson>;
    if (!isNumberArray(o?.fpr) || !isNumberArray(o?.tpr)) return 'fpr and tpr must be arrays of numbers';
    if (o.fpr.length !== o.tpr.length) return `fpr has ${o.fpr.length} values but tpr has ${o.tpr.length}`;
    if (o.fpr.length < 2) return 'fewer than 2 points';
    if (typeof o.auc !== 'number') return 'auc must be a number';
    return null;
  },
  pr(v: unknown): string | null {
    const o = v as Partial<PrCurveJson>;
    if (!isNumberArray(o?.precision) || !isNumberArray(o?.recall))
      return 'precision and recall must be arrays of numbers';
    if (o.precision.length !== o.recall.length) return 'precision and recall differ in length';
    if (typeof o.average_precision !== 'number') return 'average_precision must be a number';
    if (typeof o.positive_rate !== 'number') return 'positive_rate must be a number';
    return null;
  },
  confusion(v: unknown): string | null {
    const o = v as Partial<ConfusionMatrixJson>;
    if (!Array.isArray(o?.labels) || !o.labels.every((l) => typeof l === 'string')) return 'labels must be strings';
    const k = o.labels.length;
    if (!Array.isArray(o.matrix) || o.matrix.length !== k || !o.matrix.every((r) => isNumberArray(r) && r.length === k))
      return `matrix must be ${k}×${k} numbers`;
    return null;
  },
};

async function readLogged<T>(
  client: CairnClient,
  runId: string,
  present: Set<string>,
  path: string,
  validate: (v: unknown) => string | null,
): Promise<Logged<T>> {
  if (!present.has(path)) return { ok: false, reason: `no ${path} logged` };
  try {
    const value: unknown = JSON.parse((await client.readArtifact(runId, path)).toString('utf8'));
    const problem = validate(value);
    return problem ? { ok: false, reason: `${path} is malformed: ${problem}` } : { ok: true, value: value as T };
  } catch (err) {
    return { ok: false, reason: `${path} could not be read: ${(err as Error).message}` };
  }
}

async function readPlots(client: CairnClient, run: Run): Promise<ReportRun> {
  const runId = run.info.runId;
  let present = new Set<string>();
  try {
    const files = await client.listArtifacts(runId, 'plots');
    // Repositories list paths relative to the run's root; keep only the file name's place under plots/.
    present = new Set(files.filter((f) => !f.isDir).map((f) => `plots/${f.path.split('/').pop()}`));
  } catch (err) {
    const reason = `its artifacts could not be listed: ${(err as Error).message}`;
    return { run, roc: { ok: false, reason }, pr: { ok: false, reason }, confusion: { ok: false, reason } };
  }
  const [roc, pr, confusion] = await Promise.all([
    readLogged<RocCurveJson>(client, runId, present, `${PLOT_PATHS.roc}.json`, validators.roc),
    readLogged<PrCurveJson>(client, runId, present, `${PLOT_PATHS.pr}.json`, validators.pr),
    readLogged<ConfusionMatrixJson>(client, runId, present, `${PLOT_PATHS.confusionMatrix}.json`, validators.confusion),
  ]);
  return { run, roc, pr, confusion };
}

/** Maps over items with at most `limit` promises pending, keeping the order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function collectRuns(
  client: CairnClient,
  options: { experiment: string; filter?: string; onProgress?: (done: number, total: number) => void },
): Promise<CollectedRuns> {
  const experiment = await client.getExperimentByName(options.experiment);
  if (!experiment || experiment.lifecycleStage !== 'active') {
    throw new ReportInputError(
      `--experiment: no active experiment named '${options.experiment}' (list them with \`cairn experiments list\`).`,
    );
  }
  let runs: Run[];
  try {
    runs = await client.searchAllRuns([experiment.experimentId], {
      filter: options.filter || undefined,
      maxResults: PAGE_SIZE,
      orderBy: ['attributes.start_time ASC'],
    });
  } catch (err) {
    // The store's own parser names what is wrong with the filter; pass its words on.
    if (err instanceof CairnError && err.errorCode === 'INVALID_PARAMETER_VALUE' && options.filter)
      throw new ReportInputError(`--filter: ${err.message}`);
    throw err;
  }
  let done = 0;
  const withPlots = await mapLimited(runs, CONCURRENCY, async (run) => {
    const r = await readPlots(client, run);
    options.onProgress?.(++done, runs.length);
    return r;
  });
  return { experiment, runs: withPlots };
}
