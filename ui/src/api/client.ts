// The one HTTP door of the UI: every call goes to the tracking server's REST API, and a failure
// becomes an ApiError carrying MLflow's `error_code` and the server's own message.
import type { Experiment, FileInfo, Metric, Run, RunsPage, ViewType } from './types.js';

const API = '/api/2.0/mlflow';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export async function readError(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { error_code?: string; message?: string };
    return new ApiError(res.status, body.error_code ?? 'UNKNOWN', body.message ?? text);
  } catch {
    return new ApiError(res.status, 'UNKNOWN', text || `HTTP ${res.status}`);
  }
}

async function request<T>(method: 'GET' | 'POST', endpoint: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let url = `${API}/${endpoint}`;
  const init: RequestInit = { method, signal, headers: {} };
  if (method === 'GET' && body) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) qs.append(k, String(item));
    }
    url += `?${qs}`;
  } else if (body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  const res = await fetch(url, init);
  if (!res.ok) throw await readError(res);
  return (await res.json()) as T;
}

export async function searchExperiments(viewType: ViewType, filter?: string): Promise<Experiment[]> {
  const out: Experiment[] = [];
  let pageToken: string | undefined;
  do {
    const page = await request<{ experiments?: Experiment[]; next_page_token?: string }>('POST', 'experiments/search', {
      view_type: viewType,
      max_results: 1000,
      filter: filter || undefined,
      page_token: pageToken,
    });
    out.push(...(page.experiments ?? []));
    pageToken = page.next_page_token;
  } while (pageToken);
  return out;
}

export async function getExperiment(id: string): Promise<Experiment> {
  const res = await request<{ experiment: Experiment }>('GET', 'experiments/get', { experiment_id: id });
  return res.experiment;
}

export async function createExperiment(name: string): Promise<string> {
  const res = await request<{ experiment_id: string }>('POST', 'experiments/create', { name });
  return res.experiment_id;
}

export const renameExperiment = (id: string, newName: string) =>
  request<unknown>('POST', 'experiments/update', { experiment_id: id, new_name: newName });
export const deleteExperiment = (id: string) => request<unknown>('POST', 'experiments/delete', { experiment_id: id });
export const restoreExperiment = (id: string) => request<unknown>('POST', 'experiments/restore', { experiment_id: id });

export interface RunSearch {
  experimentIds: string[];
  filter?: string;
  orderBy?: string[];
  viewType?: ViewType;
  maxResults?: number;
  pageToken?: string;
}

export function searchRuns(q: RunSearch, signal?: AbortSignal): Promise<RunsPage> {
  return request<RunsPage>(
    'POST',
    'runs/search',
    {
      experiment_ids: q.experimentIds,
      filter: q.filter || undefined,
      order_by: q.orderBy && q.orderBy.length > 0 ? q.orderBy : undefined,
      run_view_type: q.viewType ?? 'ACTIVE_ONLY',
      max_results: q.maxResults,
      page_token: q.pageToken,
    },
    signal,
  );
}

/** Every run matching the search, page after page (for the CSV download and counts). */
export async function searchAllRuns(
  q: RunSearch,
  onPage?: (loaded: number) => void,
  signal?: AbortSignal,
): Promise<Run[]> {
  const out: Run[] = [];
  let pageToken: string | undefined;
  do {
    const page = await searchRuns({ ...q, maxResults: q.maxResults ?? 1000, pageToken }, signal);
    out.push(...(page.runs ?? []));
    onPage?.(out.length);
    pageToken = page.next_page_token;
  } while (pageToken);
  return out;
}

export async function getRun(runId: string): Promise<Run> {
  const res = await request<{ run: Run }>('GET', 'runs/get', { run_id: runId });
  return res.run;
}

export const setRunTag = (runId: string, key: string, value: string) =>
  request<unknown>('POST', 'runs/set-tag', { run_id: runId, key, value });
export const deleteRunTag = (runId: string, key: string) =>
  request<unknown>('POST', 'runs/delete-tag', { run_id: runId, key });

export async function getMetricHistory(runId: string, key: string): Promise<Metric[]> {
  const out: Metric[] = [];
  let pageToken: string | undefined;
  do {
    const page = await request<{ metrics?: Metric[]; next_page_token?: string }>('GET', 'metrics/get-history', {
      run_id: runId,
      metric_key: key,
      max_results: 25000,
      page_token: pageToken,
    });
    out.push(...(page.metrics ?? []));
    pageToken = page.next_page_token;
  } while (pageToken);
  return out.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
}

export async function listArtifacts(runId: string, path: string): Promise<FileInfo[]> {
  const res = await request<{ files?: FileInfo[] }>('GET', 'artifacts/list', {
    run_id: runId,
    path: path || undefined,
  });
  return res.files ?? [];
}

/** The server's UI download route for one artifact file. */
export function artifactUrl(runId: string, path: string): string {
  return `/get-artifact?${new URLSearchParams({ run_id: runId, path })}`;
}

export async function fetchArtifactText(runId: string, path: string, maxBytes: number): Promise<string> {
  const res = await fetch(artifactUrl(runId, path));
  if (!res.ok) throw await readError(res);
  const buf = await res.arrayBuffer();
  return new TextDecoder().decode(buf.byteLength > maxBytes ? buf.slice(0, maxBytes) : buf);
}
