// The MLflow REST JSON shapes the UI reads (snake_case, as the server sends them).

export interface KeyValue {
  key: string;
  value: string;
}

export interface Metric {
  key: string;
  /** A number, or "NaN" / "Infinity" / "-Infinity" as MLflow's JSON writes them. */
  value: number | string;
  timestamp: number;
  step: number;
}

export interface ExperimentTag {
  key: string;
  value: string;
}

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage: 'active' | 'deleted';
  last_update_time?: number;
  creation_time?: number;
  tags?: ExperimentTag[];
}

export interface RunInfo {
  run_id: string;
  run_name?: string;
  experiment_id: string;
  user_id?: string;
  status: string;
  start_time?: number;
  end_time?: number;
  artifact_uri?: string;
  lifecycle_stage: string;
}

export interface Run {
  info: RunInfo;
  data: { metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] };
}

export interface RunsPage {
  runs?: Run[];
  next_page_token?: string;
}

export interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
