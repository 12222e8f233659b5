// `cairn experiments|runs|models|webhook` straight on a database (--tracking-uri sqlite:///… and
// postgresql://…), no server: the same commands and output as over HTTP (cli-tracking, cli-models,
// registry-webhooks), and unknown experiments or models are errors with exit status 1.
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient } from '../../src/client/cairn-client.js';
import { runCairnCli } from '../support/cairn-cli.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

// every command is a fresh `node --import tsx` process: allow for a loaded machine
const CLI_TEST_TIMEOUT = 300_000;

const dir = mkdtempSync(path.join(tmpdir(), 'cairn-cli-db-'));
let pg: TestPostgres | undefined;
afterAll(async () => {
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const backends: Array<{ name: string; uri: () => Promise<string> }> = [
  { name: 'sqlite', uri: async () => `sqlite:///${path.join(dir, 'cli.db')}` },
  {
    name: 'postgres',
    uri: async () => {
      pg ??= await startPostgres();
      return pg.uri;
    },
  },
];

describe.each(backends)('cairn on a $name database', (backend) => {
  let uri: string;
  let client: CairnClient;
  const cairn = (args: string[], env: Record<string, string> = {}) =>
    runCairnCli([...args, '--tracking-uri', uri], env);

  beforeAll(async () => {
    uri = await backend.uri();
    client = await CairnClient.open(uri, { artifactRoot: path.join(dir, `${backend.name}-artifacts`) });
  });
  afterAll(async () => {
    await client?.close();
  });

  async function runWith(experimentId: string, name: string, metrics: Record<string, number>): Promise<string> {
    const run = await client.createRun(experimentId, { runName: name, startTime: 1000 });
    await client.logBatch(run.info.runId, {
      metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: 1, step: 0 })),
      params: [{ key: 'model', value: name }],
    });
    return run.info.runId;
  }

  it(
    'creates, lists, renames, exports experiments; lists, describes, compares, deletes, restores runs',
    async () => {
      const created = await cairn(['experiments', 'create', 'heart-disease']);
      expect(created.stderr).toBe('');
      expect(created.status).toBe(0);
      const expId = created.stdout.trim();
      const listed = await cairn(['experiments', 'list']);
      expect(listed.stdout).toMatch(new RegExp(`^${expId}\\s+heart-disease\\s+active`, 'm'));

      const ids: string[] = [];
      for (const [name, acc] of [
        ['lr', 0.85],
        ['rf', 0.91],
        ['xgb', 0.93],
      ] as const) {
        ids.push(await runWith(expId, name, { accuracy: acc }));
      }
      const runs = await cairn([
        'runs',
        'list',
        '--experiment-id',
        expId,
        '--filter',
        'metrics.accuracy > 0.9',
        '--order-by',
        'metrics.accuracy DESC',
      ]);
      expect(runs.status, runs.stderr).toBe(0);
      const lines = runs.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/RUN ID\s+NAME\s+STATUS\s+STARTED\s+metrics\.accuracy\s+params\.model/);
      expect(lines.slice(1).map((l) => l.split(/\s+/)[1])).toEqual(['xgb', 'rf']);
      expect(JSON.parse((await cairn(['runs', 'list', '--experiment-id', expId, '--json'])).stdout).runs).toHaveLength(
        3,
      );

      const described = JSON.parse((await cairn(['runs', 'describe', ids[0]])).stdout);
      expect(described).toMatchObject({
        info: { run_id: ids[0], run_name: 'lr' },
        data: { metrics: [{ key: 'accuracy', value: 0.85 }] },
      });
      const compared = await cairn(['runs', 'compare', ids[0], ids[2]]);
      expect(compared.stdout).toMatch(/^\* metrics\.accuracy\s+0\.85\s+0\.93$/m);
      const csv = (await cairn(['experiments', 'csv', '--experiment-id', expId])).stdout.trimEnd().split('\n');
      expect(csv[0]).toBe(
        'run_id,experiment_id,run_name,status,artifact_uri,start_time,end_time,' +
          'metrics.accuracy,params.model,tags.mlflow.runName',
      );
      expect(csv).toHaveLength(4);

      expect((await cairn(['runs', 'delete', ids[1]])).stdout).toContain(`deleted run ${ids[1]}`);
      expect((await client.getRun(ids[1])).info.lifecycleStage).toBe('deleted');
      expect((await cairn(['runs', 'restore', ids[1]])).status).toBe(0);
      expect((await cairn(['experiments', 'rename', expId, 'heart-renamed'])).status).toBe(0);
      expect((await client.getExperiment(expId)).name).toBe('heart-renamed');
      expect((await cairn(['experiments', 'delete', expId])).status).toBe(0);
      const deleted = await cairn(['experiments', 'list', '--view', 'deleted']);
      expect(deleted.stdout).toMatch(new RegExp(`^${expId}\\s+heart-renamed\\s+deleted`, 'm'));
      expect((await cairn(['experiments', 'restore', expId])).status).toBe(0);
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'reports store errors with their code, and an unknown experiment as an error',
    async () => {
      const dup = await cairn(['experiments', 'create', 'Default']);
      expect(dup).toMatchObject({ status: 1, stderr: expect.stringContaining('RESOURCE_ALREADY_EXISTS') });
      for (const id of ['999', 'abc']) {
        const listed = await cairn(['runs', 'list', '--experiment-id', id]);
        expect(listed.status, listed.stdout).toBe(1);
        expect(listed.stdout).toBe('');
        expect(listed.stderr).toContain(id);
      }
      const missing = await cairn(['runs', 'describe', 'no-such-run']);
      expect(missing).toMatchObject({ status: 1, stderr: expect.stringContaining('RESOURCE_DOES_NOT_EXIST') });
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'models: policy, check, refused and forced transitions, aliases, versions and history by user',
    async () => {
      const name = `heart-${backend.name}`;
      await client.createRegisteredModel(name, { description: 'heart disease' });
      const versionOf = async (metrics: Record<string, number>) => {
        const runId = await runWith('0', 'candidate', metrics);
        return (await client.createModelVersion({ name, source: `runs:/${runId}/model`, runId })).version;
      };
      const weak = await versionOf({ accuracy: 0.89, roc_auc: 0.9 });
      const strong = await versionOf({ accuracy: 0.93, roc_auc: 0.96 });
      const env = { CAIRN_USER: 'alice' };

      const file = path.join(dir, `${backend.name}-policy.json`);
      await writeFile(
        file,
        JSON.stringify({
          target: 'Production',
          require: [{ metric: 'accuracy', '>=': 0.91 }],
          mustBeat: { metric: 'roc_auc', current: 'Production', by: 0 },
        }),
      );
      const set = await cairn(['models', 'policy', 'set', name, '--file', file], env);
      expect(set.stderr).toBe('');
      expect(set.stdout).toContain('require  accuracy >= 0.91');
      expect(JSON.parse((await cairn(['models', 'policy', 'show', name, '--json'])).stdout).policies[0]).toMatchObject({
        name,
        target: 'Production',
        mustBeat: { metric: 'roc_auc' },
      });
      const check = await cairn(['models', 'check', name, weak, '--target', 'Production']);
      expect(check.status).toBe(1);
      expect(check.stdout).toMatch(/FAIL\s+accuracy >= 0\.91\s+0\.89/);

      const refused = await cairn(['models', 'transition', name, weak, 'Production'], env);
      expect(refused).toMatchObject({ status: 1, stderr: expect.stringContaining('INVALID_STATE') });
      const forced = await cairn(
        ['models', 'transition', name, weak, 'Production', '--force', '--reason', 'clinical sign-off'],
        env,
      );
      expect(forced.stdout).toContain(`${name} v${weak} is now in Production.`);
      const moved = await cairn(
        ['models', 'transition', name, strong, 'Production', '--archive-existing', '--user', 'bob'],
        env,
      );
      expect(moved.status).toBe(0);
      expect((await cairn(['models', 'alias', name, 'champion', strong], env)).status).toBe(0);

      const versions = (await cairn(['models', 'versions', name])).stdout.trim().split('\n');
      const stages = versions.slice(1).map((r) => r.split(/\s+/).slice(0, 2));
      expect(stages).toEqual([
        [strong, 'Production'],
        [weak, 'Archived'],
      ]);
      expect((await cairn(['models', 'show', name])).stdout).toContain('mustBeat roc_auc > holder of Production + 0');
      const models = await cairn(['models', 'list']);
      expect(models.stdout).toMatch(new RegExp(`${name}\\s+.*Production:v${strong}.*@champion=v${strong}`));
      const history = (await cairn(['models', 'history', name])).stdout.trim().split('\n');
      expect(history.slice(1).map((l) => l.split(/\s+/).slice(1, 3))).toEqual([
        ['alice', 'set_alias'],
        ['bob', 'transition_stage'],
        ['bob', 'transition_stage'],
        ['alice', 'transition_stage'],
        ['alice', 'transition_stage_refused'],
        ['alice', 'set_policy'],
      ]);

      for (const args of [
        ['versions', 'NOPE'],
        ['history', 'NOPE'],
      ]) {
        const res = await cairn(['models', ...args]);
        expect(res.status, res.stdout).toBe(1);
        expect(res.stderr).toContain('RESOURCE_DOES_NOT_EXIST');
      }
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'webhooks: add, list, test, deliveries and remove',
    async () => {
      const receiver = await startWebhookReceiver();
      const env = { CAIRN_WEBHOOK_ALLOW_PRIVATE_IPS: 'true' };
      try {
        const name = `hooked-${backend.name}`;
        const added = await cairn(
          ['webhook', 'add', '--url', receiver.url, '--events', 'MODEL_VERSION_CREATED', '--model', name, '--json'],
          env,
        );
        expect(added.status, added.stderr).toBe(0);
        const { webhook, secret } = JSON.parse(added.stdout);
        expect(secret).toMatch(/^[0-9a-f]{64}$/);
        expect((await cairn(['webhook', 'list', '--model', name])).stdout).toContain(webhook.id);

        const tested = await cairn(['webhook', 'test', webhook.id], env);
        expect(tested.status, tested.stderr).toBe(0);
        expect(tested.stdout).toMatch(/^delivered: HTTP 200/);
        expect(receiver.received).toHaveLength(1);

        // with no server running, a registry change queues its delivery in the database
        await client.createRegisteredModel(name);
        await client.createModelVersion({ name, source: 's3://bucket/model' });
        const deliveries = await cairn(['webhook', 'deliveries', '--webhook-id', webhook.id, '--json']);
        expect(JSON.parse(deliveries.stdout).deliveries).toMatchObject([
          { webhook_id: webhook.id, event: 'MODEL_VERSION_CREATED', status: 'PENDING' },
        ]);
        expect((await cairn(['webhook', 'deliveries', '--webhook-id', 'nope'])).status).toBe(1);

        expect((await cairn(['webhook', 'remove', webhook.id])).stdout).toContain(`deleted webhook ${webhook.id}`);
        expect((await cairn(['webhook', 'list'])).stdout).not.toContain(webhook.id);
      } finally {
        await receiver.close();
      }
    },
    CLI_TEST_TIMEOUT,
  );
});
