// The npm `mlflow` client (Yuhsak/mlflow 2.0.7, a thin REST wrapper) drives a real Cairn server:
// experiments, runs, metrics/params/tags, search, metric history, lifecycle, errors.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../support/cairn-server.js';

// The package is CommonJS whose module.exports is the client class; its bundled typings describe
// an ES default export instead, so the surface used here is typed locally.
interface KV {
  key: string;
  value: string;
}
interface MetricJson {
  key: string;
  value: number;
  timestamp: number;
  step?: number | string;
}
interface RunJson {
  info: { run_id: string; experiment_id: string; status: string; lifecycle_stage: string; end_time?: number | string };
  data: { metrics?: MetricJson[]; params?: KV[]; tags?: KV[] };
}
interface ExperimentJson {
  experiment_id: string;
  name: string;
  lifecycle_stage: string;
}
interface NpmMlflowClient {
  Experiments: {
    create(a: { name: string; artifact_location?: string }): Promise<{ experiment_id: string }>;
    get(a: { experiment_id: string }): Promise<{ experiment: ExperimentJson }>;
    update(a: { experiment_id: string; new_name: string }): Promise<unknown>;
    delete(a: { experiment_id: string }): Promise<unknown>;
    restore(a: { experiment_id: string }): Promise<unknown>;
  };
  Runs: {
    create(a: { experiment_id: string; user_id?: string; start_time?: number; tags?: KV[] }): Promise<{ run: RunJson }>;
    get(a: { run_id: string }): Promise<{ run: RunJson }>;
    logMetric(a: { run_id: string; key: string; value: number; timestamp: number; step?: number }): Promise<unknown>;
    logParameter(a: KV & { run_id: string }): Promise<unknown>;
    setTag(a: KV & { run_id: string }): Promise<unknown>;
    deleteTag(a: { run_id: string; key: string }): Promise<unknown>;
    logBatch(a: { run_id: string; metrics?: MetricJson[]; params?: KV[]; tags?: KV[] }): Promise<unknown>;
    search(a: {
      experiment_ids: string[];
      filter?: string;
      run_view_type?: string;
      max_results?: number;
      order_by?: string[];
      page_token?: string;
    }): Promise<{ runs?: RunJson[]; next_page_token?: string }>;
    update(a: { run_id: string; status?: string; end_time?: number }): Promise<unknown>;
    delete(a: { run_id: string }): Promise<unknown>;
    restore(a: { run_id: string }): Promise<unknown>;
  };
  Metrics: { getHistory(a: { run_id: string; metric_key: string }): Promise<{ metrics?: MetricJson[] }> };
  Artifacts: { list(a: { run_id: string; path?: string }): Promise<{ root_uri?: string; files?: unknown[] }> };
}
type NpmMlflowCtor = new (a: { endpoint: string }) => NpmMlflowClient;
const MLflow = createRequire(import.meta.url)('mlflow') as NpmMlflowCtor;

const kv = (list: KV[] | undefined) => Object.fromEntries((list ?? []).map((t) => [t.key, t.value]));

