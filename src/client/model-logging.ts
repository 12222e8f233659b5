// logModel / loadModel for CairnClient: a fitted pipeline → model package → run artifacts (+ the
// run's log-model history tag, + an optional registered version); any model URI → download → verified load.
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline as streamPipeline } from 'node:stream/promises';
import type { ArtifactRepository } from '../artifacts/artifact-repository.js';
import { normalizeArtifactPath } from '../artifacts/safe-path.js';
import { AlreadyExists, InvalidParameter, NotFound } from '../core/errors.js';
import type { Pipeline } from '../learn/pipeline.js';
import { joinArtifactUri, resolveModelUri, type ResolvedModelUri } from '../models/model-uri.js';
import { loadModelFromDir, type LoadedModel } from '../models/package/load-model.js';
import type { MlModel } from '../models/package/mlmodel.js';
import { saveModel, type SaveModelOptions } from '../models/package/save-model.js';
import type { ModelVersion } from '../registry/entities.js';
import { loggedModelEntry } from '../tracking/logged-model-history.js';
import type { CairnClient } from './cairn-client.js';

export interface LogModelOptions extends Omit<SaveModelOptions, 'runId' | 'artifactPath'> {
  /** Directory of the package in the run's artifacts, e.g. 'model'. */
  artifactPath: string;
  /** Registers the logged package as a new version of this model (created when missing). */
  registeredModelName?: string;
}

export interface ModelInfo {
  runId: string;
  artifactPath: string;
  /** `runs:/<run_id>/<artifact_path>` */
  modelUri: string;
  modelUuid: string;
  utcTimeCreated: string;
  mlmodel: MlModel;
  registeredModelVersion?: ModelVersion;
}

export interface LoadModelOptions {
  /** Where to download the package (created); default a fresh temp directory, removed if loading fails. */
  dstDir?: string;
}

export interface LoadedModelFrom extends LoadedModel {
  resolved?: ResolvedModelUri;
}

async function registerVersion(
  client: CairnClient,
  name: string,
  source: string,
  runId: string,
): Promise<ModelVersion> {
  const registry = client.registry;
  try {
    await registry.createRegisteredModel(name);
  } catch (err) {
    if (!(err instanceof AlreadyExists)) throw err; // registering a new version of an existing model
  }
  return registry.createModelVersion({ name, source, runId });
}

export async function logModel(
  client: CairnClient,
  runId: string,
  pipeline: Pipeline,
  options: LogModelOptions,
): Promise<ModelInfo> {
  const artifactPath = normalizeArtifactPath(options.artifactPath);
  if (artifactPath === '')
    throw new InvalidParameter('logModel: artifactPath must name a directory inside the run, e.g. "model"');
  const run = await client.getRun(runId);
  const { registeredModelName, ...saveOptions } = options;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'cairn-log-model-'));
  try {
    const dir = path.join(tmp, 'model');
    const saved = await saveModel(dir, pipeline, { ...saveOptions, runId, artifactPath });
    await client.logArtifacts(runId, dir, artifactPath);
    // as MLflow's record_logged_model: the MLmodel's tags dict, appended to the run's history by the store
    await client.transport.recordLoggedModel(runId, JSON.stringify(loggedModelEntry(saved.mlmodel)));
    const info: ModelInfo = {
      runId,
      artifactPath,
      modelUri: `runs:/${runId}/${artifactPath}`,
      modelUuid: saved.mlmodel.model_uuid,
      utcTimeCreated: saved.mlmodel.utc_time_created,
      mlmodel: saved.mlmodel,
    };
    if (registeredModelName !== undefined) {
      // as MLflow's register_model: the source is the run's artifact location, with the run id
      info.registeredModelVersion = await registerVersion(
        client,
        registeredModelName,
        joinArtifactUri(run.info.artifactUri, artifactPath),
        runId,
      );
    }
    return info;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function downloadTree(repo: ArtifactRepository, rel: string, local: string): Promise<number> {
  await mkdir(local, { recursive: true });
  let files = 0;
  for (const child of await repo.list(rel)) {
    const target = path.join(local, child.path.split('/').pop() as string);
    if (child.isDir) {
      files += await downloadTree(repo, child.path, target);
    } else {
      const { stream } = await repo.openRead(child.path);
      await streamPipeline(stream, createWriteStream(target));
      files++;
    }
  }
  return files;
}

/** Resolves a model URI through this client's registry and tracking store. */
export function resolveWithClient(client: CairnClient, uri: string): Promise<ResolvedModelUri> {
  return resolveModelUri(uri, {
    registry: client.registry,
    tracking: { getRunArtifactUri: async (runId) => (await client.getRun(runId)).info.artifactUri },
  });
}

export async function loadModel(
  client: CairnClient,
  uri: string,
  options: LoadModelOptions = {},
): Promise<LoadedModelFrom> {
  const resolved = await resolveWithClient(client, uri);
  if (resolved.local) return Object.assign(await loadModelFromDir(resolved.artifactUri), { resolved });
  const dst = options.dstDir ?? (await mkdtemp(path.join(os.tmpdir(), 'cairn-model-')));
  try {
    const repo = await client.transport.artifactRepository(resolved.artifactUri);
    const files = await downloadTree(repo, '', dst);
    if (files === 0)
      throw new NotFound(`No model package at '${uri}' (resolved to ${resolved.artifactUri}): no files there`);
    return Object.assign(await loadModelFromDir(dst), { resolved });
  } catch (err) {
    if (!options.dstDir) await rm(dst, { recursive: true, force: true });
    throw err;
  }
}
