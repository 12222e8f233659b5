// cairn simulate's sampling: shifts parsed and checked against the model's features, records drawn from the
// reference profile with the training marginals, plans reproducible from the seed, label noise at its rate.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { quantile } from '../models/package/reference-profile.js';
import { buildReferenceProfile, type NumericFeatureProfile, type ReferenceProfile } from '../models/index.js';
import { HEART } from '../pipelines/dataset-spec.js';
import { loadDataset, type LoadedDataset } from '../pipelines/load-dataset.js';
import {
  checkShifts,
  dataSampler,
  endpointBase,
  feedbackLabel,
  parseShifts,
  planSimulation,
  profileSampler,
  SimulationInputError,
  type PlannedRow,
} from './simulate.js';

const HEART_CSV = path.resolve(import.meta.dirname, '../../data/heart_disease_uci.csv');
let heart: LoadedDataset;
let profile: ReferenceProfile;
let features: string[];

beforeAll(async () => {
  heart = await loadDataset(HEART_CSV, HEART);
  profile = buildReferenceProfile({ frame: heart.X, target: heart.y });
  features = heart.X.columns.map((c) => c.name);
});

describe('--shift', () => {
  it('parses additive, subtractive and multiplicative shifts', () => {
    expect(parseShifts('age=+10, chol=*1.3,trestbps=-5.5')).toEqual([
      { feature: 'age', op: '+', amount: 10 },
      { feature: 'chol', op: '*', amount: 1.3 },
      { feature: 'trestbps', op: '-', amount: 5.5 },
    ]);
  });

  it('refuses malformed and repeated shifts, naming the item and the form', () => {
    expect(() => parseShifts('age+10')).toThrow(/"age\+10" is not FEATURE=\+N, FEATURE=-N or FEATURE=\*N/);
    expect(() => parseShifts('age=10')).toThrow(SimulationInputError);
    expect(() => parseShifts('age=*x')).toThrow(/age=\*x/);
    expect(() => parseShifts('age=+1,age=+2')).toThrow(/"age" is shifted twice/);
    expect(() => parseShifts(' , ')).toThrow(/no shift given/);
  });

  it('names the numeric features when a shifted feature is unknown or categorical', () => {
    const numeric = HEART.numeric!;
    const categorical = HEART.categorical!;
    expect(() => checkShifts(parseShifts('agee=+1'), numeric, categorical)).toThrow(
      `--shift: the model has no feature "agee"; the model's numeric features are: ${numeric.join(', ')}`,
    );
    expect(() => checkShifts(parseShifts('sex=*2'), numeric, categorical)).toThrow(/"sex" is categorical/);
    expect(() => checkShifts(parseShifts('age=+10,chol=*1.3'), numeric, categorical)).not.toThrow();
  });
});

describe('sampling from the reference profile', () => {
  it('reproduces each numeric feature’s quantiles and missing share, and whole numbers stay whole', () => {
    const plan = planSimulation(profileSampler(profile, features), { rows: 20_000, seed: 3 });
    for (const f of profile.features.filter((x): x is NumericFeatureProfile => x.type === 'double')) {
      const values = plan.map((r) => r.record[f.name]);
      const present = Float64Array.from(values.filter((v): v is number => typeof v === 'number')).sort();
      const missingShare = 1 - present.length / values.length;
      expect(missingShare, f.name).toBeCloseTo(f.missing_share, 1);
      const span = f.max! - f.min!;
      for (const p of [0.05, 0.25, 0.5, 0.75, 0.95]) {
        const want = f.quantiles!.values[f.quantiles!.probabilities.indexOf(p)];
        expect(Math.abs(quantile(present, p) - want), `${f.name} q${p}`).toBeLessThanOrEqual(0.05 * span);
      }
      expect(present[0]).toBeGreaterThanOrEqual(f.min!);
      expect(present[present.length - 1]).toBeLessThanOrEqual(f.max!);
    }
    expect(plan.every((r) => r.record.age === null || Number.isInteger(r.record.age))).toBe(true);
    expect(plan.some((r) => typeof r.record.oldpeak === 'number' && !Number.isInteger(r.record.oldpeak))).toBe(true);
  });

  it('draws categories at their training frequencies', () => {
    const plan = planSimulation(profileSampler(profile, features), { rows: 20_000, seed: 4 });
    for (const f of profile.features) {
      if (f.type !== 'string') continue;
      const total = Object.values(f.frequencies).reduce((a, b) => a + b, 0);
      for (const [category, n] of Object.entries(f.frequencies)) {
        const share = plan.filter((r) => r.record[f.name] === category).length / plan.length;
        expect(Math.abs(share - (n / total) * (1 - f.missing_share)), `${f.name}=${category}`).toBeLessThan(0.015);
      }
    }
  });

  it('refuses a profile that lacks a feature the model reads, pointing at --data', () => {
    expect(() => profileSampler(profile, [...features, 'bmi'])).toThrow(/lacks feature\(s\) bmi; .*--data/);
  });
});

