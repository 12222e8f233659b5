// CairnClient: the low-level typed client (like MlflowClient) over the stores a tracking URI names
// (openStores: a server over REST, or a database opened directly), with artifact upload, listing
// and download, and the model registry.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ArtifactRepository, FileInfo } from '../artifacts/artifact-repository.js';
import { normalizeArtifactPath } from '../artifacts/safe-path.js';
import { CairnError, InvalidParameter, NotFound } from '../core/errors.js';
import type { Int64 } from '../core/int64.js';
import type {
  DatasetInput,
  Experiment,
  Metric,
  PagedList,
  Param,
  Run,
  RunInfo,
  RunStatus,
  Tag,
  ViewType,
} from '../tracking/entities.js';
import type { MetricHistoryBulkIntervalQuery, MetricWithRunId } from '../tracking/store.js';
import { METRIC_HISTORY_MAX_RESULTS_THRESHOLD } from '../tracking/validation.js';
import { splitBatch } from './batch-split.js';
import type { HttpConnectionOptions } from './http-connection.js';
import type { Pipeline } from '../learn/pipeline.js';
import {
  loadModel,
  logModel,
  type LoadedModelFrom,
  type LoadModelOptions,
  type LogModelOptions,
  type ModelInfo,
} from './model-logging.js';
import type { ModelVersion, RegisteredModel } from '../registry/entities.js';
import type { RegistryStore } from '../registry/store.js';
import type { WebhookStore } from '../registry/webhooks/store.js';
import { openStores, type ClientStores } from './open-stores.js';
import { ProxyArtifactRepository } from './proxy-artifact-repository.js';
import type { ClientTransport } from './transport.js';

export { defaultArtifactRootFor } from './open-stores.js';

export interface CreateModelVersionOptions {
  name: string;
  /** Where the files are: the run's artifact URI + path, or `runs:/<run_id>/<path>`. */
  source: string;
  runId?: string;
  tags?: Tag[];
  description?: string;
}

export type TagsInput = Tag[] | Record<string, string | number | boolean>;

export interface CairnClientOptions extends HttpConnectionOptions {
  /** Artifact root for a direct store URI; default: `artifacts/` beside a SQLite file, else ./cairn-data/artifacts. */
  artifactRoot?: string;
}

export interface SearchRunsOptions {
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  viewType?: ViewType;
  pageToken?: string;
}

export interface SearchExperimentsOptions {
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  viewType?: ViewType;
  pageToken?: string;
}

export function toTags(tags: TagsInput | undefined): Tag[] {
  if (!tags) return [];
  if (Array.isArray(tags)) return tags.map((t) => ({ key: t.key, value: String(t.value) }));
  return Object.entries(tags).map(([key, value]) => ({ key, value: String(value) }));
}

export class CairnClient {
  /** The tracking store (REST or SQL) this client logs through; it also reaches run artifacts. */
  readonly transport: ClientTransport;

  private constructor(readonly stores: ClientStores) {
    this.transport = stores.tracking;
  }

  /** `http(s)://host:port` talks REST; `sqlite:///…` / `postgresql://…` open the database in this process. */
  static async open(trackingUri: string, options: CairnClientOptions = {}): Promise<CairnClient> {
    const { artifactRoot, ...connection } = options;
    return new CairnClient(await openStores(trackingUri, { ...connection, defaultArtifactRoot: artifactRoot }));
  }

  static fromStores(stores: ClientStores): CairnClient {
    return new CairnClient(stores);
  }

  close(): Promise<void> {
    return this.stores.close();
  }

  /** The model registry behind this tracking URI. */
  get registry(): RegistryStore {
    return this.stores.registry;
  }

  /** Registry webhooks behind this tracking URI. */
  get webhooks(): WebhookStore {
    return this.stores.webhooks;
  }

  // models (see model-logging.ts) and the registry calls they need
  /** Saves a fitted pipeline as a model package under the run's `artifactPath`; optionally registers it. */
  logModel(runId: string, pipeline: Pipeline, options: LogModelOptions): Promise<ModelInfo> {
    return logModel(this, runId, pipeline, options);
  }

  /** Resolves any model URI (runs:/, models:/…, mlflow-artifacts:/, file:, a path), downloads and loads it, verified. */
  loadModel(uri: string, options?: LoadModelOptions): Promise<LoadedModelFrom> {
    return loadModel(this, uri, options);
  }

  createRegisteredModel(
    name: string,
    options: { tags?: TagsInput; description?: string } = {},
  ): Promise<RegisteredModel> {
    return this.registry.createRegisteredModel(name, toTags(options.tags), options.description ?? null);
  }

  getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.registry.getRegisteredModel(name);
  }
  /** The source is checked where every path meets: the SQL registry store (behind the server, over REST). */
  createModelVersion(options: CreateModelVersionOptions): Promise<ModelVersion> {
    return this.registry.createModelVersion(options);
  }
  getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return this.registry.getModelVersion(name, version);
  }
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]> {
    return this.registry.getLatestVersions(name, stages);
  }
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return this.registry.getModelVersionByAlias(name, alias);
  }

  transitionModelVersionStage(
    name: string,
    version: string,
    stage: string,
    archiveExistingVersions = false,
  ): Promise<ModelVersion> {
    return this.registry.transitionModelVersionStage(name, version, stage, archiveExistingVersions);
  }

  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    return this.registry.setRegisteredModelAlias(name, alias, version);
  }

  // experiments
  createExperiment(name: string, options: { artifactLocation?: string; tags?: TagsInput } = {}): Promise<string> {
    return this.transport.createExperiment(name, options.artifactLocation, toTags(options.tags));
  }

  getExperiment(experimentId: string): Promise<Experiment> {
    return this.transport.getExperiment(experimentId);
  }

  /** undefined when no experiment has that name (as MLflow's get_experiment_by_name). */
  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    try {
      return await this.transport.getExperimentByName(name);
    } catch (err) {
      if (err instanceof CairnError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw err;
    }
  }

  searchExperiments(options: SearchExperimentsOptions = {}): Promise<PagedList<Experiment>> {
    return this.transport.searchExperiments(options);
  }

  renameExperiment(experimentId: string, newName: string): Promise<void> {
    return this.transport.renameExperiment(experimentId, newName);
  }

  deleteExperiment(experimentId: string): Promise<void> {
    return this.transport.deleteExperiment(experimentId);
  }

  restoreExperiment(experimentId: string): Promise<void> {
    return this.transport.restoreExperiment(experimentId);
  }

  setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    return this.transport.setExperimentTag(experimentId, key, String(value));
  }

  deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    return this.transport.deleteExperimentTag(experimentId, key);
  }

  // runs
  createRun(
    experimentId: string,
    options: { runName?: string; tags?: TagsInput; startTime?: Int64; userId?: string } = {},
  ): Promise<Run> {
    return this.transport.createRun({
      experimentId,
      runName: options.runName,
      tags: toTags(options.tags),
      startTime: options.startTime ?? Date.now(),
      userId: options.userId,
    });
  }

  getRun(runId: string): Promise<Run> {
    return this.transport.getRun(runId);
  }

  updateRun(runId: string, update: { status?: RunStatus; endTime?: Int64; runName?: string }): Promise<RunInfo> {
    return this.transport.updateRun(runId, update);
  }

  /** Ends a run: status (default FINISHED) and end time (default now). */
  setTerminated(runId: string, status: RunStatus = 'FINISHED', endTime: Int64 = Date.now()): Promise<RunInfo> {
    return this.transport.updateRun(runId, { status, endTime });
  }

  deleteRun(runId: string): Promise<void> {
    return this.transport.deleteRun(runId);
  }

  restoreRun(runId: string): Promise<void> {
    return this.transport.restoreRun(runId);
  }

  searchRuns(experimentIds: string[], options: SearchRunsOptions = {}): Promise<PagedList<Run>> {
    return this.transport.searchRuns({ experimentIds, ...options });
  }

  /** Every matching run, following page tokens. */
  async searchAllRuns(experimentIds: string[], options: Omit<SearchRunsOptions, 'pageToken'> = {}): Promise<Run[]> {
    const out: Run[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.searchRuns(experimentIds, { ...options, pageToken });
      out.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return out;
  }

  // run data
  logMetric(
    runId: string,
    key: string,
    value: number,
    options: { timestamp?: Int64; step?: Int64 } = {},
  ): Promise<void> {
    return this.transport.logMetric(runId, {
      key,
      value,
      timestamp: options.timestamp ?? Date.now(),
      step: options.step ?? 0,
    });
  }

  logParam(runId: string, key: string, value: unknown): Promise<void> {
    return this.transport.logParam(runId, { key, value: String(value) });
  }

  setTag(runId: string, key: string, value: unknown): Promise<void> {
    return this.transport.setTag(runId, { key, value: String(value) });
  }

  deleteTag(runId: string, key: string): Promise<void> {
    return this.transport.deleteTag(runId, key);
  }

  /** Any number of entities, sent as as many log-batch requests as MLflow's limits need. */
  async logBatch(runId: string, batch: { metrics?: Metric[]; params?: Param[]; tags?: Tag[] }): Promise<void> {
    for (const part of splitBatch(batch)) await this.transport.logBatch(runId, part);
  }

  logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    return this.transport.logInputs(runId, datasets);
  }

  getMetricHistoryPage(
    runId: string,
    key: string,
    options: { maxResults?: number; pageToken?: string } = {},
  ): Promise<PagedList<Metric>> {
    return this.transport.getMetricHistory(runId, key, options);
  }

  /** Pages of a metric's history, in the server's order. */
  async *iterMetricHistory(
    runId: string,
    key: string,
    pageSize = METRIC_HISTORY_MAX_RESULTS_THRESHOLD,
  ): AsyncGenerator<Metric[]> {
    let pageToken: string | undefined;
    do {
      const page = await this.transport.getMetricHistory(runId, key, { maxResults: pageSize, pageToken });
      yield page.items;
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  /** The whole history of a metric, following page tokens. */
  async getMetricHistory(runId: string, key: string, pageSize?: number): Promise<Metric[]> {
    const out: Metric[] = [];
    for await (const page of this.iterMetricHistory(runId, key, pageSize)) out.push(...page);
    return out;
  }

  getMetricHistoryBulkInterval(query: MetricHistoryBulkIntervalQuery): Promise<MetricWithRunId[]> {
    return this.transport.getMetricHistoryBulkInterval(query);
  }

  // artifacts
  private async runRepository(runId: string): Promise<ArtifactRepository> {
    const run = await this.transport.getRun(runId);
    return this.transport.artifactRepository(run.info.artifactUri);
  }

  /** Uploads one file as `<artifactPath>/<basename>` (or at the root). */
  async logArtifact(runId: string, localPath: string, artifactPath?: string): Promise<void> {
    const repo = await this.runRepository(runId);
    await uploadFile(repo, localPath, joinRel(artifactPath, path.basename(localPath)));
  }

  /** Uploads a directory's contents (recursively) under `artifactPath`. */
  async logArtifacts(runId: string, localDir: string, artifactPath?: string): Promise<void> {
    const repo = await this.runRepository(runId);
    const walk = async (dir: string, rel: string | undefined): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full, joinRel(rel, entry.name));
        else if (entry.isFile()) await uploadFile(repo, full, joinRel(rel, entry.name));
      }
    };
    await walk(localDir, artifactPath ? normalizeArtifactPath(artifactPath) : undefined);
  }

  /** Writes in-memory content as the artifact file `artifactFile` (a relative path). */
  async logBytes(runId: string, data: Uint8Array | string, artifactFile: string): Promise<void> {
    const rel = normalizeArtifactPath(artifactFile);
    if (rel === '') throw new InvalidParameter('artifact_file must name a file');
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const repo = await this.runRepository(runId);
    if (repo instanceof ProxyArtifactRepository) await repo.writeBytes(rel, bytes);
    else await repo.write(rel, Readable.from([Buffer.from(bytes)]));
  }

  /** Direct children of `artifactPath` (root when absent); paths are relative to the run's root. */
  async listArtifacts(runId: string, artifactPath?: string): Promise<FileInfo[]> {
    const repo = await this.runRepository(runId);
    return repo.list(artifactPath);
  }

  /** Downloads a file or a whole directory into `dstDir` (created); returns the local path. */
  async downloadArtifacts(runId: string, artifactPath: string, dstDir: string): Promise<string> {
    const repo = await this.runRepository(runId);
    const rel = normalizeArtifactPath(artifactPath);
    const target = path.join(dstDir, ...(rel === '' ? [] : rel.split('/')));
    const download = async (relPath: string, local: string): Promise<void> => {
      const children = await repo.list(relPath);
      if (relPath === '' || children.length > 0) {
        await mkdir(local, { recursive: true });
        for (const child of children)
          await download(child.path, path.join(local, child.path.split('/').pop() as string));
        return;
      }
      let read;
      try {
        read = await repo.openRead(relPath);
      } catch (err) {
        if (err instanceof NotFound || (err instanceof CairnError && err.errorCode === 'INVALID_PARAMETER_VALUE')) {
          // an empty directory lists nothing and cannot be read either
          if (await repo.exists(relPath)) {
            await mkdir(local, { recursive: true });
            return;
          }
        }
        throw err;
      }
      await mkdir(path.dirname(local), { recursive: true });
      await pipeline(read.stream, createWriteStream(local));
    };
    await download(rel, target);
    return target;
  }

  /** Reads one artifact file fully into memory. */
  async readArtifact(runId: string, artifactPath: string): Promise<Buffer> {
    const repo = await this.runRepository(runId);
    const { stream } = await repo.openRead(normalizeArtifactPath(artifactPath));
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks);
  }
}

function joinRel(dir: string | undefined, name: string): string {
  const base = dir ? normalizeArtifactPath(dir) : '';
  return base ? `${base}/${name}` : name;
}

async function uploadFile(repo: ArtifactRepository, localPath: string, rel: string): Promise<void> {
  const st = await stat(localPath);
  if (!st.isFile()) throw new InvalidParameter(`'${localPath}' is not a file`);
  if (repo instanceof ProxyArtifactRepository) await repo.writeFile(rel, localPath);
  else await repo.write(rel, createReadStream(localPath));
}
