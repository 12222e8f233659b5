// The TrackingStore over MLflow's REST API (a Cairn or MLflow server at http(s)://host:port), as
// MLflow's RestStore: retried, authenticated calls through HttpConnection; run artifacts through the
// server's proxy. What REST cannot do (importRun keeps run ids) throws NotSupportedOverRest.
import type { ArtifactRepository } from '../artifacts/artifact-repository.js';
import { openArtifactRepository } from '../artifacts/open-artifact-repository.js';
import type { DatasetInput, Experiment, Metric, PagedList, Param, Run, RunInfo, Tag } from '../tracking/entities.js';
import type {
  CreateRunInput,
  ImportRunResult,
  LogBatchInput,
  MetricHistoryBulkIntervalQuery,
  MetricHistoryQuery,
  MetricWithRunId,
  SearchExperimentsQuery,
  SearchRunsQuery,
  UpdateRunInput,
} from '../tracking/store.js';
import type { HttpConnection } from './http-connection.js';
import {
  datasetInputToJson,
  experimentFromJson,
  metricFromJson,
  metricToJson,
  paramsToJson,
  runFromJson,
  runInfoFromJson,
  tagsToJson,
  type Json,
} from '../tracking/mlflow-json.js';
import { ProxyArtifactRepository } from './proxy-artifact-repository.js';
import { NotSupportedOverRest } from './rest-errors.js';
import { parseArtifactUri, type ClientTransport } from './transport.js';

