// Imports the model registry of an MLflow file store (`mlruns/models/<name>/`: meta.yaml, tags/,
// aliases/, version-<n>/meta.yaml and tags/) into a RegistryStore, after its runs were imported:
// a version whose source lies in an imported run's old artifact directory is pointed at that
// run's new one, so the version's files are found where `cairn import` copied them. A version whose
// local source lies outside the source tree (and was not re-rooted) would let a crafted store point
// the registry at any file on this machine: its model is skipped and reported, unless the source is
// below a directory allowed with --allow-artifacts-outside.
import path from 'node:path';
import { CairnError } from '../../core/errors.js';
import { keyValues, readMeta, subdirs } from '../../tracking/import/mlruns-reader.js';
import { localPath, ReadableRoots } from '../../tracking/import/readable-roots.js';
import { assertMetadataInTree } from '../../tracking/import/metadata-confinement.js';
import type { ImportedModelVersion, ImportedRegisteredModel, RegistryStore } from '../store.js';
import { STAGE_DELETED_INTERNAL } from '../validation.js';

export interface MlrunsModelsSummary {
  models: Array<{ name: string; created: boolean; versions: number }>;
  skipped: Array<{ dir: string; reason: string }>;
}

type RunArtifactUris = ReadonlyMap<string, { from: string | null; to: string }>;

/** `source` moved along with its run's artifacts: runs:/ URIs resolve to the new place, old paths are re-rooted. */
export function relocateSource(source: string, runId: string | null, runs: RunArtifactUris): string {
  const runsUri = /^runs:\/([^/]+)(?:\/(.*))?$/.exec(source);
  if (runsUri) {
    const run = runs.get(runsUri[1]);
    return run ? [run.to, runsUri[2]].filter(Boolean).join('/') : source;
  }
  const candidates = runId && runs.has(runId) ? [runs.get(runId)!] : [...runs.values()];
  for (const { from, to } of candidates) {
    if (!from) continue;
    const base = from.replace(/\/+$/, '');
    if (source === base || source.startsWith(`${base}/`)) return to + source.slice(base.length);
  }
  return source;
}

/** `relocateSource`, then a check that a source still naming a local path may be read. */
async function confinedSource(
  source: string,
  runId: string | null,
  runs: RunArtifactUris,
  roots: ReadableRoots,
  what: string,
): Promise<string> {
  const relocated = relocateSource(source, runId, runs);
  if (relocated !== source) return relocated;
  const local = localPath(source);
  if (local === undefined || (await roots.readable(local)) !== undefined) return source;
  throw new Error(
    `${what} '${source}' lies outside the source tree ${roots.tree}: not imported ` +
      `(to import it, pass --allow-artifacts-outside ${path.dirname(local)} or a directory above it)`,
  );
}

async function readModel(dir: string, runs: RunArtifactUris, roots: ReadableRoots): Promise<ImportedRegisteredModel> {
  const meta = await readMeta(path.join(dir, 'meta.yaml'));
  const name = meta?.string('name');
  if (!meta || !name) throw new Error('meta.yaml is missing or names no model');
  const versions: ImportedModelVersion[] = [];
  for (const sub of await subdirs(dir)) {
    if (!/^version-\d+$/.test(sub)) continue;
    const v = await readMeta(path.join(dir, sub, 'meta.yaml'));
    if (!v) throw new Error(`${sub}/meta.yaml is missing or not a YAML mapping`);
    const runId = v.string('run_id');
    const source = v.string('source') ?? '';
    const stage = v.string('current_stage') ?? 'None';
    // a deleted version keeps only its number (its source is redacted), so its source is not checked
    const confine = async (uri: string, what: string) => {
      if (stage === STAGE_DELETED_INTERNAL) return uri;
      return confinedSource(uri, runId, runs, roots, `${sub} ${what}`);
    };
    versions.push({
      version: v.integer('version') ?? Number(sub.slice('version-'.length)),
      creationTime: v.integer('creation_timestamp'),
      lastUpdatedTime: v.integer('last_updated_timestamp'),
      description: v.string('description'),
      userId: v.string('user_id'),
      stage,
      // a runs:/ source still names the run (and resolves to where its files are now)
      source: source.startsWith('runs:/') ? source : await confine(source, 'source'),
      storageLocation: await confine(v.string('storage_location') ?? source, 'storage location'),
      runId,
      runLink: v.string('run_link'),
      status: v.string('status') ?? 'READY',
      statusMessage: v.string('status_message'),
      tags: await keyValues(path.join(dir, sub, 'tags')),
    });
  }
  const aliases = (await keyValues(path.join(dir, 'aliases'))).map(({ key, value }) => ({
    alias: key,
    version: Number(value.trim()),
  }));
  return {
    name,
    description: meta.string('description'),
    creationTime: meta.integer('creation_timestamp'),
    lastUpdatedTime: meta.integer('last_updated_timestamp'),
    tags: await keyValues(path.join(dir, 'tags')),
    aliases,
    versions,
  };
}

export interface MlrunsModelsOptions {
  /** Directories outside the source tree that local version sources may name (--allow-artifacts-outside). */
  allowArtifactsOutside?: readonly string[];
}

export async function importMlrunsModels(
  registry: RegistryStore,
  root: string,
  runs: RunArtifactUris,
  options: MlrunsModelsOptions = {},
): Promise<MlrunsModelsSummary> {
  const summary: MlrunsModelsSummary = { models: [], skipped: [] };
  // a registered model's meta.yaml linked out of the tree is refused here too, not only by importMlruns
  await assertMetadataInTree(root);
  const roots = await ReadableRoots.open(root, options.allowArtifactsOutside);
  const modelsDir = path.join(root, 'models');
  for (const name of await subdirs(modelsDir)) {
    const dir = path.join(modelsDir, name);
    try {
      const model = await readModel(dir, runs, roots);
      const result = await registry.importRegisteredModel(model, `MLflow file store ${root}`);
      summary.models.push({ name: model.name, created: result.created, versions: result.versions });
    } catch (err) {
      if (err instanceof CairnError && err.httpStatus >= 500) throw err;
      summary.skipped.push({ dir, reason: (err as Error).message });
    }
  }
  return summary;
}
