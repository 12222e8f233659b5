// A new model version's source is checked (MLflow's _validate_source) on every way a client can create
// one on a database: CairnClient.createModelVersion and the registry store it exposes (client.registry),
// which logModel uses too. The check lives in the SQL registry store, where these paths meet.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidParameter, NotFound } from '../core/errors.js';
import { CairnClient } from './cairn-client.js';

let dir: string;
let client: CairnClient;
let run: { runId: string; artifactUri: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-create-mv-'));
  client = await CairnClient.open(`sqlite:///${join(dir, 'cairn.db')}`, { artifactRoot: join(dir, 'artifacts') });
  const created = await client.transport.createRun({ experimentId: '0' });
  run = { runId: created.info.runId, artifactUri: created.info.artifactUri };
  await client.createRegisteredModel('m');
});
afterAll(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

const refusedAsLocal = (e: unknown) =>
  e instanceof InvalidParameter && /Invalid model version source: '\/etc\/passwd'/.test(e.message);

describe('model version source check on every client path', () => {
  it('client.registry.createModelVersion refuses a local path outside the run, keeps one inside', async () => {
    await expect(
      client.registry.createModelVersion({ name: 'm', source: '/etc/passwd', runId: run.runId }),
    ).rejects.toSatisfy(refusedAsLocal);
    await expect(client.registry.createModelVersion({ name: 'm', source: '/etc/passwd' })).rejects.toSatisfy(
      refusedAsLocal,
    );
    await expect(
      client.registry.createModelVersion({ name: 'm', source: 's3://bucket/a/../b', runId: run.runId }),
    ).rejects.toBeInstanceOf(InvalidParameter);
    await expect(
      client.registry.createModelVersion({
        name: 'm',
        source: `${run.artifactUri}/model`,
        runId: '0123456789abcdef0123456789abcdef',
      }),
    ).rejects.toBeInstanceOf(NotFound);
    const ok = await client.registry.createModelVersion({
      name: 'm',
      source: `${run.artifactUri}/model`,
      runId: run.runId,
    });
    expect(ok.version).toBe('1');
  });

  it('CairnClient.createModelVersion refuses the same sources and stores nothing for them', async () => {
    await expect(client.createModelVersion({ name: 'm', source: '/etc/passwd', runId: run.runId })).rejects.toSatisfy(
      refusedAsLocal,
    );
    const ok = await client.createModelVersion({ name: 'm', source: `runs:/${run.runId}/model`, runId: run.runId });
    expect(ok.version).toBe('2'); // the refused requests took no version number
  });
});
