// Imports an MLflow file store (`mlruns/`) into a tracking store: experiments matched by name
// (created when missing, with their tags and lifecycle), runs with their ids, names, users,
// statuses, times, params, tags and whole metric histories, and their artifact files copied to
// where the target store keeps the run's artifacts (runs whose artifacts are remote, s3://…, keep
// their artifact URI). Safe to run again: runs already there are left as they are (a run
// interrupted between its rows and its files gets its files then).
// Artifacts are read only inside the source tree (or below a directory allowed with
// --allow-artifacts-outside): a recorded artifact_uri elsewhere is not followed, and symbolic links
// are never copied; both are reported. Metadata is read only inside the source tree: a store with
// a link leading out of it anywhere else is refused whole (metadata-confinement.ts).
import { cp, lstat, readdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CairnError, InvalidParameter, NotFound } from '../../core/errors.js';
import type { Experiment } from '../entities.js';
import type { TrackingStore } from '../store.js';
import {
  mlrunsRoot,
  readExperiments,
  readRun,
  runDirs,
  type MlrunsExperiment,
  type MlrunsRun,
  type UnreadableRun,
} from './mlruns-reader.js';
import { assertMetadataInTree } from './metadata-confinement.js';
import { localPath, ReadableRoots } from './readable-roots.js';

export interface MlrunsImportOptions {
  /** Where `mlflow-artifacts:/…` URIs of the target store resolve (the server's --artifacts-destination). */
  artifactsDestination: string;
  /** Directories outside the source tree that artifacts may still be read from (--allow-artifacts-outside). */
  allowArtifactsOutside?: readonly string[];
  onProgress?: (progress: MlrunsImportProgress) => void;
}

export interface MlrunsImportProgress {
  experiment: string;
  experimentIndex: number;
  experimentCount: number;
  runsDone: number;
  runCount: number;
}

export interface ImportedExperimentSummary {
  name: string;
  sourceId: string;
  experimentId: string;
  /** False when an experiment of that name was there already (the runs joined it). */
  created: boolean;
  runsCreated: number;
  runsExisting: number;
}

export interface MlrunsImportSummary {
  experiments: ImportedExperimentSummary[];
  runsCreated: number;
  runsExisting: number;
  /** Runs not imported, with the reason (unreadable files, values the store refuses). */
  skipped: UnreadableRun[];
  artifactFiles: number;
  artifactBytes: number;
  /** Runs whose artifacts could not be copied, or not all of them (the run itself was imported). */
  artifactProblems: Array<{ runId: string; reason: string }>;
  /** Runs whose recorded artifact URI lay outside the source tree (a moved store): their own artifacts/ were read. */
  artifactsRerooted: Array<{ runId: string; recorded: string }>;
  /** Things imported with a change, e.g. an experiment created without tags the store refuses. */
  warnings: string[];
  /** Runs whose artifacts are not on this machine (s3://…): they keep their artifact URI, nothing is copied. */
  runsWithRemoteArtifacts: number;
  /**
   * Each run in the target store (imported now or before): its artifact URI in the file store (null when
   * that URI was refused as outside the tree) and now.
   */
  runArtifactUris: Map<string, { from: string | null; to: string }>;
}

/** Where a target run's artifact URI lives on this machine, or undefined when it is not a local place. */
function localArtifactDir(uri: string, artifactsDestination: string): string | undefined {
  if (!uri.startsWith('mlflow-artifacts:')) return localPath(uri);
  const parts = uri
    .slice('mlflow-artifacts:'.length)
    .replace(/^\/\/[^/]*/, '')
    .replace(/^\/+/, '')
    .split('/');
  if (parts.some((p) => p === '..' || p === '.')) return undefined;
  return path.join(path.resolve(artifactsDestination), ...parts);
}

/** A run whose artifacts live in an object store or behind a server (s3://…, mlflow-artifacts:…) keeps that URI. */
function isRemoteArtifactUri(uri: string | null): uri is string {
  return uri !== null && /^[a-z][a-z0-9+.-]*:/i.test(uri) && !uri.startsWith('file:');
}

/** Where a run's artifacts are read from, and what to report about it. */
interface ArtifactSource {
  dir?: string;
  /** The recorded URI was refused (outside the tree, not allowed), with the reason. */
  refused?: string;
  /** The recorded URI lay outside the tree and the run's own artifacts/ directory was read instead. */
  rerooted?: boolean;
}