describe('plans', () => {
  it('are the same for the same seed and differ for another', () => {
    const sampler = dataSampler(heart.X, heart.y);
    const a = planSimulation(sampler, { rows: 200, seed: 9, labelNoise: 0.2 });
    const b = planSimulation(sampler, { rows: 200, seed: 9, labelNoise: 0.2 });
    const c = planSimulation(sampler, { rows: 200, seed: 10, labelNoise: 0.2 });
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('shift the same records by exactly the amount asked, leaving missing values missing', () => {
    const sampler = dataSampler(heart.X, heart.y);
    const plain = planSimulation(sampler, { rows: 500, seed: 5 });
    const shifted = planSimulation(sampler, { rows: 500, seed: 5, shifts: parseShifts('age=+10,chol=*1.3') });
    plain.forEach((row, i) => {
      const s = shifted[i].record;
      expect(s.age).toBe((row.record.age as number) + 10);
      if (row.record.chol === null) expect(s.chol).toBeNull();
      else expect(s.chol).toBeCloseTo((row.record.chol as number) * 1.3, 6);
      expect(s.sex).toBe(row.record.sex);
      expect(shifted[i].label).toBe(row.label);
    });
    expect(plain.some((r) => r.record.chol === null)).toBe(true);
  });

  it('take rows of the data with their true labels and send missing cells as null', () => {
    const plan = planSimulation(dataSampler(heart.X, heart.y), { rows: 3000, seed: 1 });
    const positives = plan.filter((r) => r.label === 1).length / plan.length;
    expect(Math.abs(positives - heart.positives / heart.X.nRows)).toBeLessThan(0.04);
    expect(Object.keys(plan[0].record).sort()).toEqual([...features].sort());
    expect(plan.some((r) => r.record.ca === null)).toBe(true);
  });
});

describe('feedback labels', () => {
  const row = (label: number | null, uLabel: number, flip: boolean, uOther = 0.5): PlannedRow => ({
    record: {},
    label,
    uLabel,
    flip,
    uOther,
  });

  it('use the true label, flipped to the other class when the row is noisy', () => {
    expect(feedbackLabel(row(1, 0.9, false), 0.1, [0, 1], 1)).toBe(1);
    expect(feedbackLabel(row(1, 0.9, true), 0.1, [0, 1], 1)).toBe(0);
    expect(feedbackLabel(row(0, 0.9, true), 0.1, [0, 1], 1)).toBe(1);
    expect(feedbackLabel(row(2, 0, true, 0.9), 0.5, [0, 1, 2], 1)).toBe(1);
  });

  it('without a true label, are drawn from the model’s probability, and noise flips its share of them', () => {
    const sampler = profileSampler(profile, features);
    const plan = planSimulation(sampler, { rows: 10_000, seed: 2, labelNoise: 0.2 });
    const flipped = plan.filter((r) => r.flip).length / plan.length;
    expect(Math.abs(flipped - 0.2)).toBeLessThan(0.015);
    const clean = planSimulation(sampler, { rows: 10_000, seed: 2 });
    const ones = clean.map((r) => feedbackLabel(r, 0.7, [0, 1], 1)).filter((l) => l === 1).length;
    expect(Math.abs(ones / clean.length - 0.7)).toBeLessThan(0.015);
    const noisy = plan.map((r) => feedbackLabel(r, 0.7, [0, 1], 1)).filter((l) => l === 1).length;
    // 0.7 kept at 80% plus 0.3 flipped at 20%
    expect(Math.abs(noisy / plan.length - (0.7 * 0.8 + 0.3 * 0.2))).toBeLessThan(0.015);
  });
});

describe('--endpoint', () => {
  it('accepts the server URL with or without /predict and refuses what is not an http URL', () => {
    expect(endpointBase('http://127.0.0.1:8000')).toBe('http://127.0.0.1:8000');
    expect(endpointBase('http://127.0.0.1:8000/predict')).toBe('http://127.0.0.1:8000');
    expect(endpointBase('http://host/scoring/')).toBe('http://host/scoring');
    expect(() => endpointBase('localhost:8000')).toThrow(/must be an http/);
    expect(() => endpointBase('not a url')).toThrow(/is not a URL/);
  });
});
