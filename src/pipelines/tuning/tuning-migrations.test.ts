// The tuning tables' migration beside every other layer's: its version is unused by tracking, the
// registry and the webhooks, it applies on SQLite and PostgreSQL next to a store's own tables, and
// two processes opening one database at once apply it exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../../test/support/postgres.js';
import { lacks } from '../../../test/support/requirements.js';
import { openSqlStores } from '../../registry/open-stores.js';
import { openSqlStudyStorage } from './sql-study-storage.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cairn-tuning-migrations-'));
let pg: Promise<TestPostgres> | undefined;

afterAll(async () => {
  if (pg) await (await pg).stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('tuning migrations', () => {
  const engines = [
    { name: 'sqlite', uri: async () => `sqlite:///${path.join(dir, 'm.db')}` },
    {
      name: 'postgres',
      uri: async () => {
        pg ??= startPostgres();
        return (await pg).createDatabase();
      },
    },
  ];
  describe.each(lacks('postgres') ? engines.slice(0, 1) : engines)('on $name', (engine) => {
    it("apply once beside the stores' tables when two openers race", async () => {
      const uri = await engine.uri();
      const stores = await openSqlStores(uri, { defaultArtifactRoot: path.join(dir, 'artifacts') });
      const [a, b] = await Promise.all([openSqlStudyStorage(uri), openSqlStudyStorage(uri)]);
      try {
        const versions = await a.db.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
        expect(versions.map((v) => Number(v.version))).toEqual([1, 2, 3, 4, 5, 6]);
        const settings = {
          name: 's',
          direction: 'maximize' as const,
          sampler: 'tpe' as const,
          seed: 1,
          metric: 'm',
          space: '[]',
          experimentId: '0',
        };
        const [sa, sb] = await Promise.all([a.openStudy(settings), b.openStudy(settings)]);
        expect(sa.id).toBe(sb.id);
        // claims from two connections at once: distinct numbers, the budget respected
        const claims = await Promise.all(
          Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).claimTrial(sa.id, 5, `o${i % 2}`, 0)),
        );
        const numbers = claims.filter((c) => c !== null).map((c) => c!.number);
        expect(numbers.sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4]);
        expect(claims.filter((c) => c === null)).toHaveLength(3);
      } finally {
        await Promise.all([a.close(), b.close(), stores.close()]);
      }
    }, 120_000);
  });
});
