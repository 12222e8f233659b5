// Worker thread entry of the ensemble pool (ensemble-pool.ts): each task kind runs the same code the
// calling thread runs in-thread, so results never depend on where a task ran.
import { serveTasks } from '../core/worker-pool.js';
import { predictBoostRows } from './boost-predict.js';
import type { EnsembleTasks } from './ensemble-pool.js';
import { predictForestRows } from './forest-predict.js';
import { buildForestTrees } from './forest-trees.js';
import { serveHistHelper } from './hist-helper-loop.js';

serveTasks<EnsembleTasks>({
  'forest-build': (job, transfer) => {
    const built = buildForestTrees(job);
    for (const t of built.trees) {
      const buffers = [
        t.feature.buffer,
        t.threshold.buffer,
        t.left.buffer,
        t.right.buffer,
        t.value.buffer,
        t.impurity.buffer,
        t.nNodeSamples.buffer,
        t.weightedNNodeSamples.buffer,
      ];
      transfer.push(...(buffers as ArrayBuffer[]));
    }
    return built;
  },
  'forest-predict': (job) => {
    predictForestRows(job.forest, job.X, job.nCols, job.out, job.rowStart, job.rowEnd);
    return null;
  },
  'boost-predict': (job) => {
    predictBoostRows(job.layout, job.X, job.nCols, job.out, job.rowStart, job.rowEnd);
    return null;
  },
  'hist-helper': serveHistHelper,
});
