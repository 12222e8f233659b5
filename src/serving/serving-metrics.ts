// Prometheus metrics of one scoring app, in its own prom-client registry (so several apps in one
// process, as in tests, never share counters): requests by route and status, latency, predictions by
// class, the probability distribution, the model version, per-feature input summaries and the
// default process metrics. Children for fixed label sets are created once, off the hot path.
// The per-feature input summaries are the hot path's biggest share (one update per field per record), so
// they are plain accumulators read at scrape time: a prom-client Summary would push every value into a
// t-digest and recompress it every 1000 values (O(centroids²) on the event loop) for quantiles never
// exported, and `.labels()` would hash the label set on every call.
import client from 'prom-client';
import type { Cell } from '../learn/data/records.js';
import type { Prediction } from './predictor.js';
import type { RecordValidator } from './record-validator.js';

export const METRIC_PREFIX = 'cairn_serving_';
const PROBABILITY_BUCKETS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1];
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class ServingMetrics {
  readonly registry = new client.Registry();
  private readonly requests: client.Counter<'route' | 'method' | 'status'>;
  private readonly latency: client.Histogram<'route'>;
  private readonly predictions: client.Counter<'model_version' | 'class'>;
  private readonly probability: client.Histogram<'model_version'>;
  private readonly modelInfo: client.Gauge<'model_name' | 'model_version' | 'model_uri'>;
  private readonly outOfRange: client.Counter<'feature'>;
  /** Running sum and count of each numeric input, exported at scrape time as `input_value_sum`/`_count`. */
  private readonly numericInputs = new Map<string, { sum: number; count: number }>();
  /** Label children by feature (and category), so the hot path does one Map lookup, not a label hash. */
  private readonly missingChildren = new Map<string, client.Counter.Internal>();
  private readonly categoryChildren = new Map<string, client.Counter.Internal>();
  private readonly missingInput: client.Counter<'feature'>;
  private readonly categoryInput: client.Counter<'feature' | 'category'>;

  constructor(processMetrics = true) {
    const registers = [this.registry];
    this.requests = new client.Counter({
      name: `${METRIC_PREFIX}requests_total`,
      help: 'HTTP requests by route, method and status code',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.latency = new client.Histogram({
      name: `${METRIC_PREFIX}request_duration_seconds`,
      help: 'HTTP request latency by route (seconds)',
      labelNames: ['route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.predictions = new client.Counter({
      name: `${METRIC_PREFIX}predictions_total`,
      help: 'Predictions by model version and predicted class',
      labelNames: ['model_version', 'class'],
      registers,
    });
    this.probability = new client.Histogram({
      name: `${METRIC_PREFIX}prediction_probability`,
      help: 'Predicted probability of the positive class',
      labelNames: ['model_version'],
      buckets: PROBABILITY_BUCKETS,
      registers,
    });
    this.modelInfo = new client.Gauge({
      name: `${METRIC_PREFIX}model_info`,
      help: 'The model being served (value 1; labels name it)',
      labelNames: ['model_name', 'model_version', 'model_uri'],
      aggregator: 'max',
      registers,
    });
    this.outOfRange = new client.Counter({
      name: `${METRIC_PREFIX}input_out_of_range_total`,
      help: 'Input values far outside the training range, by feature',
      labelNames: ['feature'],
      registers,
    });
    const numericInputs = this.numericInputs;
    // two gauges (a sum can fall: inputs may be negative), set from the accumulators when scraped;
    // summed across cluster workers, so sum ÷ count stays the exact mean of each numeric input
    new client.Gauge({
      name: `${METRIC_PREFIX}input_value_sum`,
      help: 'Sum of the numeric input values by feature (÷ input_value_count: their mean)',
      labelNames: ['feature'],
      aggregator: 'sum',
      registers,
      collect() {
        for (const [feature, acc] of numericInputs) this.labels(feature).set(acc.sum);
      },
    });
    new client.Gauge({
      name: `${METRIC_PREFIX}input_value_count`,
      help: 'Numeric input values observed by feature',
      labelNames: ['feature'],
      aggregator: 'sum',
      registers,
      collect() {
        for (const [feature, acc] of numericInputs) this.labels(feature).set(acc.count);
      },
    });
    this.missingInput = new client.Counter({
      name: `${METRIC_PREFIX}input_missing_total`,
      help: 'Missing input values by feature',
      labelNames: ['feature'],
      registers,
    });
    this.categoryInput = new client.Counter({
      name: `${METRIC_PREFIX}input_category_total`,
      help: 'Categorical input values by feature and category',
      labelNames: ['feature', 'category'],
      registers,
    });
    if (processMetrics) client.collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
  }

  setModel(name: string, version: string, uri: string): void {
    this.modelInfo.reset();
    this.modelInfo.labels(name, version, uri).set(1);
  }

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.requests.labels(route, method, String(status)).inc();
    this.latency.labels(route).observe(seconds);
  }

  observePrediction(p: Prediction, validator: RecordValidator, row: readonly Cell[] | undefined): void {
    this.predictions.labels(p.model_version, String(p.prediction)).inc();
    this.probability.labels(p.model_version).observe(p.probability);
    if (p.out_of_range) for (const o of p.out_of_range) this.outOfRange.labels(o.field).inc();
    if (!row) return;
    const fields = validator.fields;
    for (let j = 0; j < fields.length; j++) {
      const v = row[j];
      const name = fields[j].name;
      if (v === null || (typeof v === 'number' && Number.isNaN(v))) this.missingChild(name).inc();
      else if (typeof v === 'number') {
        let acc = this.numericInputs.get(name);
        if (!acc) this.numericInputs.set(name, (acc = { sum: 0, count: 0 }));
        acc.sum += v;
        acc.count++;
      }
      // only categories the model knows become label values, so a client cannot grow the series set
      else if (fields[j].categories?.has(v)) this.categoryChild(name, v).inc();
    }
  }

  private missingChild(feature: string): client.Counter.Internal {
    let child = this.missingChildren.get(feature);
    if (!child) this.missingChildren.set(feature, (child = this.missingInput.labels(feature)));
    return child;
  }

  private categoryChild(feature: string, category: string): client.Counter.Internal {
    const key = `${feature}\u0000${category}`;
    let child = this.categoryChildren.get(key);
    if (!child) this.categoryChildren.set(key, (child = this.categoryInput.labels(feature, category)));
    return child;
  }

  contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
