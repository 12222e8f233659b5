// The per-feature input summaries of /metrics: exact sums and counts (negative inputs included), missing
// values and known categories counted, and cluster workers' figures summed by prom-client's aggregator.
import client from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Cell } from '../learn/data/records.js';
import type { Prediction } from './predictor.js';
import { RecordValidator } from './record-validator.js';
import { ServingMetrics } from './serving-metrics.js';

const validator = new RecordValidator(
  [
    { name: 'age', type: 'double', required: true },
    { name: 'oldpeak', type: 'double', required: false },
    { name: 'sex', type: 'string', required: false },
  ],
  {
    format_version: 1,
    n_rows: 2,
    features: [{ name: 'sex', type: 'string', missing: 0, frequencies: { Male: 1, Female: 1 } }] as never,
    target: null,
    prediction: null,
  },
);
const prediction: Prediction = {
  prediction: 1,
  probability: 0.8,
  confidence: 0.8,
  risk_level: 'high',
  model_name: 'm',
  model_version: '1',
  request_id: 'r',
};

function observeAll(metrics: ServingMetrics, rows: Cell[][]): void {
  for (const row of rows) metrics.observePrediction(prediction, validator, row);
}

const series = (text: string, name: string) =>
  Object.fromEntries(
    [...text.matchAll(new RegExp(`^cairn_serving_${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))].map((m) => [
      m[1],
      Number(m[2]),
    ]),
  );

describe('ServingMetrics input summaries', () => {
  it('exports the exact sum and count of each numeric input, missing values and known categories', async () => {
    const metrics = new ServingMetrics(false);
    observeAll(metrics, [
      [63, -1.5, 'Male'],
      [41, NaN, 'Female'],
      [50, 0.25, 'Other'],
      [70, -2, null],
    ]);
    const text = await metrics.text();
    expect(series(text, 'input_value_sum')).toEqual({ 'feature="age"': 224, 'feature="oldpeak"': -3.25 });
    expect(series(text, 'input_value_count')).toEqual({ 'feature="age"': 4, 'feature="oldpeak"': 3 });
    expect(series(text, 'input_missing_total')).toEqual({ 'feature="oldpeak"': 1, 'feature="sex"': 1 });
    expect(series(text, 'input_category_total')).toEqual({
      'feature="sex",category="Male"': 1,
      'feature="sex",category="Female"': 1,
    });
    // the figures keep counting after a scrape
    observeAll(metrics, [[30, 1, 'Male']]);
    const again = await metrics.text();
    expect(series(again, 'input_value_sum')['feature="age"']).toBe(254);
    expect(series(again, 'input_value_count')['feature="oldpeak"']).toBe(4);
    expect(series(again, 'input_category_total')['feature="sex",category="Male"']).toBe(2);
  });

  it('sums workers’ inputs when a cluster aggregates their registries', async () => {
    const a = new ServingMetrics(false);
    const b = new ServingMetrics(false);
    observeAll(a, [[60, 1, 'Male']]);
    observeAll(b, [
      [40, -3, 'Male'],
      [20, 1, 'Female'],
    ]);
    const merged = client.AggregatorRegistry.aggregate([
      await a.registry.getMetricsAsJSON(),
      await b.registry.getMetricsAsJSON(),
    ]);
    const text = await merged.metrics();
    expect(series(text, 'input_value_sum')).toEqual({ 'feature="age"': 120, 'feature="oldpeak"': -1 });
    expect(series(text, 'input_value_count')).toEqual({ 'feature="age"': 3, 'feature="oldpeak"': 3 });
  });
});
