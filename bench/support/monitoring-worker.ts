// One measurement of `npm run bench -- monitoring`, in a process of its own so its peak RSS is its
// own: what one `cairn monitor` pass computes (src/monitoring/monitor-pass.ts) over the latest N
// predictions of a SQLite prediction log. `--mode log` times reading the window from the log too;
// `--mode memory` reads it first, untimed. Prints one JSON line like monitoring_anchor.py's.
//
//   node --import tsx bench/support/monitoring-worker.ts --model DIR --log FILE --rows N --mode memory|log
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadModelFromDir } from '../../src/models/package/load-model.js';
import { runMonitorPass } from '../../src/monitoring/monitor-pass.js';
import { PredictionLogStore } from '../../src/serving/prediction-log/prediction-log-store.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    log: { type: 'string' },
    rows: { type: 'string' },
    mode: { type: 'string', default: 'memory' },
    'model-name': { type: 'string', default: 'bench' },
  },
});
if (!values.model || !values.log || !values.rows) throw new Error('--model, --log and --rows are required');
const limit = Number(values.rows);
const model = await loadModelFromDir(values.model);
const store = await PredictionLogStore.open(`sqlite:///${values.log}`);
const read = () => store.readWindow({ modelName: values['model-name']!, limit });

let rows = values.mode === 'memory' ? await read() : null;
const start = performance.now();
rows ??= await read();
const result = runMonitorPass(model, rows);
const seconds = (performance.now() - start) / 1000;
await store.close();
console.log(
  JSON.stringify({
    seconds,
    peak_rss_mib: process.resourceUsage().maxRSS / 1024,
    rows: rows.length,
    dataset_drift: result.datasetDrift,
    features: Object.fromEntries(
      result.features.map((f) => [f.feature, { method: f.method, score: f.score, drift: f.drifted, psi: f.psi }]),
    ),
  }),
);