/**
 * The run's artifact directory: its recorded local URI when that lies in the source tree (or below an
 * allowed directory), else its own `<run dir>/artifacts` in the tree. A recorded URI outside is not
 * followed: the run's own directory stands in for it (a moved or copied store), or, when it has
 * none, the URI is refused and reported.
 */
async function sourceArtifactDir(run: MlrunsRun, roots: ReadableRoots): Promise<ArtifactSource> {
  const own = path.join(run.dir, 'artifacts');
  const ownDir = existsSync(own) ? await roots.inTree(own) : undefined;
  if (existsSync(own) && ownDir === undefined) {
    return { refused: `${own} is a symbolic link leading out of the source tree ${roots.tree}: not followed` };
  }
  const recorded = run.artifactUri ? localPath(run.artifactUri) : undefined;
  if (recorded === undefined) return { dir: ownDir };
  const recordedDir = await roots.readable(recorded);
  if (recordedDir !== undefined) return { dir: existsSync(recordedDir) ? recordedDir : ownDir };
  if (ownDir !== undefined) return { dir: ownDir, rerooted: true };
  if (!existsSync(recorded)) return {};
  return {
    refused:
      `artifact_uri '${run.artifactUri}' lies outside the source tree ${roots.tree}: not read ` +
      `(to read it, pass --allow-artifacts-outside ${recorded} or a directory above it)`,
  };
}

async function countFiles(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      const sub = await countFiles(full);
      files += sub.files;
      bytes += sub.bytes;
    } else if (e.isFile()) {
      files++;
      bytes += (await stat(full)).size;
    }
  }
  return { files, bytes };
}

/**
 * Copies a run's artifact tree. Only directories and regular files are copied: a symbolic link could
 * point anywhere (out of the tree), so every link is left out and named in `left`, as is anything
 * else that is not a plain file (a FIFO, a socket).
 */
async function copyArtifacts(
  from: string,
  to: string,
  overwrite: boolean,
): Promise<{ files: number; bytes: number; left: string[] }> {
  const left: string[] = [];
  await cp(from, to, {
    recursive: true,
    force: overwrite,
    errorOnExist: false,
    filter: async (src) => {
      const st = await lstat(src);
      if (st.isDirectory() || st.isFile()) return true;
      left.push(`${path.relative(from, src)}${st.isSymbolicLink() ? ' (a symbolic link)' : ''}`);
      return false;
    },
  });
  return { ...(await countFiles(to)), left };
}

async function targetExperiment(
  store: TrackingStore,
  source: MlrunsExperiment,
  warnings: string[],
): Promise<{ experiment: Experiment; created: boolean }> {
  try {
    return { experiment: await store.getExperimentByName(source.name), created: false };
  } catch (err) {
    if (!(err instanceof NotFound)) throw err;
  }
  let id: string;
  try {
    id = await store.createExperiment(source.name, undefined, source.tags);
  } catch (err) {
    if (!(err instanceof InvalidParameter) || source.tags.length === 0) throw err;
    id = await store.createExperiment(source.name);
    warnings.push(`experiment '${source.name}' was created without its tags: ${err.message}`);
  }
  return { experiment: await store.getExperiment(id), created: true };
}

/** Copies one run's artifacts (when it was created now, or an earlier import left it without files) and reports. */
async function importRunArtifacts(
  run: MlrunsRun,
  targetUri: string,
  created: boolean,
  roots: ReadableRoots,
  artifactsDestination: string,
  summary: MlrunsImportSummary,
): Promise<void> {
  const source = await sourceArtifactDir(run, roots);
  // a refused URI re-roots nothing: model sources under it stay outside the tree and are refused too
  summary.runArtifactUris.set(run.runId, { from: source.refused ? null : run.artifactUri, to: targetUri });
  const to = localArtifactDir(targetUri, artifactsDestination);
  // a run that was there already only gets files when it has none (an interrupted import)
  if (!created && to !== undefined && existsSync(to)) return;
  if (source.refused) summary.artifactProblems.push({ runId: run.runId, reason: source.refused });
  if (source.dir === undefined) return;
  if (source.rerooted) summary.artifactsRerooted.push({ runId: run.runId, recorded: run.artifactUri as string });
  if (!to) {
    const reason = `not copied: artifact URI '${targetUri}' is not a local directory`;
    summary.artifactProblems.push({ runId: run.runId, reason });
    return;
  }
  try {
    const copied = await copyArtifacts(source.dir, to, created);
    summary.artifactFiles += copied.files;
    summary.artifactBytes += copied.bytes;
    for (const left of copied.left) {
      const reason = `${left} left out: only regular files and directories are copied`;
      summary.artifactProblems.push({ runId: run.runId, reason });
    }
  } catch (err) {
    summary.artifactProblems.push({ runId: run.runId, reason: `not copied: ${(err as Error).message}` });
  }
}

