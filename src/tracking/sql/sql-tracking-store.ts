// The TrackingStore over any SqlDatabase (SQLite or PostgreSQL): one implementation, with the
// engine differences confined to the driver and its Dialect.
import type { DatasetInput, Experiment, Metric, PagedList, Param, Run, RunInfo, Tag } from '../entities.js';
import type {
  CreateRunInput,
  ImportedRun,
  ImportRunResult,
  LogBatchInput,
  MetricHistoryBulkIntervalQuery,
  MetricHistoryQuery,
  MetricWithRunId,
  SearchExperimentsQuery,
  SearchRunsQuery,
  TrackingStore,
  UpdateRunInput,
} from '../store.js';
import * as experiments from './experiment-operations.js';
import { getMetricHistory, getMetricHistoryBulkInterval } from './metric-history.js';
import { migrateTrackingSchema } from './migrations.js';
import * as runs from './run-operations.js';
import { RunCache } from './run-cache.js';
import { importRun } from './run-import.js';
import { searchRuns } from './run-search.js';
import type { SqlDatabase } from '../../db/sql-database.js';
import { validateMetric } from '../validation.js';
import type { StoreContext } from './store-context.js';

export interface SqlTrackingStoreOptions {
  defaultArtifactRoot: string;
  /**
   * Keep up to this many complete runs between searches (RunCache), for a long-lived server;
   * searches then return shared read-only runs. Only engines with a change token (SQLite) cache.
   */
  runCacheCapacity?: number;
}

export class SqlTrackingStore implements TrackingStore {
  private readonly ctx: StoreContext;

  constructor(
    readonly db: SqlDatabase,
    options: SqlTrackingStoreOptions,
  ) {
    this.ctx = {
      db,
      defaultArtifactRoot: options.defaultArtifactRoot,
      runCache: options.runCacheCapacity && db.changeToken ? new RunCache(options.runCacheCapacity) : undefined,
    };
  }

  async init(): Promise<void> {
    await migrateTrackingSchema(this.db);
    await experiments.ensureDefaultExperiment(this.ctx);
  }
  close(): Promise<void> {
    return this.db.close();
  }

  createExperiment(name: string, artifactLocation?: string, tags?: Tag[]): Promise<string> {
    return experiments.createExperiment(this.ctx, name, artifactLocation, tags);
  }
  getExperiment(experimentId: string): Promise<Experiment> {
    return experiments.getExperiment(this.db, experimentId);
  }
  getExperimentByName(name: string): Promise<Experiment> {
    return experiments.getExperimentByName(this.db, name);
  }
  searchExperiments(query: SearchExperimentsQuery): Promise<PagedList<Experiment>> {
    return experiments.searchExperiments(this.ctx, query);
  }
  renameExperiment(experimentId: string, newName: string): Promise<void> {
    return experiments.renameExperiment(this.ctx, experimentId, newName);
  }
  deleteExperiment(experimentId: string): Promise<void> {
    return experiments.setExperimentLifecycle(this.ctx, experimentId, 'deleted');
  }
  restoreExperiment(experimentId: string): Promise<void> {
    return experiments.setExperimentLifecycle(this.ctx, experimentId, 'active');
  }
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    return experiments.setExperimentTag(this.ctx, experimentId, key, value);
  }
  deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    return experiments.deleteExperimentTag(this.ctx, experimentId, key);
  }

  createRun(input: CreateRunInput): Promise<Run> {
    return runs.createRun(this.ctx, input);
  }
  getRun(runId: string): Promise<Run> {
    return runs.getRun(this.ctx, runId);
  }
  updateRun(runId: string, update: UpdateRunInput): Promise<RunInfo> {
    return runs.updateRun(this.ctx, runId, update);
  }
  deleteRun(runId: string): Promise<void> {
    return runs.setRunLifecycle(this.ctx, runId, 'deleted');
  }
  restoreRun(runId: string): Promise<void> {
    return runs.setRunLifecycle(this.ctx, runId, 'active');
  }
  searchRuns(query: SearchRunsQuery): Promise<PagedList<Run>> {
    return searchRuns(this.ctx, query);
  }

  logMetric(runId: string, metric: Metric): Promise<void> {
    validateMetric(metric); // messages name `timestamp`, not `metrics[0].timestamp`, as MLflow's log_metric
    return runs.logBatch(this.ctx, runId, { metrics: [metric] });
  }
  logParam(runId: string, param: Param): Promise<void> {
    return runs.logBatch(this.ctx, runId, { params: [param] });
  }
  setTag(runId: string, tag: Tag): Promise<void> {
    return runs.logBatch(this.ctx, runId, { tags: [tag] });
  }
  deleteTag(runId: string, key: string): Promise<void> {
    return runs.deleteTag(this.ctx, runId, key);
  }
  logBatch(runId: string, batch: LogBatchInput): Promise<void> {
    return runs.logBatch(this.ctx, runId, batch);
  }
  logInputs(runId: string, inputs: DatasetInput[]): Promise<void> {
    return runs.logInputs(this.ctx, runId, inputs);
  }
  recordLoggedModel(runId: string, modelJson: string): Promise<void> {
    return runs.recordLoggedModel(this.ctx, runId, modelJson);
  }
  importRun(run: ImportedRun): Promise<ImportRunResult> {
    return importRun(this.ctx, run);
  }

  getMetricHistory(runId: string, metricKey: string, query?: MetricHistoryQuery): Promise<PagedList<Metric>> {
    return getMetricHistory(this.ctx, runId, metricKey, query);
  }
  getMetricHistoryBulkInterval(query: MetricHistoryBulkIntervalQuery): Promise<MetricWithRunId[]> {
    return getMetricHistoryBulkInterval(this.ctx, query);
  }
}
