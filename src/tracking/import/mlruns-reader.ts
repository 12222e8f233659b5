// Reads an MLflow file store (`mlruns/`, what MLflow writes with no tracking server): experiments
// from `<id>/meta.yaml` (deleted ones under `.trash/`), their tags, and each run's meta.yaml,
// params, tags and full metric histories. Runs are read one at a time, so a large store is never
// held in memory. Nothing here writes.
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { InvalidParameter } from '../../core/errors.js';
import type { DatasetInput, Metric, RunStatus, Tag } from '../entities.js';
import type { ImportedRun } from '../store.js';

export interface MlrunsExperiment {
  /** The id in the file store (not kept: the target store numbers its own). */
  sourceId: string;
  name: string;
  lifecycleStage: 'active' | 'deleted';
  tags: Tag[];
  /** The experiment's directory. */
  dir: string;
}

/** A run as the file store holds it: what `importRun` takes, less where it goes. */
export interface MlrunsRun extends Omit<ImportedRun, 'experimentId' | 'artifactUri' | 'deletedTime' | 'inputs'> {
  inputs: DatasetInput[];
  deletedTime: number | null;
  /** The run's artifact URI in the file store (usually file:///…/artifacts). */
  artifactUri: string | null;
  dir: string;
}

/** A run directory that could not be read, with the reason. */
export interface UnreadableRun {
  dir: string;
  reason: string;
}

// MLflow's RunStatus enum as the file store writes it (an int in meta.yaml)
const STATUS_BY_NUMBER: Record<number, RunStatus> = {
  1: 'RUNNING',
  2: 'SCHEDULED',
  3: 'FINISHED',
  4: 'FAILED',
  5: 'KILLED',
};
const STATUS_NAMES = new Set<string>(Object.values(STATUS_BY_NUMBER));
/** Directories inside an experiment that are not runs. */
const NOT_RUN_DIRS = new Set(['tags', 'datasets', 'traces']);

/** `file:./mlruns`, `file:///abs/mlruns` or a plain path → the directory, checked to look like a file store. */
export function mlrunsRoot(source: string): string {
  let dir: string;
  if (source.startsWith('file://')) dir = fileURLToPath(source);
  else if (source.startsWith('file:')) dir = path.resolve(source.slice('file:'.length));
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    throw new InvalidParameter(
      `'${source}' is not an MLflow file store: give a directory such as ./mlruns or file:./mlruns.`,
    );
  } else dir = path.resolve(source);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new InvalidParameter(`MLflow file store '${source}' is not a directory.`);
  return dir;
}

/**
 * A meta.yaml as PyYAML wrote it. PyYAML quotes strings by YAML 1.1's rules, so it leaves some that
 * YAML 1.2 reads as numbers unquoted (`digest: 1e512345`): every scalar is taken as written
 * (failsafe schema), and the typed reading (core schema) only tells which ones are null.
 */
export class MetaFile {
  constructor(
    private readonly typed: Record<string, unknown>,
    private readonly text: Record<string, unknown>,
  ) {}

  has(key: string): boolean {
    return this.typed[key] !== undefined && this.typed[key] !== null;
  }

  string(key: string): string | null {
    const v = this.text[key];
    return this.has(key) && typeof v === 'string' ? v : null;
  }

  integer(key: string): number | null {
    const v = this.string(key);
    const n = v === null || v.trim() === '' ? NaN : Number(v);
    return Number.isSafeInteger(n) ? n : null;
  }

  /** A mapping of scalars (input tags), nulls left out. */
  strings(key: string): Array<[string, string]> {
    const typed = this.typed[key];
    const text = this.text[key];
    if (
      typed === null ||
      typeof typed !== 'object' ||
      Array.isArray(typed) ||
      text === null ||
      typeof text !== 'object'
    )
      return [];
    return Object.entries(text as Record<string, unknown>).filter(
      ([k, v]) => typeof v === 'string' && (typed as Record<string, unknown>)[k] !== null,
    ) as Array<[string, string]>;
  }
}

export async function readMeta(file: string): Promise<MetaFile | null> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const typed: unknown = parseYaml(source, { schema: 'core', maxAliasCount: 0 });
  const text: unknown = parseYaml(source, { schema: 'failsafe', maxAliasCount: 0 });
  return isMap(typed) && isMap(text) ? new MetaFile(typed, text) : null;
}

export async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/**
 * Files under dir as [key, absolute path]; a key with '/' is stored as nested directories. A link to
 * a file counts as that file (metadata-confinement.ts has refused links leading out of the tree);
 * a link to a directory is not entered, so a link cycle cannot loop.
 */
async function keyedFiles(dir: string, prefix = ''): Promise<Array<[string, string]>> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: Array<[string, string]> = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await keyedFiles(full, `${prefix}${e.name}/`)));
    else if (e.isFile() || (e.isSymbolicLink() && (await stat(full).catch(() => undefined))?.isFile()))
      out.push([`${prefix}${e.name}`, full]);
  }
  return out;
}

export async function keyValues(dir: string): Promise<Array<{ key: string; value: string }>> {
  const out: Array<{ key: string; value: string }> = [];
  for (const [key, file] of await keyedFiles(dir)) out.push({ key, value: await readFile(file, 'utf8') });
  return out;
}

/** Python's float repr as the file store writes it: 'nan', 'inf', '-inf' or a decimal. */
function pythonFloat(text: string): number {
  const t = text.toLowerCase();
  if (t === 'nan') return NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  const v = Number(text);
  if (text === '' || Number.isNaN(v)) throw new Error(`'${text}' is not a number`);
  return v;
}

