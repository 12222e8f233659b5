// The serving path with a forest: impute + one-hot + RandomForest(100) scored one record at a time
// (timed by bench/learn.ts: RandomForest_n_jobs1's fast path).
import { describe, expect, it } from 'vitest';
import type { Classifier } from './core/estimator.js';
import type { Frame } from './core/frame.js';
import { restoreComponent } from './core/serialization.js';
import { frameToRecords, recordToRowInto, type Cell } from './data/records.js';
import { RandomForestClassifier } from './ensemble/random-forest.js';
import { Pipeline } from './pipeline.js';
import { anchorPreprocessor, heartDataset } from '../../test/support/learn/anchor-protocol.js';
import { lacks } from '../../test/support/requirements.js';
import { readSharedData } from '../../test/support/shared.js';

describe.skipIf(lacks('shared-data'))('Pipeline with RandomForest: single-record path', () => {
  it('equals the batch probabilities and survives a JSON round trip', () => {
    const heart = heartDataset(readSharedData('heart_disease_uci.csv'));
    const p = new Pipeline({
      steps: [
        ['prep', anchorPreprocessor(heart.numeric, heart.categorical, false)],
        ['model', new RandomForestClassifier({ nEstimators: 100, seed: 42, nJobs: 1 })],
      ],
    });
    const asClassifier: Classifier<Frame> = p; // a Pipeline is a Classifier over Frames (cross-validation, search)
    asClassifier.fit(heart.X, heart.y);
    const P = p.predictProba(heart.X);
    const schema = p.inputSchema();
    const records = frameToRecords(heart.X);
    const row: Cell[] = new Array(schema.columns.length);
    const out = new Float64Array(2);
    records.forEach((rec, i) => {
      p.predictProbaRow(recordToRowInto(rec, schema, row), out);
      expect(out[1]).toBe(P.data[2 * i + 1]);
    });
    const back = restoreComponent<Pipeline>(JSON.parse(JSON.stringify(p.toJSON())));
    expect(Array.from(back.predictProba(heart.X).data)).toEqual(Array.from(P.data));
    // the restored pipeline's single-record path agrees too (its latency is bench/learn.ts's fast-path figure)
    records.forEach((rec, i) => {
      back.predictProbaRow(recordToRowInto(rec, schema, row), out);
      expect(out[1]).toBe(P.data[2 * i + 1]);
    });
  });
});
