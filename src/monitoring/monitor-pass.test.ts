// A pass on a package saved without a reference sample (as older packages are): categorical features are
// still tested exactly from the profile's counts, numeric ones on its histogram, and the output says so.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Frame, takeFrameRows } from '../learn/core/frame.js';
import { frameToRecords } from '../learn/data/records.js';
import { RandomForestClassifier } from '../learn/ensemble/index.js';
import { Pipeline } from '../learn/pipeline.js';
import { anchorPreprocessor, heartDataset } from '../../test/support/learn/anchor-protocol.js';
import { type LoadedModel, loadModelFromDir } from '../models/package/load-model.js';
import { sampleRowIndices } from '../models/package/reference-sample.js';
import { saveModel } from '../models/package/save-model.js';
import { runMonitorPass, type WindowRow } from './monitor-pass.js';

const heart = heartDataset(readFileSync(new URL('../../data/heart_disease_uci.csv', import.meta.url), 'utf8'));
const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-monitor-pass-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let pipeline: Pipeline;
let profileOnly: LoadedModel;

beforeAll(async () => {
  pipeline = new Pipeline({
    steps: [
      ['prep', anchorPreprocessor(heart.numeric, heart.categorical, false)],
      ['model', new RandomForestClassifier({ nEstimators: 10, seed: 5, nJobs: 1 })],
    ],
  }).fit(heart.X, heart.y);
  await saveModel(path.join(tmp, 'old'), pipeline, {
    trainingFrame: heart.X,
    trainingTarget: heart.y,
    referenceSampleRows: 0,
  });
  profileOnly = await loadModelFromDir(path.join(tmp, 'old'));
});

function windowRows(ageShift: number): WindowRow[] {
  const rows = sampleRowIndices(heart.X.nRows, 300, 7);
  const base = takeFrameRows(heart.X, rows);
  const frame: Frame = {
    nRows: base.nRows,
    columns: base.columns.map((c) =>
      c.name === 'age' && c.kind === 'numeric' ? { ...c, values: c.values.map((v) => v + ageShift) } : c,
    ),
  };
  const proba = pipeline.predictProba(frame);
  const pred = pipeline.predict(frame);
  return frameToRecords(frame).map((inputs, i) => ({
    inputs,
    prediction: pred[i],
    probability: proba.data[2 * i + 1],
    label: i % 2 === 0 ? heart.y[rows[i]] : null,
  }));
}

describe('a pass without a reference sample (profile fallback)', () => {
  it('says the reference is the profile; categorical tests stay exact, numeric ones use the histogram', () => {
    expect(profileOnly.referenceSample).toBeUndefined();
    const r = runMonitorPass(profileOnly, windowRows(0));
    expect(r.referenceSource).toBe('profile');
    expect(r.referenceNote).toMatch(/the profile only/);
    const by = Object.fromEntries(r.features.map((f) => [f.feature, f]));
    expect(by.age).toMatchObject({ method: 'jensenshannon', drifted: false, note: expect.stringMatching(/profile/) });
    expect(by.cp.method).toBe('chisquare');
    expect(by.sex.method).toBe('z');
    expect(r.datasetDrift).toBe(false);
    // half the window is labeled: live metrics over those 150 rows, target drift tested
    expect(r.live?.nLabeled).toBe(150);
    expect(r.target?.method).toBe('z');
    expect(r.prediction?.method).toBe('jensenshannon');
  });

  it('age + 10 years drifts age on the profile histogram too', () => {
    const r = runMonitorPass(profileOnly, windowRows(10));
    const age = r.features.find((f) => f.feature === 'age')!;
    expect(age.drifted).toBe(true);
    expect(age.score).toBeGreaterThan(0.1);
    // the ages above the training maximum (77) land in the 'above' bin
    expect(age.bins.labels.at(-1)).toBe('above');
    expect(age.bins.current.at(-1)).toBeGreaterThan(0.01);
  });
});