/** One metric file: a line per point, `timestamp value [step]`. */
export function parseMetricLines(key: string, text: string): Metric[] {
  const out: Metric[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const parts = line.trim().split(/\s+/);
    if (parts.length < 2 || parts.length > 3)
      throw new Error(`metric '${key}' line ${i + 1}: expected 'timestamp value [step]', got '${line}'`);
    const timestamp = Number(parts[0]);
    const step = parts.length === 3 ? Number(parts[2]) : 0;
    if (!Number.isSafeInteger(timestamp) || !Number.isSafeInteger(step))
      throw new Error(`metric '${key}' line ${i + 1}: timestamp and step must be integers, got '${line}'`);
    out.push({ key, value: pythonFloat(parts[1]), timestamp, step });
  }
  return out;
}

function lifecycle(v: unknown): 'active' | 'deleted' {
  return v === 'deleted' ? 'deleted' : 'active';
}

/** The experiments of the store, active ones first, each with its tags. */
export async function readExperiments(root: string): Promise<MlrunsExperiment[]> {
  const out: MlrunsExperiment[] = [];
  for (const [base, trashed] of [
    [root, false],
    [path.join(root, '.trash'), true],
  ] as const) {
    for (const name of await subdirs(base)) {
      if (name.startsWith('.') || (!trashed && name === 'models')) continue;
      const dir = path.join(base, name);
      const meta = await readMeta(path.join(dir, 'meta.yaml'));
      const experimentName = meta?.string('name');
      if (!meta || !experimentName || !meta.has('experiment_id')) continue;
      out.push({
        sourceId: meta.string('experiment_id') ?? name,
        name: experimentName,
        lifecycleStage: trashed ? 'deleted' : lifecycle(meta.string('lifecycle_stage')),
        tags: await keyValues(path.join(dir, 'tags')),
        dir,
      });
    }
  }
  return out;
}

/** The run directories of an experiment (each holding a meta.yaml). */
export async function runDirs(experiment: MlrunsExperiment): Promise<string[]> {
  const out: string[] = [];
  for (const name of await subdirs(experiment.dir)) {
    if (NOT_RUN_DIRS.has(name)) continue;
    if (existsSync(path.join(experiment.dir, name, 'meta.yaml'))) out.push(path.join(experiment.dir, name));
  }
  return out;
}

/** Reads one run directory; throws with the reason when it is not a readable run. */
export async function readRun(dir: string): Promise<MlrunsRun> {
  const meta = await readMeta(path.join(dir, 'meta.yaml'));
  if (!meta) throw new Error('meta.yaml is missing or not a YAML mapping');
  // the directory is named by the run id; YAML could read an all-digit id as a (rounded) number
  const runId = path.basename(dir);
  const metaId = meta.string('run_id') ?? meta.string('run_uuid');
  if (metaId !== null && metaId !== runId)
    throw new Error(`meta.yaml names run ${metaId}, but the directory is ${runId}`);
  const rawStatus = meta.string('status') ?? '';
  const status = /^\d+$/.test(rawStatus)
    ? STATUS_BY_NUMBER[Number(rawStatus)]
    : STATUS_NAMES.has(rawStatus)
      ? (rawStatus as RunStatus)
      : undefined;
  if (!status) throw new Error(`unknown run status ${rawStatus === '' ? '(none)' : rawStatus}`);
  const tags = await keyValues(path.join(dir, 'tags'));
  const metrics: Metric[] = [];
  for (const [key, file] of await keyedFiles(path.join(dir, 'metrics')))
    metrics.push(...parseMetricLines(key, await readFile(file, 'utf8')));
  const runName = meta.string('run_name') || tags.find((t) => t.key === 'mlflow.runName')?.value || runId;
  return {
    runId,
    runName,
    userId: meta.string('user_id') ?? '',
    status,
    startTime: meta.integer('start_time'),
    endTime: meta.integer('end_time'),
    lifecycleStage: lifecycle(meta.string('lifecycle_stage')),
    deletedTime: meta.integer('deleted_time'),
    artifactUri: meta.string('artifact_uri'),
    params: await keyValues(path.join(dir, 'params')),
    tags,
    metrics,
    inputs: await readInputs(dir),
    dir,
  };
}

/** The run's dataset inputs: `<run>/inputs/<id>/meta.yaml`, each naming `<experiment>/datasets/<id>/meta.yaml`. */
async function readInputs(runDir: string): Promise<DatasetInput[]> {
  const out: DatasetInput[] = [];
  for (const name of await subdirs(path.join(runDir, 'inputs'))) {
    const input = await readMeta(path.join(runDir, 'inputs', name, 'meta.yaml'));
    const datasetId = input?.string('source_id');
    if (
      !input ||
      input.string('source_type') !== 'DATASET' ||
      !datasetId ||
      datasetId.includes('/') ||
      datasetId.startsWith('.')
    )
      continue;
    const dataset = await readMeta(path.join(path.dirname(runDir), 'datasets', datasetId, 'meta.yaml'));
    if (!dataset) throw new Error(`input ${name} names dataset ${datasetId}, which is missing`);
    out.push({
      tags: input.strings('tags').map(([key, value]) => ({ key, value })),
      dataset: {
        name: dataset.string('name') ?? '',
        digest: dataset.string('digest') ?? '',
        sourceType: dataset.string('source_type') ?? '',
        source: dataset.string('source') ?? '',
        schema: dataset.string('schema') ?? undefined,
        profile: dataset.string('profile') ?? undefined,
      },
    });
  }
  return out;
}
