// One HTTP connection to a tracking server: auth headers, per-attempt timeouts, bounded retries
// with exponential backoff for 408/429/5xx and network errors, and MLflow error bodies mapped to
// CairnError subclasses. Keep-alive comes from Node's fetch (undici's pooled agent).
import { backoffDelay } from '../core/backoff.js';
import { parseExactJson, stringifyExactJson } from '../core/exact-json.js';
import {
  AlreadyExists,
  CairnError,
  ERROR_HTTP_STATUS,
  InvalidParameter,
  InvalidState,
  NotFound,
  type ErrorCode,
} from '../core/errors.js';

export interface RetryPolicy {
  /** Retries after the first attempt (MLflow's MLFLOW_HTTP_REQUEST_MAX_RETRIES). */
  maxRetries: number;
  /** First backoff delay; doubles per retry up to `maxDelayMs`, with up to 50 % random jitter. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Per-attempt timeout (MLFLOW_HTTP_REQUEST_TIMEOUT, in seconds there). */
  timeoutMs: number;
}

export interface HttpConnectionOptions {
  retry?: Partial<RetryPolicy>;
  /** Extra headers on every request (e.g. a custom auth scheme). */
  headers?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
}

const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const transientErrors = new WeakSet<object>();

/** True when the failure may pass if retried later: network errors, timeouts, 408/429/5xx. */
export function isTransientError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && transientErrors.has(err);
}

/** Marks an error as worth retrying (for transports other than HTTP, and tests). */
export function markTransient<E extends object>(err: E): E {
  transientErrors.add(err);
  return err;
}

/** An MLflow error body as the matching CairnError subclass; unknown codes fall back on the status. */
export function errorFromResponse(status: number, body: string, what: string): CairnError {
  let code: string | undefined;
  let message = body.trim().slice(0, 2000) || `HTTP ${status}`;
  try {
    const json = JSON.parse(body) as { error_code?: unknown; message?: unknown };
    if (typeof json.error_code === 'string') code = json.error_code;
    if (typeof json.message === 'string') message = json.message;
  } catch {
    /* not JSON: keep the raw text */
  }
  let err: CairnError;
  switch (code) {
    case 'RESOURCE_DOES_NOT_EXIST':
      err = new NotFound(message);
      break;
    case 'RESOURCE_ALREADY_EXISTS':
      err = new AlreadyExists(message);
      break;
    case 'INVALID_PARAMETER_VALUE':
      err = new InvalidParameter(message);
      break;
    case 'INVALID_STATE':
      err = new InvalidState(message);
      break;
    default:
      if (code !== undefined && code in ERROR_HTTP_STATUS) err = new CairnError(code as ErrorCode, message);
      else
        err = new CairnError(
          codeForStatus(status),
          code ? `${code}: ${message}` : `${what} answered HTTP ${status}: ${message}`,
        );
  }
  return RETRY_STATUSES.has(status) ? markTransient(err) : err;
}

function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'PERMISSION_DENIED';
  if (status === 404) return 'ENDPOINT_NOT_FOUND';
  if (status === 429) return 'REQUEST_LIMIT_EXCEEDED';
  if (status === 501) return 'NOT_IMPLEMENTED';
  if (status === 503 || status === 502 || status === 504 || status === 408) return 'TEMPORARILY_UNAVAILABLE';
  if (status >= 500) return 'INTERNAL_ERROR';
  return 'BAD_REQUEST';
}

/** Authorization from MLFLOW_TRACKING_TOKEN (Bearer) or MLFLOW_TRACKING_USERNAME/PASSWORD (Basic). */
export function authHeaders(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (env.MLFLOW_TRACKING_TOKEN) return { authorization: `Bearer ${env.MLFLOW_TRACKING_TOKEN}` };
  if (env.MLFLOW_TRACKING_USERNAME !== undefined && env.MLFLOW_TRACKING_PASSWORD !== undefined) {
    const basic = Buffer.from(`${env.MLFLOW_TRACKING_USERNAME}:${env.MLFLOW_TRACKING_PASSWORD}`).toString('base64');
    return { authorization: `Basic ${basic}` };
  }
  return {};
}

function envNumber(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new InvalidParameter(`${name} must be a non-negative number, got '${raw}'`);
  return n;
}