describe('npm mlflow client against Cairn', () => {
  let server: TestServer;
  let client: NpmMlflowClient;
  const suffix = `${Date.now()}-${process.pid}`;

  beforeAll(async () => {
    server = await startTestServer();
    client = new MLflow({ endpoint: server.url });
    // the package prints every POST body with console.log
    vi.spyOn(console, 'log').mockImplementation(() => {});
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await server?.close();
  });

  it('creates an experiment and a run, logs, searches and reads history', async () => {
    const name = `npm-client-${suffix}`;
    const { experiment_id: expId } = await client.Experiments.create({ name });
    expect(expId).toMatch(/^\d+$/);
    const { experiment } = await client.Experiments.get({ experiment_id: expId });
    expect(experiment).toMatchObject({ experiment_id: expId, name, lifecycle_stage: 'active' });

    const t0 = Date.now();
    const runIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { run } = await client.Runs.create({
        experiment_id: expId,
        start_time: t0 + i,
        tags: [{ key: 'idx', value: String(i) }],
      });
      expect(run.info).toMatchObject({ experiment_id: expId, status: 'RUNNING', lifecycle_stage: 'active' });
      runIds.push(run.info.run_id);
      await client.Runs.logParameter({ run_id: run.info.run_id, key: 'model', value: i === 1 ? 'rf' : 'lr' });
      for (let step = 0; step < 5; step++) {
        await client.Runs.logMetric({
          run_id: run.info.run_id,
          key: 'auc',
          value: 0.5 + i * 0.1 + step * 0.01,
          timestamp: t0 + step,
          step,
        });
      }
      await client.Runs.setTag({ run_id: run.info.run_id, key: 'team', value: 'cardio' });
      await client.Runs.setTag({ run_id: run.info.run_id, key: 'scratch', value: 'x' });
      await client.Runs.deleteTag({ run_id: run.info.run_id, key: 'scratch' });
      await client.Runs.logBatch({
        run_id: run.info.run_id,
        metrics: [{ key: 'loss', value: 1 - i * 0.2, timestamp: t0, step: 0 }],
        params: [{ key: 'seed', value: '42' }],
        tags: [{ key: 'batch', value: 'yes' }],
      });
      await client.Runs.update({ run_id: run.info.run_id, status: 'FINISHED', end_time: t0 + 1000 });
    }

    const { run } = await client.Runs.get({ run_id: runIds[2] });
    expect(run.info.status).toBe('FINISHED');
    expect(Number(run.info.end_time)).toBe(t0 + 1000);
    expect(kv(run.data.params)).toEqual({ model: 'lr', seed: '42' });
    const tags = kv(run.data.tags);
    expect(tags).toMatchObject({ idx: '2', team: 'cardio', batch: 'yes' });
    expect(tags).not.toHaveProperty('scratch');
    const metrics = Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, m.value]));
    expect(metrics.auc).toBeCloseTo(0.74, 12);
    expect(metrics.loss).toBeCloseTo(0.6, 12);

    const found = await client.Runs.search({
      experiment_ids: [expId],
      filter: "metrics.auc > 0.6 and params.model = 'lr'",
      order_by: ['metrics.auc DESC'],
      run_view_type: 'ACTIVE_ONLY',
    });
    expect((found.runs ?? []).map((r) => r.info.run_id)).toEqual([runIds[2]]);
    const all = await client.Runs.search({ experiment_ids: [expId], order_by: ['metrics.loss ASC'] });
    expect((all.runs ?? []).map((r) => r.info.run_id)).toEqual([runIds[2], runIds[1], runIds[0]]);
    const page = await client.Runs.search({ experiment_ids: [expId], order_by: ['metrics.loss ASC'], max_results: 2 });
    expect(page.runs).toHaveLength(2);
    expect(page.next_page_token).toBeTruthy();
    const page2 = await client.Runs.search({
      experiment_ids: [expId],
      order_by: ['metrics.loss ASC'],
      max_results: 2,
      page_token: page.next_page_token,
    });
    expect((page2.runs ?? []).map((r) => r.info.run_id)).toEqual([runIds[0]]);

    const history = await client.Metrics.getHistory({ run_id: runIds[1], metric_key: 'auc' });
    const points = (history.metrics ?? []).map((m) => [Number(m.step ?? 0), m.value, Number(m.timestamp)]);
    points.sort((a, b) => a[0] - b[0]);
    expect(points.map((p) => p[0])).toEqual([0, 1, 2, 3, 4]);
    points.forEach(([step, value, ts]) => {
      expect(value).toBeCloseTo(0.6 + step * 0.01, 12);
      expect(ts).toBe(t0 + step);
    });

    const listed = await client.Artifacts.list({ run_id: runIds[0] });
    expect(listed.files ?? []).toEqual([]);
  });

  it('deletes, restores and renames through the client', async () => {
    const { experiment_id: expId } = await client.Experiments.create({ name: `npm-life-${suffix}` });
    const { run } = await client.Runs.create({ experiment_id: expId, start_time: Date.now() });
    const runId = run.info.run_id;

    await client.Runs.delete({ run_id: runId });
    expect((await client.Runs.get({ run_id: runId })).run.info.lifecycle_stage).toBe('deleted');
    const deleted = await client.Runs.search({ experiment_ids: [expId], run_view_type: 'DELETED_ONLY' });
    expect((deleted.runs ?? []).map((r) => r.info.run_id)).toEqual([runId]);
    expect((await client.Runs.search({ experiment_ids: [expId] })).runs ?? []).toEqual([]);
    await client.Runs.restore({ run_id: runId });
    expect((await client.Runs.get({ run_id: runId })).run.info.lifecycle_stage).toBe('active');

    await client.Experiments.update({ experiment_id: expId, new_name: `npm-renamed-${suffix}` });
    expect((await client.Experiments.get({ experiment_id: expId })).experiment.name).toBe(`npm-renamed-${suffix}`);
    await client.Experiments.delete({ experiment_id: expId });
    expect((await client.Experiments.get({ experiment_id: expId })).experiment.lifecycle_stage).toBe('deleted');
    await client.Experiments.restore({ experiment_id: expId });
    expect((await client.Experiments.get({ experiment_id: expId })).experiment.lifecycle_stage).toBe('active');
  });

  it('surfaces MLflow error bodies for missing runs and changed params', async () => {
    const missing = client.Runs.get({ run_id: 'f'.repeat(32) });
    await expect(missing).rejects.toThrow(/"status":404/);
    await expect(client.Runs.get({ run_id: 'f'.repeat(32) })).rejects.toThrow(/RESOURCE_DOES_NOT_EXIST/);

    const { experiment_id: expId } = await client.Experiments.create({ name: `npm-errors-${suffix}` });
    const { run } = await client.Runs.create({ experiment_id: expId, start_time: Date.now() });
    await client.Runs.logParameter({ run_id: run.info.run_id, key: 'lr', value: '0.1' });
    await expect(client.Runs.logParameter({ run_id: run.info.run_id, key: 'lr', value: '0.2' })).rejects.toThrow(
      /INVALID_PARAMETER_VALUE/,
    );
    await expect(client.Experiments.create({ name: `npm-errors-${suffix}` })).rejects.toThrow(
      /RESOURCE_ALREADY_EXISTS/,
    );
    expect(kv((await client.Runs.get({ run_id: run.info.run_id })).run.data.params)).toEqual({ lr: '0.1' });
  });
});
