// Stage timings of the scaled RandomForest fit (stroke tiled to N rows): preprocessing, rank
// encoding, tree building on 1 and 2 threads, batch predict; for perf work on src/learn/ensemble.
// `npx tsx bench/support/learn-rf-profile.ts [rows] [repeats] [all|prep|fit|fit2|predict]`
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset, scaledStroke } from './learn-data.js';
import { LearnClasses, pipelineFactory } from './learn-models.js';
import { RandomForestClassifier } from '../../src/learn/ensemble/random-forest.js';
import { prepareTreeData } from '../../src/learn/tree/training-data.js';
import { encodeLabels } from '../../src/learn/tree/tree-params.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const rows = Number(process.argv[2] ?? 100_000);
const repeats = Number(process.argv[3] ?? 3);
const only = process.argv[4] ?? 'all';
const shared = process.env.CAIRN_SHARED ?? path.resolve(ROOT, '../shared');
const stroke = loadDataset(path.join(shared, 'data'), 'stroke');
const big = scaledStroke(stroke, rows, 42);
const classes = new LearnClasses(path.join(ROOT, 'src', 'learn'));
const factory = await pipelineFactory(classes, 'RandomForest_n_jobs2', big.numeric, big.categorical);

const time = (label: string, fn: () => unknown): number => {
  const ts: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  console.log(
    `${label.padEnd(28)} best ${Math.min(...ts)
      .toFixed(0)
      .padStart(6)} ms  runs ${ts.map((t) => t.toFixed(0)).join(', ')}`,
  );
  return Math.min(...ts);
};
const pipe = factory();
pipe.fit(big.X, big.y);
// the fitted ColumnTransformer (first pipeline step) gives the model's input matrix
const prep = pipe.params.steps[0][1];
const Xm = prep.transform(big.X);
console.log(`rows ${Xm.nRows} x ${Xm.nCols}`);
const { yIdx } = encodeLabels(big.y);
if (only === 'all' || only === 'prep') {
  time('prep fit + transform', () => {
    const ct = factory().params.steps[0][1];
    ct.fit(big.X);
    return ct.transform(big.X);
  });
  time('prepareTreeData shared', () => prepareTreeData(Xm, yIdx, 2, true));
}
if (only === 'all' || only === 'fit') {
  time('RF fit nJobs=1', () => new RandomForestClassifier({ nEstimators: 100, seed: 42, nJobs: 1 }).fit(Xm, big.y));
}
if (only === 'all' || only === 'fit' || only === 'fit2') {
  time('RF fit nJobs=2', () => new RandomForestClassifier({ nEstimators: 100, seed: 42, nJobs: 2 }).fit(Xm, big.y));
  time('pipeline fit nJobs=2', () => factory().fit(big.X, big.y));
}
if (only === 'all' || only === 'predict') {
  const rf = new RandomForestClassifier({ nEstimators: 100, seed: 42, nJobs: 2 }).fit(Xm, big.y);
  time('RF predictProba all rows', () => rf.predictProba(Xm));
  time('pipeline predictProba', () => pipe.predictProba(big.X));
}
