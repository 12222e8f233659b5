// A tuning process for the shared-study test: `node --import tsx test/support/tuning-study-process.ts
// <tracking uri> <experiment id> <study> <max evals> <delay ms>`. Opens its stores, prints `ready`,
// waits for a line on stdin (so several processes start searching together), runs TPE on a cheap
// objective (a sleep, then a quadratic) and prints one JSON line: the result as this process saw it.
import { createInterface } from 'node:readline';
import { CairnClient } from '../../src/client/cairn-client.js';
import { openStudyStorage } from '../../src/pipelines/tuning/open-study-storage.js';
import { tune } from '../../src/pipelines/tuning/tune.js';
import type { SearchSpace } from '../../src/pipelines/tuning/search-space.js';

export const STUDY_SPACE: SearchSpace = {
  x: { kind: 'float', low: -5, high: 5 },
  k: { kind: 'int', low: 1, high: 8 },
  mode: { kind: 'categorical', choices: ['a', 'b'] },
};

async function main(): Promise<void> {
  const [uri, experimentId, study, maxEvals, delayMs] = process.argv.slice(2);
  const client = await CairnClient.open(uri);
  const storage = await openStudyStorage(uri);
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
  try {
    const result = await tune({
      client,
      experimentId,
      study: { name: study, storage },
      space: STUDY_SPACE,
      sampler: 'tpe',
      tpe: { nStartupTrials: 4 },
      maxEvals: Number(maxEvals),
      direction: 'maximize',
      metric: 'score',
      seed: 5,
      objective: async (p) => {
        await new Promise((r) => setTimeout(r, Number(delayMs)));
        const score = -(((p.x as number) - 1) ** 2) - 0.1 * ((p.k as number) - 3) ** 2 + (p.mode === 'b' ? 0.5 : 0);
        return { metrics: { score }, primary: score };
      },
    });
    process.stdout.write(
      `${JSON.stringify({ pid: process.pid, parentRunId: result.parentRunId, asked: result.asked, complete: result.complete })}\n`,
    );
  } finally {
    await storage.close();
    await client.close();
  }
}

main().catch((error) => {
  process.stdout.write(`${JSON.stringify({ error: String(error?.stack ?? error) })}\n`);
  process.exitCode = 1;
});
