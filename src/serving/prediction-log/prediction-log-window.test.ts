// PredictionLogStore.readWindow (what `cairn monitor` reads): one model's latest N or since T, oldest
// first, with feedback labels — on a real SQLite file and a real PostgreSQL server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../../test/support/postgres.js';
import { lacks } from '../../../test/support/requirements.js';
import { PredictionLogStore } from './prediction-log-store.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-pred-window-'));
let pg: TestPostgres | undefined;
afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await pg?.stop();
});

async function check(uri: string): Promise<void> {
  const store = await PredictionLogStore.open(uri);
  try {
    const entry = (i: number, model: string) => ({
      requestId: `${model}-${i}`,
      ts: 1_000 + i * 10,
      modelName: model,
      modelVersion: '1',
      endpoint: 'predict',
      inputs: { age: 40 + i },
      prediction: i % 2,
      probability: i / 10,
      confidence: 0.5,
      riskLevel: 'low',
      latencyMs: 1,
    });
    await store.insert([...Array.from({ length: 8 }, (_, i) => entry(i, 'heart')), entry(3, 'stroke')]);
    await store.putFeedback('heart-6', 1, 2_000);
    const last3 = await store.readWindow({ modelName: 'heart', limit: 3 });
    expect(last3.map((r) => r.requestId)).toEqual(['heart-5', 'heart-6', 'heart-7']);
    expect(last3.map((r) => r.label)).toEqual([null, 1, null]);
    expect(last3[0].inputs).toEqual({ age: 45 });
    const since = await store.readWindow({ modelName: 'heart', sinceMs: 1_050 });
    expect(since.map((r) => r.requestId)).toEqual(['heart-5', 'heart-6', 'heart-7']);
    expect(await store.readWindow({ modelName: 'heart', sinceMs: 1_020, limit: 2 })).toHaveLength(2);
    expect((await store.readWindow({ modelName: 'stroke' })).map((r) => r.requestId)).toEqual(['stroke-3']);
    expect(await store.readWindow({ modelName: 'other' })).toEqual([]);
  } finally {
    await store.close();
  }
}

describe('prediction log window', () => {
  it('SQLite', async () => {
    await check(`sqlite:///${path.join(tmp, 'log.db')}`);
  });
  it.skipIf(lacks('postgres'))(
    'PostgreSQL',
    async () => {
      pg = await startPostgres();
      await check(pg.uri);
    },
    120_000,
  );
});
