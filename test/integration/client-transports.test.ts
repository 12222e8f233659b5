// CairnClient contract over every transport: direct to a SQLite file, direct to a real PostgreSQL,
// and REST to a Cairn server on loopback (artifacts through its proxy).
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient } from '../../src/client/cairn-client.js';
import { AlreadyExists, InvalidParameter, NotFound } from '../../src/core/errors.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { lacks } from '../support/requirements.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { startTestServer, type TestServer } from './server-harness.js';

interface Backend {
  name: string;
  open(): Promise<CairnClient>;
  stop(): Promise<void>;
}

const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-client-'));

function sqliteBackend(): Backend {
  return {
    name: 'sqlite (direct)',
    open: () =>
      CairnClient.open(`sqlite:///${path.join(tmp, 'direct.db')}`, {
        artifactRoot: path.join(tmp, 'direct-artifacts'),
      }),
    stop: async () => {},
  };
}

// one PostgreSQL server for the file, a fresh database per backend
let pgServer: Promise<TestPostgres> | undefined;
const postgres = () => (pgServer ??= startPostgres());
afterAll(async () => {
  if (pgServer) await (await pgServer).stop();
});

function postgresBackend(): Backend {
  return {
    name: 'postgres (direct)',
    async open() {
      const uri = await (await postgres()).createDatabase();
      return CairnClient.open(uri, { artifactRoot: path.join(tmp, 'pg-artifacts') });
    },
    stop: async () => {},
  };
}

function restPostgresBackend(): Backend {
  let server: RunningServer | undefined;
  return {
    name: 'rest (Cairn server on PostgreSQL)',
    async open() {
      server = await startServer({
        backendStoreUri: await (await postgres()).createDatabase(),
        artifactsDestination: path.join(tmp, 'server-pg-artifacts'),
        serveArtifacts: true,
        host: '127.0.0.1',
        port: 0,
        logLevel: 'silent',
      });
      return CairnClient.open(server.url, { retry: { maxRetries: 1 } });
    },
    stop: async () => {
      await server?.close();
    },
  };
}

function restBackend(): Backend {
  let server: TestServer | undefined;
  return {
    name: 'rest (Cairn server)',
    async open() {
      server = await startTestServer();
      return CairnClient.open(server.url, { retry: { maxRetries: 1 } });
    },
    stop: async () => {
      await server?.close();
    },
  };
}

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const backends = lacks('postgres')
  ? [sqliteBackend(), restBackend()]
  : [sqliteBackend(), postgresBackend(), restBackend(), restPostgresBackend()];
