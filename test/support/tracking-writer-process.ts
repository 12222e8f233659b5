// A child process that hammers one tracking store with writes, for multi-process tests:
// `node --import tsx test/support/tracking-writer-process.ts <store uri> <experiment id> <writes>`.
// Prints one JSON line: { writes, errors: string[] }.
import { openTrackingStore } from '../../src/tracking/open-store.js';

async function main(): Promise<void> {
  const [uri, experimentId, writesArg] = process.argv.slice(2);
  const writes = Number(writesArg);
  const store = await openTrackingStore(uri, { defaultArtifactRoot: '/artifacts' });
  const errors: string[] = [];
  let done = 0;
  const worker = async (w: number): Promise<void> => {
    try {
      const run = await store.createRun({ experimentId, runName: `pid${process.pid}-w${w}` });
      for (let i = 0; i < writes; i += 1) {
        await store.logBatch(run.info.runId, {
          metrics: [{ key: 'loss', value: i, timestamp: Date.now(), step: i }],
          params: i === 0 ? [{ key: 'worker', value: String(w) }] : [],
          tags: [{ key: 'progress', value: String(i) }],
        });
        done += 1;
      }
    } catch (error) {
      errors.push(String((error as Error).message));
    }
  };
  await Promise.all(Array.from({ length: 4 }, (_, w) => worker(w)));
  await store.close();
  process.stdout.write(`${JSON.stringify({ writes: done, errors })}\n`);
}

main().catch((error) => {
  process.stdout.write(`${JSON.stringify({ writes: 0, errors: [String(error?.message ?? error)] })}\n`);
  process.exitCode = 1;
});
