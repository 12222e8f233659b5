// The registry served by `cairn server --workers 2` (separate processes, separate connections) on
// SQLite and on a real PostgreSQL server: concurrent version creation hands out each number once,
// and 100 concurrent alias moves leave exactly one version holding the alias.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCairnServer, type CairnServer } from '../support/cairn-server.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { lacks } from '../support/requirements.js';
import { get, post } from './server-harness.js';

let pg: TestPostgres | undefined;
afterAll(async () => {
  await pg?.stop();
});

const backends: Array<{ name: string; uri: () => Promise<string | undefined> }> = [
  { name: 'sqlite', uri: async () => undefined },
  {
    name: 'postgres',
    uri: async () => {
      pg ??= await startPostgres();
      return pg.createDatabase();
    },
  },
];

describe.each(lacks('postgres') ? backends.slice(0, 1) : backends)(
  'registry behind two workers on $name',
  (backend) => {
    let server: CairnServer;
    let api: (p: string) => string;
    beforeAll(async () => {
      server = await startCairnServer({ workers: 2, backendStoreUri: await backend.uri() });
      api = (p) => `${server.url}/api/2.0/mlflow${p}`;
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
      server?.cleanup();
    });

    it('numbers concurrently created versions 1..N without gaps or repeats', async () => {
      const name = `workers-${Date.now()}`;
      expect((await post(api('/registered-models/create'), { name })).status).toBe(200);
      const created = await Promise.all(
        Array.from({ length: 30 }, (_, i) => post(api('/model-versions/create'), { name, source: `s3://bucket/${i}` })),
      );
      expect(
        created.map((r) => r.status).every((s) => s === 200),
        JSON.stringify(created.find((r) => r.status !== 200)?.json),
      ).toBe(true);
      const numbers = created.map((r) => Number(r.json.model_version.version)).sort((a, b) => a - b);
      expect(numbers).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    }, 60_000);

    it('100 concurrent alias moves leave exactly one holder', async () => {
      const name = `alias-race-${Date.now()}`;
      await post(api('/registered-models/create'), { name });
      for (let i = 0; i < 5; i++) await post(api('/model-versions/create'), { name, source: `s3://b/${i}` });
      const moves = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          post(api('/registered-models/alias'), { name, alias: 'champion', version: String((i % 5) + 1) }),
        ),
      );
      expect(moves.every((r) => r.status === 200)).toBe(true);
      const holders: string[] = [];
      for (let v = 1; v <= 5; v++) {
        const mv = (await get(api('/model-versions/get'), { name, version: v })).json.model_version;
        if ((mv.aliases ?? []).includes('champion')) holders.push(mv.version);
      }
      expect(holders).toHaveLength(1);
      expect((await get(api('/registered-models/alias'), { name, alias: 'champion' })).json.model_version.version).toBe(
        holders[0],
      );
    }, 60_000);
  },
);
