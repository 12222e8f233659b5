// ActiveRun: the handle startRun returns. Metrics, params and tags go through the batch logger
// (calls return at once); artifacts and inputs are written straight away and awaited.
import { createHash } from 'node:crypto';
import { stringify as toYaml } from 'yaml';
import { InvalidParameter } from '../core/errors.js';
import type { DatasetInput, Metric, RunInfo, RunStatus } from '../tracking/entities.js';
import type { BatchLogger } from './batch-logger.js';
import type { CairnClient, SearchRunsOptions } from './cairn-client.js';

export interface LogMetricOptions {
  step?: number;
  /** Milliseconds since the epoch; now when absent. */
  timestamp?: number;
}

export interface LogInputsOptions {
  name: string;
  /** Identifies the data's content; derived from the other fields when absent. */
  digest?: string;
  /** A JSON string, or an object serialised as JSON (MLflow's `{"mlflow_colspec": [...]}`). */
  schema?: string | object;
  profile?: string | object;
  /** Where the data came from (a path or a URL); a JSON string as MLflow's sources, or plain text. */
  source: string;
  /** MLflow's source type ('local', 'http', 'code', …), default 'local'. */
  sourceType?: string;
  /** 'training', 'validation', 'test', … stored as the `mlflow.data.context` input tag. */
  context?: string;
  tags?: Record<string, string>;
}

/** Something that renders itself as PNG bytes (a chart from src/plots, for example). */
export interface PngFigure {
  toPNG(): Uint8Array | Promise<Uint8Array>;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export interface RunContext {
  client: CairnClient;
  logger: BatchLogger;
  /** Called once the run has been terminated, to take it off the active-run stack. */
  onEnd(run: ActiveRun): void;
}

export class ActiveRun {
  private ended = false;

  constructor(
    readonly info: RunInfo,
    private readonly ctx: RunContext,
  ) {}

  get runId(): string {
    return this.info.runId;
  }
  get experimentId(): string {
    return this.info.experimentId;
  }
  get client(): CairnClient {
    return this.ctx.client;
  }
  get isEnded(): boolean {
    return this.ended;
  }

  logMetric(key: string, value: number, options: LogMetricOptions = {}): void {
    this.ctx.logger.logMetric(this.runId, {
      key,
      value,
      step: options.step ?? 0,
      timestamp: options.timestamp ?? Date.now(),
    });
  }

  logMetrics(metrics: Record<string, number>, options: LogMetricOptions = {}): void {
    const timestamp = options.timestamp ?? Date.now();
    const step = options.step ?? 0;
    const list: Metric[] = Object.entries(metrics).map(([key, value]) => ({ key, value, step, timestamp }));
    this.ctx.logger.enqueue(this.runId, { metrics: list });
  }

  logParam(key: string, value: unknown): void {
    this.ctx.logger.logParam(this.runId, { key, value: stringify(value) });
  }

  logParams(params: Record<string, unknown>): void {
    this.ctx.logger.enqueue(this.runId, {
      params: Object.entries(params).map(([key, value]) => ({ key, value: stringify(value) })),
    });
  }

  setTag(key: string, value: unknown): void {
    this.ctx.logger.setTag(this.runId, { key, value: String(value) });
  }

  setTags(tags: Record<string, unknown>): void {
    this.ctx.logger.enqueue(this.runId, {
      tags: Object.entries(tags).map(([key, value]) => ({ key, value: String(value) })),
    });
  }

  /** Waits for the tags queued before it, so a tag set then deleted ends up deleted. */
  async deleteTag(key: string): Promise<void> {
    await this.ctx.logger.flush(this.runId);
    await this.ctx.client.deleteTag(this.runId, key);
  }

  /** Resolves when everything queued for this run is stored; rejects with a failed batch's error. */
  flush(): Promise<void> {
    return this.ctx.logger.flush(this.runId);
  }

  logArtifact(localPath: string, artifactPath?: string): Promise<void> {
    return this.ctx.client.logArtifact(this.runId, localPath, artifactPath);
  }

  logArtifacts(localDir: string, artifactPath?: string): Promise<void> {
    return this.ctx.client.logArtifacts(this.runId, localDir, artifactPath);
  }

  /** YAML for `.yaml`/`.yml` files, JSON (indented) otherwise, as MLflow's log_dict. */
  logDict(dict: unknown, artifactFile: string): Promise<void> {
    const yaml = /\.ya?ml$/i.test(artifactFile);
    const text = yaml ? toYaml(dict) : `${JSON.stringify(dict, null, 2)}\n`;
    return this.ctx.client.logBytes(this.runId, text, artifactFile);
  }

  logText(text: string, artifactFile: string): Promise<void> {
    return this.ctx.client.logBytes(this.runId, text, artifactFile);
  }

  /** PNG bytes only: anything else is refused rather than stored under a misleading name. */
  async logImage(png: Uint8Array, artifactFile: string): Promise<void> {
    if (png.length < 8 || PNG_SIGNATURE.some((b, i) => png[i] !== b)) {
      throw new InvalidParameter(
        `logImage('${artifactFile}') expects PNG bytes (they must start with the PNG signature)`,
      );
    }
    return this.ctx.client.logBytes(this.runId, png, artifactFile);
  }

  async logFigure(figure: Uint8Array | PngFigure, artifactFile: string): Promise<void> {
    const png = figure instanceof Uint8Array ? figure : await figure.toPNG();
    return this.logImage(png, artifactFile);
  }

  logInputs(...inputs: LogInputsOptions[]): Promise<void> {
    return this.ctx.client.logInputs(this.runId, inputs.map(toDatasetInput));
  }

  /** The metric's full history, after flushing this run's queue. */
  async getMetricHistory(key: string): Promise<Metric[]> {
    await this.flush();
    return this.ctx.client.getMetricHistory(this.runId, key);
  }

  /** Flushes the queue, then records the end. A failed flush ends the run FAILED and rejects. */
  async end(status: RunStatus = 'FINISHED'): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    let failure: unknown;
    try {
      await this.ctx.logger.flush(this.runId);
    } catch (err) {
      failure = err;
    }
    try {
      await this.ctx.client.setTerminated(this.runId, failure ? 'FAILED' : status);
    } finally {
      this.ctx.onEnd(this);
    }
    if (failure) throw failure;
  }

  /** The run as stored now (after flushing this run's queue). */
  async fetch(): ReturnType<CairnClient['getRun']> {
    await this.flush();
    return this.ctx.client.getRun(this.runId);
  }

  searchRuns(
    filter?: string,
    orderBy?: string[],
    options: SearchRunsOptions = {},
  ): ReturnType<CairnClient['searchAllRuns']> {
    return this.ctx.client.searchAllRuns([this.experimentId], { ...options, filter, orderBy });
  }
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function toDatasetInput(o: LogInputsOptions): DatasetInput {
  const json = (v: string | object | undefined) => (v === undefined || typeof v === 'string' ? v : JSON.stringify(v));
  const schema = json(o.schema);
  const profile = json(o.profile);
  const sourceType = o.sourceType ?? 'local';
  const digest =
    o.digest ??
    createHash('sha256')
      .update(JSON.stringify([o.name, sourceType, o.source, schema ?? '', profile ?? '']))
      .digest('hex')
      .slice(0, 8);
  const tags = Object.entries(o.tags ?? {}).map(([key, value]) => ({ key, value }));
  if (o.context !== undefined) tags.push({ key: 'mlflow.data.context', value: o.context });
  return { tags, dataset: { name: o.name, digest, sourceType, source: o.source, schema, profile } };
}