const API = '/api/2.0/mlflow';
const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const token = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export class RestTrackingStore implements ClientTransport {
  /** One connection (auth, retries) shared with the registry and webhook stores of the same server. */
  constructor(readonly http: HttpConnection) {}

  private post(endpoint: string, body: Record<string, unknown>): Promise<Json> {
    return this.http.json('POST', `${API}${endpoint}`, body);
  }

  private get(endpoint: string, query: Record<string, unknown>): Promise<Json> {
    return this.http.json('GET', `${API}${endpoint}`, query);
  }

  /** The server migrates its own store. */
  async init(): Promise<void> {
    /* nothing to do on this side */
  }

  async close(): Promise<void> {
    /* fetch's pooled connections close themselves when idle */
  }

  // experiments
  async createExperiment(name: string, artifactLocation?: string, tags?: Tag[]): Promise<string> {
    const res = await this.post('/experiments/create', {
      name,
      artifact_location: artifactLocation,
      tags: tags && tagsToJson(tags),
    });
    return String(res.experiment_id);
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    return experimentFromJson((await this.get('/experiments/get', { experiment_id: experimentId })).experiment as Json);
  }

  async getExperimentByName(name: string): Promise<Experiment> {
    return experimentFromJson(
      (await this.get('/experiments/get-by-name', { experiment_name: name })).experiment as Json,
    );
  }

  async searchExperiments(query: SearchExperimentsQuery): Promise<PagedList<Experiment>> {
    const res = await this.post('/experiments/search', {
      view_type: query.viewType,
      max_results: query.maxResults,
      filter: query.filter,
      order_by: query.orderBy,
      page_token: query.pageToken,
    });
    return { items: list(res.experiments).map(experimentFromJson), nextPageToken: token(res.next_page_token) };
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    await this.post('/experiments/update', { experiment_id: experimentId, new_name: newName });
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    await this.post('/experiments/delete', { experiment_id: experimentId });
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.post('/experiments/restore', { experiment_id: experimentId });
  }

  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    await this.post('/experiments/set-experiment-tag', { experiment_id: experimentId, key, value });
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    await this.post('/experiments/delete-experiment-tag', { experiment_id: experimentId, key });
  }

  // runs
  async createRun(input: CreateRunInput): Promise<Run> {
    const res = await this.post('/runs/create', {
      experiment_id: input.experimentId,
      user_id: input.userId,
      start_time: input.startTime ?? Date.now(),
      run_name: input.runName,
      tags: input.tags && tagsToJson(input.tags),
    });
    return runFromJson(res.run as Json);
  }

  async getRun(runId: string): Promise<Run> {
    return runFromJson((await this.get('/runs/get', { run_id: runId })).run as Json);
  }

  async updateRun(runId: string, update: UpdateRunInput): Promise<RunInfo> {
    const res = await this.post('/runs/update', {
      run_id: runId,
      run_uuid: runId,
      status: update.status,
      end_time: update.endTime,
      run_name: update.runName,
    });
    return runInfoFromJson(res.run_info as Json);
  }

  async deleteRun(runId: string): Promise<void> {
    await this.post('/runs/delete', { run_id: runId });
  }

  async restoreRun(runId: string): Promise<void> {
    await this.post('/runs/restore', { run_id: runId });
  }

  async searchRuns(query: SearchRunsQuery): Promise<PagedList<Run>> {
    const res = await this.post('/runs/search', {
      experiment_ids: query.experimentIds,
      filter: query.filter,
      run_view_type: query.viewType,
      max_results: query.maxResults,
      order_by: query.orderBy,
      page_token: query.pageToken,
    });
    return { items: list(res.runs).map(runFromJson), nextPageToken: token(res.next_page_token) };
  }

  // run data
  async logMetric(runId: string, metric: Metric): Promise<void> {
    await this.post('/runs/log-metric', { run_id: runId, run_uuid: runId, ...metricToJson(metric) });
  }

  async logParam(runId: string, param: Param): Promise<void> {
    await this.post('/runs/log-parameter', { run_id: runId, run_uuid: runId, key: param.key, value: param.value });
  }

  async setTag(runId: string, tag: Tag): Promise<void> {
    await this.post('/runs/set-tag', { run_id: runId, run_uuid: runId, key: tag.key, value: tag.value });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.post('/runs/delete-tag', { run_id: runId, key });
  }

  async logBatch(runId: string, batch: LogBatchInput): Promise<void> {
    await this.post('/runs/log-batch', {
      run_id: runId,
      metrics: (batch.metrics ?? []).map(metricToJson),
      params: paramsToJson(batch.params ?? []),
      tags: tagsToJson(batch.tags ?? []),
    });
  }

  async logInputs(runId: string, inputs: DatasetInput[]): Promise<void> {
    await this.post('/runs/log-inputs', { run_id: runId, datasets: inputs.map(datasetInputToJson) });
  }

  /** As MLflow's RestStore.record_logged_model: the server appends to the run's history in one transaction. */
  async recordLoggedModel(runId: string, modelJson: string): Promise<void> {
    await this.post('/runs/log-model', { run_id: runId, model_json: modelJson });
  }

  async getMetricHistory(runId: string, metricKey: string, query: MetricHistoryQuery = {}): Promise<PagedList<Metric>> {
    const res = await this.get('/metrics/get-history', {
      run_id: runId,
      metric_key: metricKey,
      max_results: query.maxResults,
      page_token: query.pageToken,
    });
    return { items: list(res.metrics).map(metricFromJson), nextPageToken: token(res.next_page_token) };
  }

  async getMetricHistoryBulkInterval(query: MetricHistoryBulkIntervalQuery): Promise<MetricWithRunId[]> {
    const res = await this.get('/metrics/get-history-bulk-interval', {
      run_ids: query.runIds,
      metric_key: query.metricKey,
      start_step: query.startStep,
      end_step: query.endStep,
      max_results: query.maxResults,
    });
    return list(res.metrics).map((m) => ({ ...metricFromJson(m), runId: String(m.run_id) }));
  }

  importRun(): Promise<ImportRunResult> {
    return Promise.reject(
      new NotSupportedOverRest(
        'importRun',
        "MLflow's REST API assigns new run ids; import into the server's database URI " +
          '(sqlite:///… or postgresql://…) instead',
      ),
    );
  }

  /**
   * Proxied roots go through the server; others (an s3:// root from `--default-artifact-root`, a local
   * directory a server shares with this machine) are written directly, as MLflow's client does.
   */
  async artifactRepository(artifactUri: string): Promise<ArtifactRepository> {
    const location = parseArtifactUri(artifactUri);
    if (location?.kind === 'proxy') return new ProxyArtifactRepository(this.http, location.path);
    return openArtifactRepository(location?.kind === 'local' ? location.dir : artifactUri);
  }
}