export function retryPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
  const timeoutS = envNumber(env, 'MLFLOW_HTTP_REQUEST_TIMEOUT');
  return {
    maxRetries: envNumber(env, 'MLFLOW_HTTP_REQUEST_MAX_RETRIES') ?? 7,
    initialDelayMs: 100,
    maxDelayMs: 5000,
    timeoutMs: timeoutS !== undefined ? timeoutS * 1000 : 120_000,
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Path below the server URL, already encoded, with any query string. */
  path: string;
  /** Called once per attempt, so a streamed body can be re-created for a retry. */
  body?: () => BodyInit | undefined;
  headers?: Record<string, string>;
}

export class HttpConnection {
  readonly baseUrl: string;
  readonly policy: RetryPolicy;
  private readonly headers: Record<string, string>;

  constructor(baseUrl: string, options: HttpConnectionOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    const env = options.env ?? process.env;
    if (
      /^(true|1)$/i.test(env.MLFLOW_TRACKING_INSECURE_TLS ?? '') &&
      /^https:/i.test(this.baseUrl) &&
      process.env.NODE_TLS_REJECT_UNAUTHORIZED !== '0'
    ) {
      // Node's fetch takes no per-request TLS options without undici's Agent, which Cairn does not ship
      throw new InvalidParameter(
        'MLFLOW_TRACKING_INSECURE_TLS=true is not supported per connection by this client; ' +
          'set NODE_TLS_REJECT_UNAUTHORIZED=0 for the process instead (it disables certificate checks everywhere).',
      );
    }
    this.policy = { ...retryPolicyFromEnv(env), ...options.retry };
    this.headers = { ...authHeaders(env), ...options.headers };
  }

  /** Sends with retries; resolves with the successful response (body unread) or throws a CairnError. */
  async send(req: HttpRequest): Promise<Response> {
    const what = `${req.method} ${req.path.split('?')[0]}`;
    for (let attempt = 0; ; attempt++) {
      let err: CairnError;
      try {
        const body = req.body?.();
        const init: RequestInit & { duplex?: 'half' } = {
          method: req.method,
          headers: { ...this.headers, ...req.headers },
          body,
          signal: AbortSignal.timeout(this.policy.timeoutMs),
        };
        if (body instanceof ReadableStream) init.duplex = 'half';
        const res = await fetch(`${this.baseUrl}${req.path}`, init);
        if (res.ok) return res;
        err = errorFromResponse(res.status, await res.text(), what);
      } catch (e) {
        if (e instanceof CairnError) throw e;
        const cause = (e as Error & { cause?: { code?: string; message?: string } }).cause;
        const detail = cause?.code ?? cause?.message ?? (e as Error).message;
        const message = `cannot reach ${this.baseUrl} (${detail}) for ${what}`;
        err = markTransient(new CairnError('TEMPORARILY_UNAVAILABLE', message));
      }
      if (!isTransientError(err) || attempt >= this.policy.maxRetries) throw err;
      await sleep(backoffDelay(this.policy, attempt));
    }
  }

  /** JSON request/response; GET payloads become a query string (lists as repeated keys, as requests does). */
  async json(
    method: HttpRequest['method'],
    path: string,
    payload: Record<string, unknown> = {},
    extraHeaders: Record<string, string> = {},
  ): Promise<Record<string, unknown>> {
    let fullPath = path;
    let body: (() => BodyInit) | undefined;
    const headers: Record<string, string> = { ...extraHeaders };
    if (method === 'GET') {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(payload)) {
        if (v === undefined || v === null) continue;
        for (const item of Array.isArray(v) ? v : [v]) qs.append(k, String(item));
      }
      const q = qs.toString();
      if (q) fullPath += `?${q}`;
    } else {
      const text = stringifyExactJson(payload);
      body = () => text;
      headers['content-type'] = 'application/json';
    }
    const res = await this.send({ method, path: fullPath, body, headers });
    const text = await res.text();
    if (text.trim() === '') return {};
    try {
      // int64s beyond 2^53 (steps, timestamps, run times) come back exact, as bigints
      return parseExactJson(text) as Record<string, unknown>;
    } catch {
      throw new CairnError(
        'INTERNAL_ERROR',
        `${method} ${path} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`,
      );
    }
  }
}