/**
 * The experiments of the file store `source` names; refused when it holds none (it is not a file
 * store) or when a symbolic link in its metadata leads out of it (checked before anything is read).
 */
export async function sourceExperiments(source: string): Promise<MlrunsExperiment[]> {
  const root = mlrunsRoot(source);
  await assertMetadataInTree(root);
  const experiments = await readExperiments(root);
  if (experiments.length === 0) {
    throw new InvalidParameter(
      `'${source}' holds no MLflow experiments ` +
        '(an MLflow file store has <experiment id>/meta.yaml, at least 0/meta.yaml).',
    );
  }
  return experiments;
}

export async function importMlruns(
  store: TrackingStore,
  source: string,
  options: MlrunsImportOptions,
): Promise<MlrunsImportSummary> {
  const root = mlrunsRoot(source);
  const roots = await ReadableRoots.open(root, options.allowArtifactsOutside);
  const summary: MlrunsImportSummary = {
    experiments: [],
    runsCreated: 0,
    runsExisting: 0,
    skipped: [],
    artifactFiles: 0,
    artifactBytes: 0,
    artifactProblems: [],
    artifactsRerooted: [],
    warnings: [],
    runsWithRemoteArtifacts: 0,
    runArtifactUris: new Map(),
  };
  // before the first write: a store whose metadata leads out of it is refused with nothing imported
  const experiments = await sourceExperiments(source);
  for (const [index, sourceExp] of experiments.entries()) {
    const { experiment, created } = await targetExperiment(store, sourceExp, summary.warnings);
    const entry: ImportedExperimentSummary = {
      name: sourceExp.name,
      sourceId: sourceExp.sourceId,
      experimentId: experiment.experimentId,
      created,
      runsCreated: 0,
      runsExisting: 0,
    };
    summary.experiments.push(entry);
    const dirs = await runDirs(sourceExp);
    const progress = (runsDone: number) =>
      options.onProgress?.({
        experiment: sourceExp.name,
        experimentIndex: index,
        experimentCount: experiments.length,
        runsDone,
        runCount: dirs.length,
      });
    for (const [done, dir] of dirs.entries()) {
      progress(done);
      let run: MlrunsRun;
      try {
        run = await readRun(dir);
      } catch (err) {
        summary.skipped.push({ dir, reason: (err as Error).message });
        continue;
      }
      const artifactUri = isRemoteArtifactUri(run.artifactUri)
        ? run.artifactUri
        : `${experiment.artifactLocation.replace(/\/+$/, '')}/${run.runId}/artifacts`;
      let result;
      try {
        result = await store.importRun({
          runId: run.runId,
          experimentId: experiment.experimentId,
          runName: run.runName,
          userId: run.userId,
          status: run.status,
          startTime: run.startTime,
          endTime: run.endTime,
          lifecycleStage: run.lifecycleStage,
          deletedTime: run.deletedTime,
          artifactUri,
          params: run.params,
          tags: run.tags,
          metrics: run.metrics,
          inputs: run.inputs,
        });
      } catch (err) {
        if (!(err instanceof CairnError) || err.httpStatus >= 500) throw err;
        summary.skipped.push({ dir, reason: err.message });
        continue;
      }
      if (result.created) entry.runsCreated++;
      else entry.runsExisting++;
      // a run imported before may sit elsewhere (its experiment's location then): only then read it back
      const targetUri = result.created ? artifactUri : (await store.getRun(run.runId)).info.artifactUri;
      if (isRemoteArtifactUri(run.artifactUri)) {
        summary.runArtifactUris.set(run.runId, { from: run.artifactUri, to: targetUri });
        summary.runsWithRemoteArtifacts++;
        continue;
      }
      await importRunArtifacts(run, targetUri, result.created, roots, options.artifactsDestination, summary);
    }
    progress(dirs.length);
    summary.runsCreated += entry.runsCreated;
    summary.runsExisting += entry.runsExisting;
    if (created && sourceExp.lifecycleStage === 'deleted') await store.deleteExperiment(experiment.experimentId);
  }
  return summary;
}
