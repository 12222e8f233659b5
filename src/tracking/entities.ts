// Tracking entities, shaped like MLflow's protos (service.proto) but in camelCase;
// the REST layer converts to and from MLflow's snake_case JSON.

export type LifecycleStage = 'active' | 'deleted';
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
/** MLflow's ViewType: which lifecycle stages a search returns. */
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

import type { Int64 } from '../core/int64.js';

export interface Tag {
  key: string;
  value: string;
}
export interface Param {
  key: string;
  value: string;
}
export interface Metric {
  key: string;
  /** NaN, Infinity and -Infinity are legal values and round-trip. */
  value: number;
  /** Milliseconds since the epoch; int64 as the proto (a bigint only beyond 2^53). */
  timestamp: Int64;
  /** int64 as the proto: a number, or a bigint beyond 2^53 (step 2^62 is legal). */
  step: Int64;
}

export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  creationTime: number;
  lastUpdateTime: number;
  tags: Tag[];
}

export interface RunInfo {
  runId: string;
  runName: string;
  experimentId: string;
  userId: string;
  status: RunStatus;
  /** Milliseconds since 1970, an int64 as in service.proto: a bigint beyond 2^53 (see core/int64.ts). */
  startTime: Int64;
  /** null while the run has not ended. */
  endTime: Int64 | null;
  artifactUri: string;
  lifecycleStage: LifecycleStage;
}

export interface Dataset {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema?: string;
  profile?: string;
}
export interface DatasetInput {
  tags: Tag[];
  dataset: Dataset;
}

export interface RunData {
  /** The latest value of each metric (max step, then max timestamp, then max value, as MLflow). */
  metrics: Metric[];
  params: Param[];
  tags: Tag[];
}

export interface Run {
  info: RunInfo;
  data: RunData;
  inputs: { datasetInputs: DatasetInput[] };
}

export interface PagedList<T> {
  items: T[];
  /** Opaque token for the next page; absent on the last page. */
  nextPageToken?: string;
}
