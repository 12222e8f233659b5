// Test support for the scoring server: a small real model (heart data, preprocessing + RandomForest,
// seeded) saved as a model package in a temp directory, and the anchor's request record.
import path from 'node:path';
import { RandomForestClassifier } from '../../src/learn/ensemble/index.js';
import { Pipeline } from '../../src/learn/pipeline.js';
import { saveModel } from '../../src/models/package/save-model.js';
import { anchorPreprocessor, heartDataset, type AnchorDataset } from './learn/anchor-protocol.js';
import { readSharedData } from './shared.js';

/** The record of ../shared/anchors/ml/wrk_post.lua (the serving benchmark's request). */
export const HEART_RECORD = {
  age: 63,
  sex: 'Male',
  cp: 'typical angina',
  trestbps: 145,
  chol: 233,
  fbs: true,
  restecg: 'lv hypertrophy',
  thalch: 150,
  exang: false,
  oldpeak: 2.3,
  slope: 'downsloping',
  ca: 0,
  thal: 'fixed defect',
};

export interface HeartModel {
  dir: string;
  heart: AnchorDataset;
  pipeline: Pipeline;
}

/** Trains the heart forest (nTrees trees, seed 11) and saves it under `dir`, with profile and example. */
export async function saveHeartModel(dir: string, nTrees = 25): Promise<HeartModel> {
  const heart = heartDataset(readSharedData('heart_disease_uci.csv'));
  const pipeline = new Pipeline({
    steps: [
      ['prep', anchorPreprocessor(heart.numeric, heart.categorical, false)],
      ['model', new RandomForestClassifier({ nEstimators: nTrees, seed: 11, nJobs: 1 })],
    ],
  }).fit(heart.X, heart.y);
  const out = path.resolve(dir);
  await saveModel(out, pipeline, { trainingFrame: heart.X, trainingTarget: heart.y, artifactPath: 'model' });
  return { dir: out, heart, pipeline };
}
