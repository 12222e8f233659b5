// The drift engine on the bundled heart data: an unshifted seeded sample of the training rows raises no
// data set drift, age + 10 years drifts age; Evidently's default test per column, overrides, and bad input.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Frame, takeFrameRows } from '../learn/core/frame.js';
import { heartDataset } from '../../test/support/learn/anchor-protocol.js';
import { buildReferenceSample, sampleRowIndices } from '../models/package/reference-sample.js';
import { type DriftColumn, datasetDrift, defaultStatTest, parseStatTestOptions } from './drift.js';
import { frameColumns } from './reference-data.js';
import { sampleSize } from './stats/categorical-tests.js';

const heart = heartDataset(readFileSync(new URL('../../data/heart_disease_uci.csv', import.meta.url), 'utf8'));
const sample = buildReferenceSample({ frame: heart.X, target: heart.y });

function columnsFor(current: Frame): DriftColumn[] {
  const cur = frameColumns(current);
  return heart.X.columns.map((c) => {
    const raw = sample.columns[c.name].filter((v) => v !== null);
    return c.kind === 'numeric'
      ? { name: c.name, kind: 'numeric', reference: Float64Array.from(raw as number[]), current: cur.get(c.name)! }
      : { name: c.name, kind: 'categorical', reference: raw as string[], current: cur.get(c.name)! };
  });
}

function shifted(frame: Frame, name: string, by: number): Frame {
  return {
    nRows: frame.nRows,
    columns: frame.columns.map((c) =>
      c.name === name && c.kind === 'numeric' ? { ...c, values: c.values.map((v) => v + by) } : c,
    ),
  };
}

describe('drift engine on the heart data', () => {
  const window = takeFrameRows(heart.X, sampleRowIndices(heart.X.nRows, 300, 2026));

  it('picks Evidently’s default test per column (920 reference rows: p-value tests)', () => {
    const cols = columnsFor(window);
    const method = Object.fromEntries(cols.map((c) => [c.name, defaultStatTest(c)]));
    // age: many values → KS; ca: 4 distinct values → chi-squared; sex, fbs, exang: two values → z-test
    expect(method).toMatchObject({ age: 'ks', chol: 'ks', oldpeak: 'ks', ca: 'chisquare', cp: 'chisquare' });
    expect(method).toMatchObject({ sex: 'z', fbs: 'z', exang: 'z' });
    // above 1,000 reference rows the distances take over
    const big: DriftColumn = { ...cols[0], reference: new Float64Array(1001).map((_, i) => i % 50) };
    expect(defaultStatTest(big)).toBe('wasserstein');
    expect(defaultStatTest({ ...cols[7], reference: new Array(1001).fill('Male') })).toBe('jensenshannon');
  });

  it('an unshifted seeded sample of the training data raises no data set drift', () => {
    const d = datasetDrift(columnsFor(window));
    expect(d.nTested).toBe(13);
    expect(d.datasetDrift).toBe(false);
    expect(d.share).toBeLessThan(0.5);
    const age = d.features.find((f) => f.feature === 'age')!;
    expect(age.drifted).toBe(false);
    expect(age.score).toBeGreaterThan(0.05);
    expect(age.psi).toBeLessThan(0.1);
  });

  it('age + 10 years drifts age (KS p < 0.05, PSI large) and moves its mean by 10', () => {
    const d = datasetDrift(columnsFor(shifted(window, 'age', 10)));
    const age = d.features.find((f) => f.feature === 'age')!;
    expect(age).toMatchObject({ method: 'ks', threshold: 0.05, drifted: true });
    expect(age.score).toBeLessThan(1e-10);
    expect(age.psi).toBeGreaterThan(0.2);
    const unshifted = datasetDrift(columnsFor(window)).features.find((f) => f.feature === 'age')!;
    expect(age.currentMean! - unshifted.currentMean!).toBeCloseTo(10, 9);
    // one drifted feature of 13 is not data set drift; most of them shifted is
    expect(d.datasetDrift).toBe(false);
    let many = window;
    for (const n of ['age', 'trestbps', 'chol', 'thalch', 'oldpeak', 'ca']) many = shifted(many, n, 40);
    const cols = columnsFor(many);
    const sexFlipped = cols.map((c) =>
      c.name === 'sex' ? { ...c, current: new Array<string>(sampleSize(c.current)).fill('Female') } : c,
    );
    const dd = datasetDrift(sexFlipped);
    expect(dd.nDrifted).toBeGreaterThanOrEqual(7);
    expect(dd.datasetDrift).toBe(true);
  });

  it('method and threshold configurable per feature', () => {
    const choices = parseStatTestOptions(['age=psi:0.2', 'sex=chisquare']);
    const d = datasetDrift(columnsFor(shifted(window, 'age', 10)), choices);
    const age = d.features.find((f) => f.feature === 'age')!;
    expect(age).toMatchObject({ method: 'psi', threshold: 0.2, drifted: true });
    expect(age.score).toBe(age.psi);
    expect(d.features.find((f) => f.feature === 'sex')).toMatchObject({ method: 'chisquare', threshold: 0.05 });
    // a high enough threshold turns the same shift into no drift
    const lenient = datasetDrift(columnsFor(shifted(window, 'age', 10)), parseStatTestOptions(['age=psi:50']));
    expect(lenient.features.find((f) => f.feature === 'age')!.drifted).toBe(false);
  });

  it('bad --stattest input names the part and the rule', () => {
    expect(() => parseStatTestOptions(['age'])).toThrow(/'age' must be FEATURE=METHOD\[:THRESHOLD\]/);
    expect(() => parseStatTestOptions(['age=foo'])).toThrow(/method must be one of ks, wasserstein/);
    expect(() => parseStatTestOptions(['age=psi:-1'])).toThrow(/threshold must be a positive number/);
    expect(() => datasetDrift(columnsFor(window), parseStatTestOptions(['height=ks']))).toThrow(
      /'height', which is not a feature/,
    );
    expect(() => datasetDrift(columnsFor(window), parseStatTestOptions(['sex=ks']))).toThrow(/ks needs a numeric/);
  });
});
