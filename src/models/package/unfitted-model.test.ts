// A model package never holds an unfitted part: saveModel refuses a pipeline whose step was replaced
// after fit (it is still marked fitted), and loadModel refuses a package whose pipeline.json has an
// unfitted step (state null), naming the step and the fitted attribute it lacks, instead of loading
// it and failing at the first predict.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidParameter } from '../../core/errors.js';
import { frame, numericColumn, type Frame } from '../../learn/core/frame.js';
import { Rng } from '../../learn/core/random.js';
import { LogisticRegression } from '../../learn/linear/index.js';
import { Pipeline } from '../../learn/pipeline.js';
import { ColumnTransformer, StandardScaler } from '../../learn/preprocessing/index.js';
import { loadModelFromDir } from './load-model.js';
import { sha256Hex } from './manifest.js';
import { saveModel } from './save-model.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-unfitted-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let X: Frame;
let y: Float64Array;

beforeAll(() => {
  const rng = new Rng(7);
  const rand = () => rng.random();
  const n = 80;
  const a = Float64Array.from({ length: n }, () => rand() * 10);
  const b = Float64Array.from({ length: n }, () => rand() * 3);
  X = frame([numericColumn('a', a), numericColumn('b', b)]);
  y = Float64Array.from(a, (v, i) => (v + b[i] > 6 ? 1 : 0));
});

function fittedPipeline(): Pipeline {
  const prep = new ColumnTransformer({ transformers: [['num', new StandardScaler({}), ['a', 'b']]] });
  return new Pipeline({
    steps: [
      ['prep', prep],
      ['model', new LogisticRegression({})],
    ],
  }).fit(X, y);
}

/** Saves a fitted pipeline, lets `edit` change its pipeline.json, and re-signs the manifest. */
async function editedPackage(name: string, edit: (json: any) => void): Promise<string> {
  const dir = path.join(tmp, name);
  await saveModel(dir, fittedPipeline());
  const file = path.join(dir, 'pipeline.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  edit(json);
  const text = JSON.stringify(json);
  writeFileSync(file, text);
  const manifestFile = path.join(dir, 'MANIFEST.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  manifest.files['pipeline.json'] = sha256Hex(Buffer.from(text));
  writeFileSync(manifestFile, JSON.stringify(manifest));
  return dir;
}

describe('unfitted parts of a model', () => {
  it('a fitted pipeline saves and loads (the check refuses nothing fitted)', async () => {
    const dir = path.join(tmp, 'fitted');
    await saveModel(dir, fittedPipeline());
    const loaded = await loadModelFromDir(dir);
    expect(loaded.predict(X)).toEqual(fittedPipeline().predict(X));
  });

  it('saveModel refuses a pipeline whose step was swapped in place after fit, naming the step and coef_', async () => {
    // setParams marks the pipeline unfitted; writing into its steps array does not
    const replaced = fittedPipeline().setParams({ model: new LogisticRegression({ C: 0.5 }) });
    await expect(saveModel(path.join(tmp, 'set-params'), replaced)).rejects.toThrow(/the pipeline is not fitted/);
    const p = fittedPipeline();
    p.steps[1] = ['model', new LogisticRegression({ C: 0.5 })];
    const err = await saveModel(path.join(tmp, 'swapped'), p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameter);
    expect((err as Error).message).toBe(
      'saveModel: not fitted: "state" is null, so it has no coef_, ' +
        'in Pipeline › steps[1] "model" (LogisticRegression); call fit() on the whole pipeline again',
    );
  });

  it('loadModel refuses a package whose estimator step is unfitted', async () => {
    const dir = await editedPackage('unfitted-step', (json) => {
      json.params.steps[1][1].state = null;
    });
    const err = await loadModelFromDir(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameter);
    expect((err as Error).message).toBe(
      `'pipeline.json' cannot be restored: not fitted: "state" is null, so it has no coef_, ` +
        'in Pipeline › steps[1] "model" (LogisticRegression)',
    );
  });

  it('loadModel refuses an unfitted transformer inside a fitted ColumnTransformer block', async () => {
    const dir = await editedPackage('unfitted-block', (json) => {
      json.params.steps[0][1].state.blocks[0].transformer.state = null;
    });
    await expect(loadModelFromDir(dir)).rejects.toThrow(
      'not fitted: "state" is null, so it has no featureNamesIn_, in Pipeline › steps[0] "prep" (ColumnTransformer) ' +
        '› blocks[0] "num" (StandardScaler)',
    );
  });

  it('loadModel refuses a pipeline marked unfitted', async () => {
    const dir = await editedPackage('unfitted-pipeline', (json) => {
      json.state.fitted = false;
    });
    await expect(loadModelFromDir(dir)).rejects.toThrow(/not fitted: "state.fitted" is not true, in Pipeline/);
  });
});
