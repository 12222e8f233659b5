// Worker thread entry: builds the trees it is asked for and answers on its own port, then bumps
// the shared counter the (synchronously waiting) forest fit is watching.
import { workerData, type MessagePort } from 'node:worker_threads';
import { predictBoostRows, type BoostPredictJob } from './boost-predict.js';
import { predictForestRows, type PredictJob } from './forest-predict.js';
import { buildForestTrees, type ForestJob } from './forest-trees.js';

const { port, signal, index } = workerData as { port: MessagePort; signal: Int32Array; index: number };

// ready flags live after the done counter: signal[1 + index]
Atomics.store(signal, 1 + index, 1);
Atomics.notify(signal, 1 + index);

port.on('message', (job: ForestJob | PredictJob | BoostPredictJob) => {
  try {
    if ('kind' in job && job.kind === 'predict') {
      predictForestRows(job.forest, job.X, job.nCols, job.out, job.rowStart, job.rowEnd);
      port.postMessage({ indices: [], trees: [] });
      return;
    }
    if ('kind' in job && job.kind === 'boost-predict') {
      predictBoostRows(job.layout, job.X, job.nCols, job.out, job.rowStart, job.rowEnd);
      port.postMessage({ indices: [], trees: [] });
      return;
    }
    const built = buildForestTrees(job as ForestJob);
    const transfer = built.trees.flatMap((t) => [
      t.feature.buffer,
      t.threshold.buffer,
      t.left.buffer,
      t.right.buffer,
      t.value.buffer,
      t.impurity.buffer,
      t.nNodeSamples.buffer,
      t.weightedNNodeSamples.buffer,
    ]) as ArrayBuffer[];
    port.postMessage(built, transfer);
  } catch (e) {
    port.postMessage({ error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
  } finally {
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  }
});