describe.each(backends)('CairnClient over $name', (backend) => {
  let client: CairnClient;
  beforeAll(async () => {
    client = await backend.open();
  });
  afterAll(async () => {
    await client?.close();
    await backend.stop();
  });

  it('creates, finds, tags, renames, deletes and restores experiments', async () => {
    const id = await client.createExperiment('exp-crud', { tags: { team: 'cardio' } });
    const exp = await client.getExperiment(id);
    expect(exp).toMatchObject({ experimentId: id, name: 'exp-crud', lifecycleStage: 'active' });
    expect(exp.tags).toContainEqual({ key: 'team', value: 'cardio' });
    expect((await client.getExperimentByName('exp-crud'))?.experimentId).toBe(id);
    expect(await client.getExperimentByName('no-such-experiment')).toBeUndefined();
    await expect(client.createExperiment('exp-crud')).rejects.toBeInstanceOf(AlreadyExists);

    await client.setExperimentTag(id, 'stage', 'dev');
    await client.deleteExperimentTag(id, 'team');
    const tagged = await client.getExperiment(id);
    expect(tagged.tags).toEqual([{ key: 'stage', value: 'dev' }]);

    await client.renameExperiment(id, 'exp-crud-renamed');
    expect((await client.getExperiment(id)).name).toBe('exp-crud-renamed');
    const found = await client.searchExperiments({ filter: "name LIKE 'exp-crud%'" });
    expect(found.items.map((e) => e.experimentId)).toEqual([id]);

    await client.deleteExperiment(id);
    expect((await client.getExperiment(id)).lifecycleStage).toBe('deleted');
    expect((await client.searchExperiments({ filter: "name = 'exp-crud-renamed'" })).items).toHaveLength(0);
    await client.restoreExperiment(id);
    expect((await client.getExperiment(id)).lifecycleStage).toBe('active');
    await expect(client.getExperiment('987654')).rejects.toBeInstanceOf(NotFound);
  });

  it('runs: create, log, get, update, search, delete, restore', async () => {
    const expId = await client.createExperiment('exp-runs');
    const run = await client.createRun(expId, { runName: 'first', tags: { owner: 'ann' } });
    const runId = run.info.runId;
    expect(run.info).toMatchObject({ runName: 'first', experimentId: expId, status: 'RUNNING', endTime: null });

    await client.logParam(runId, 'lr', 0.1);
    await client.logMetric(runId, 'loss', 0.5, { step: 1, timestamp: 1000 });
    await client.logMetric(runId, 'loss', NaN, { step: 2, timestamp: 2000 });
    await client.logMetric(runId, 'loss', 0.25, { step: 3, timestamp: 3000 });
    await client.setTag(runId, 'phase', 'train');
    await client.setTag(runId, 'tmp', 'x');
    await client.deleteTag(runId, 'tmp');
    await client.logInputs(runId, [
      {
        tags: [{ key: 'mlflow.data.context', value: 'training' }],
        dataset: {
          name: 'heart',
          digest: 'abc123',
          sourceType: 'local',
          source: '{"uri": "heart.csv"}',
          schema: '{"cols": []}',
        },
      },
    ]);

    const got = await client.getRun(runId);
    expect(got.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(got.data.metrics).toEqual([{ key: 'loss', value: 0.25, timestamp: 3000, step: 3 }]);
    const tags = Object.fromEntries(got.data.tags.map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({ owner: 'ann', phase: 'train', 'mlflow.runName': 'first' });
    expect(tags.tmp).toBeUndefined();
    expect(got.inputs.datasetInputs).toHaveLength(1);
    expect(got.inputs.datasetInputs[0].dataset).toMatchObject({
      name: 'heart',
      digest: 'abc123',
      schema: '{"cols": []}',
    });

    const history = await client.getMetricHistory(runId, 'loss');
    expect(history.map((m) => m.step)).toEqual([1, 2, 3]);
    expect(Number.isNaN(history[1].value)).toBe(true);

    await expect(client.logParam(runId, 'lr', 0.2)).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
    await expect(client.logParam(runId, 'lr', 0.2)).rejects.toBeInstanceOf(InvalidParameter);

    const ended = await client.setTerminated(runId, 'FINISHED', 5000);
    expect(ended).toMatchObject({ status: 'FINISHED', endTime: 5000 });
    const renamed = await client.updateRun(runId, { runName: 'renamed' });
    expect(renamed.runName).toBe('renamed');

    const second = await client.createRun(expId, { runName: 'second' });
    await client.logMetric(second.info.runId, 'loss', 0.9);
    const byLoss = await client.searchRuns([expId], { filter: 'metrics.loss < 0.5' });
    expect(byLoss.items.map((r) => r.info.runId)).toEqual([runId]);
    const ordered = await client.searchAllRuns([expId], { orderBy: ['metrics.loss DESC'], maxResults: 1 });
    expect(ordered.map((r) => r.info.runName)).toEqual(['second', 'renamed']);

    await client.deleteRun(second.info.runId);
    expect((await client.getRun(second.info.runId)).info.lifecycleStage).toBe('deleted');
    expect((await client.searchRuns([expId])).items).toHaveLength(1);
    await client.restoreRun(second.info.runId);
    expect((await client.searchRuns([expId])).items).toHaveLength(2);
    await expect(client.getRun('0123456789abcdef0123456789abcdef')).rejects.toBeInstanceOf(NotFound);
  });

  it('logBatch splits past MLflow limits; metric history pages through everything', async () => {
    const expId = await client.createExperiment('exp-batch');
    const runId = (await client.createRun(expId)).info.runId;
    const metrics = Array.from({ length: 2500 }, (_, i) => ({
      key: 'acc',
      value: i / 2500,
      timestamp: 1_000_000 + i,
      step: i,
    }));
    const params = Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
    const tags = Array.from({ length: 120 }, (_, i) => ({ key: `t${i}`, value: String(i) }));
    await client.logBatch(runId, { metrics, params, tags });
    const run = await client.getRun(runId);
    expect(run.data.params).toHaveLength(150);
    expect(run.data.tags.filter((t) => /^t\d+$/.test(t.key))).toHaveLength(120);
    const pages: number[] = [];
    for await (const page of client.iterMetricHistory(runId, 'acc', 1000)) pages.push(page.length);
    expect(pages).toEqual([1000, 1000, 500]);
    const history = await client.getMetricHistory(runId, 'acc', 700);
    expect(history.map((m) => m.step)).toEqual(metrics.map((m) => m.step));
    expect(history.map((m) => m.value)).toEqual(metrics.map((m) => m.value));
    const bulk = await client.getMetricHistoryBulkInterval({ runIds: [runId], metricKey: 'acc', maxResults: 10 });
    expect(bulk.length).toBeGreaterThan(0);
    expect(bulk.every((m) => m.runId === runId)).toBe(true);
  });

  it('uploads, lists and downloads artifacts', async () => {
    const expId = await client.createExperiment('exp-artifacts');
    const created = await client.createRun(expId);
    const runId = created.info.runId;
    // REST goes through the server's artifact proxy; direct stores write under their local root
    expect(created.info.artifactUri).toMatch(backend.name.startsWith('rest') ? /^mlflow-artifacts:\// : /^\//);
    const slug = backend.name.replace(/\W+/g, '-');
    const src = path.join(tmp, `src-${slug}`);
    mkdirSync(path.join(src, 'sub'), { recursive: true });
    writeFileSync(path.join(src, 'a.txt'), 'alpha');
    writeFileSync(path.join(src, 'sub', 'b.bin'), Buffer.alloc(300_000, 7));
    const single = path.join(tmp, 'model.json');
    writeFileSync(single, '{"w": [1, 2]}');

    await client.logArtifact(runId, single);
    await client.logArtifact(runId, single, 'models/v1');
    await client.logArtifacts(runId, src, 'data');
    await client.logBytes(runId, 'hello', 'notes/readme.md');

    const root = await client.listArtifacts(runId);
    expect(root.map((f) => [f.path, f.isDir])).toEqual([
      ['data', true],
      ['model.json', false],
      ['models', true],
      ['notes', true],
    ]);
    const data = await client.listArtifacts(runId, 'data');
    expect(data).toEqual([
      { path: 'data/a.txt', isDir: false, fileSize: 5 },
      { path: 'data/sub', isDir: true },
    ]);
    expect((await client.readArtifact(runId, 'models/v1/model.json')).toString()).toBe('{"w": [1, 2]}');

    const dst = path.join(tmp, `dl-${slug}`);
    const local = await client.downloadArtifacts(runId, 'data', dst);
    expect(readFileSync(path.join(local, 'a.txt'), 'utf8')).toBe('alpha');
    expect(readFileSync(path.join(local, 'sub', 'b.bin')).equals(Buffer.alloc(300_000, 7))).toBe(true);
    const file = await client.downloadArtifacts(runId, 'notes/readme.md', dst);
    expect(readFileSync(file, 'utf8')).toBe('hello');
    await expect(client.readArtifact(runId, 'missing.txt')).rejects.toBeInstanceOf(NotFound);
  });
});

describe('one store, two transports', () => {
  it("a direct client reads what went through the server's artifact proxy (mlflow-artifacts:/ maps to its root)", async () => {
    const server = await startTestServer();
    const rest = await CairnClient.open(server.url);
    const direct = await CairnClient.open(`sqlite:///${path.join(server.dir, 'cairn.db')}`, {
      artifactRoot: server.artifactsDir,
    });
    try {
      const expId = await rest.createExperiment('shared');
      const runId = (await rest.createRun(expId)).info.runId;
      await rest.logBytes(runId, 'via proxy', 'a/b.txt');
      await rest.logMetric(runId, 'm', 1.5, { step: 2 });
      expect((await direct.getRun(runId)).data.metrics).toMatchObject([{ key: 'm', value: 1.5, step: 2 }]);
      expect((await direct.readArtifact(runId, 'a/b.txt')).toString()).toBe('via proxy');
      await direct.logBytes(runId, 'direct', 'c.txt');
      expect((await rest.listArtifacts(runId)).map((f) => f.path)).toEqual(['a', 'c.txt']);
    } finally {
      await direct.close();
      await rest.close();
      await server.close();
    }
  });
});
