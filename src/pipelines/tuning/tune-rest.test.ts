// tune() against a real Cairn server over REST (http:// tracking URI), with a shared study whose
// trials live in a database of their own (--study-uri): the nested runs arrive through the API.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/integration/server-harness.js';
import { CairnClient } from '../../client/cairn-client.js';
import { openStudyStorage } from './open-study-storage.js';
import { tune } from './tune.js';

describe('tuning against a tracking server', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer();
    dir = mkdtempSync(path.join(tmpdir(), 'cairn-tune-rest-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs the parent and every trial over REST, the study in its own database', async () => {
    const client = await CairnClient.open(server.url);
    const studyUri = `sqlite:///${path.join(dir, 'study.db')}`;
    await expect(openStudyStorage(server.url)).rejects.toThrow(/--study-uri/);
    const storage = await openStudyStorage(server.url, studyUri);
    try {
      const experimentId = await client.createExperiment('rest-tuning');
      const result = await tune({
        client,
        experimentId,
        study: { name: 'over-rest', storage },
        space: { C: { kind: 'float', low: 0.01, high: 100, log: true } },
        sampler: 'random',
        maxEvals: 6,
        workers: 2,
        direction: 'minimize',
        metric: 'loss',
        seed: 1,
        objective: async (p) => {
          const loss = Math.abs(Math.log10(p.C as number));
          return { metrics: { loss }, primary: loss };
        },
      });
      const kids = await client.searchAllRuns([experimentId], {
        filter: `tags.mlflow.parentRunId = '${result.parentRunId}'`,
        orderBy: ['metrics.loss ASC'],
      });
      expect(kids).toHaveLength(6);
      expect(kids[0].info.runId).toBe(result.best!.runId);
      const parent = await client.getRun(result.parentRunId);
      expect(parent.info.status).toBe('FINISHED');
      expect(parent.data.tags.find((t) => t.key === 'best_trial_run_id')?.value).toBe(result.best!.runId);
      expect(parent.data.metrics.find((m) => m.key === 'best_loss')?.value).toBe(result.best!.value);
    } finally {
      await storage.close();
      await client.close();
    }
  });
});
