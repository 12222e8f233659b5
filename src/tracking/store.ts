// The TrackingStore interface: every operation the tracking server needs, documented once.
// One SQL implementation (src/tracking/sql) serves SQLite and PostgreSQL; the REST layer only
// ever calls this interface. Methods throw CairnError subclasses (src/core/errors.ts).
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
} from './entities.js';
import type { Int64 } from '../core/int64.js';

export interface SearchExperimentsQuery {
  viewType?: ViewType;
  maxResults?: number;
  /** MLflow's experiment filter grammar: `name`, `tags.<key>`, `creation_time`, `last_update_time`. */
  filter?: string;
  orderBy?: string[];
  pageToken?: string;
}

export interface SearchRunsQuery {
  experimentIds: string[];
  /** MLflow's run filter grammar (metrics./params./tags./attributes., AND). */
  filter?: string;
  viewType?: ViewType;
  /** Default 1000, at most 50000. */
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

export interface CreateRunInput {
  experimentId: string;
  userId?: string;
  startTime?: Int64;
  runName?: string;
  tags?: Tag[];
}

export interface UpdateRunInput {
  status?: RunStatus;
  endTime?: Int64;
  runName?: string;
}

export interface LogBatchInput {
  metrics?: Metric[];
  params?: Param[];
  tags?: Tag[];
}

export interface MetricHistoryQuery {
  maxResults?: number;
  pageToken?: string;
}

export interface MetricHistoryBulkIntervalQuery {
  runIds: string[];
  metricKey: string;
  startStep?: Int64;
  endStep?: Int64;
  /** Number of steps to sample across [startStep, endStep], MLflow's default 320 (max 2500). */
  maxResults?: number;
}

export interface MetricWithRunId extends Metric {
  runId: string;
}

/** A run as another tracking store recorded it, for `importRun`. */
export interface ImportedRun {
  /** Kept as is (MLflow's 32 hex characters). */
  runId: string;
  experimentId: string;
  runName: string;
  userId: string;
  status: RunStatus;
  startTime: number | null;
  endTime: number | null;
  lifecycleStage: 'active' | 'deleted';
  deletedTime?: number | null;
  artifactUri: string;
  params: Param[];
  /** The run's tags; `mlflow.runName` is set from runName. */
  tags: Tag[];
  /** The whole history; latest values are derived as for logged metrics. */
  metrics: Metric[];
  /** Datasets the run used (MLflow's run inputs). */
  inputs?: DatasetInput[];
}

export interface ImportRunResult {
  /** False when a run with this id already exists: nothing was written. */
  created: boolean;
  /** The experiment the run is in (the existing one's when not created). */
  experimentId: string;
}

export interface TrackingStore {
  /** Applies pending migrations and makes sure the Default experiment (id "0") exists. */
  init(): Promise<void>;
  close(): Promise<void>;

  // experiments
  createExperiment(name: string, artifactLocation?: string, tags?: Tag[]): Promise<string>;
  getExperiment(experimentId: string): Promise<Experiment>;
  getExperimentByName(name: string): Promise<Experiment>;
  searchExperiments(query: SearchExperimentsQuery): Promise<PagedList<Experiment>>;
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  deleteExperiment(experimentId: string): Promise<void>;
  restoreExperiment(experimentId: string): Promise<void>;
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void>;
  deleteExperimentTag(experimentId: string, key: string): Promise<void>;

  // runs
  createRun(input: CreateRunInput): Promise<Run>;
  getRun(runId: string): Promise<Run>;
  updateRun(runId: string, update: UpdateRunInput): Promise<RunInfo>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;
  searchRuns(query: SearchRunsQuery): Promise<PagedList<Run>>;

  // run data
  logMetric(runId: string, metric: Metric): Promise<void>;
  logParam(runId: string, param: Param): Promise<void>;
  setTag(runId: string, tag: Tag): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;
  /** Atomic: either everything in the batch is stored or nothing is. */
  logBatch(runId: string, batch: LogBatchInput): Promise<void>;
  logInputs(runId: string, inputs: DatasetInput[]): Promise<void>;
  /**
   * MLflow's record_logged_model: appends a logged model (an MLmodel as JSON text, the REST
   * `model_json`) to the run's `mlflow.log-model.history` tag, keeping MLflow's entry format.
   * Atomic: concurrent calls on one run are all kept. Refuses JSON that is not an object with
   * artifact_path, flavors, utc_time_created and run_id; the run must be active.
   */
  recordLoggedModel(runId: string, modelJson: string): Promise<void>;
  /**
   * Writes a run recorded elsewhere (a migration from MLflow) with its id, status, times and
   * lifecycle kept, in one transaction; a run whose id exists already is left untouched.
   */
  importRun(run: ImportedRun): Promise<ImportRunResult>;

  getMetricHistory(runId: string, metricKey: string, query?: MetricHistoryQuery): Promise<PagedList<Metric>>;
  getMetricHistoryBulkInterval(query: MetricHistoryBulkIntervalQuery): Promise<MetricWithRunId[]>;
}
