// Model package: write/read round trip (bit-identical probabilities), tampering refused, signature
// enforcement, and the reference profile checked against an independent computation.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidParameter } from '../../core/errors.js';
import { categoricalColumn, type Frame } from '../../learn/core/frame.js';
import { frameToRecords } from '../../learn/data/records.js';
import { GradientBoostingClassifier, RandomForestClassifier } from '../../learn/ensemble/index.js';
import { KNeighborsClassifier } from '../../learn/neighbors/index.js';
import { DecisionTreeClassifier } from '../../learn/tree/index.js';
import { LogisticRegression } from '../../learn/linear/index.js';
import { Pipeline } from '../../learn/pipeline.js';
import { anchorPreprocessor, heartDataset, type AnchorDataset } from '../../../test/support/learn/anchor-protocol.js';
import { loadModelFromDir } from './load-model.js';
import { buildManifest, sha256Hex } from './manifest.js';
import { sampleRowIndices } from './reference-sample.js';
import { saveModel } from './save-model.js';
import { lacks } from '../../../test/support/requirements.js';
import { readSharedData } from '../../../test/support/shared.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-model-pkg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const data = !lacks('shared-data');
let heart: AnchorDataset;
let forest: Pipeline;
let logistic: Pipeline;
let forestDir: string;

beforeAll(async () => {
  heart = heartDataset(readSharedData('heart_disease_uci.csv'));
  forest = new Pipeline({
    steps: [
      ['prep', anchorPreprocessor(heart.numeric, heart.categorical, false)],
      ['model', new RandomForestClassifier({ nEstimators: 30, seed: 7, nJobs: 1 })],
    ],
  }).fit(heart.X, heart.y);
  logistic = new Pipeline({
    steps: [
      ['prep', anchorPreprocessor(heart.numeric, heart.categorical, true)],
      ['model', new LogisticRegression({ C: 1, maxIter: 200 })],
    ],
  }).fit(heart.X, heart.y);
  forestDir = path.join(tmp, 'forest');
  await saveModel(forestDir, forest, {
    runId: 'abc123',
    artifactPath: 'model',
    trainingFrame: heart.X,
    trainingTarget: heart.y,
    metadata: { owner: 'cardiology' },
  });
});

function copy(name: string): string {
  const to = path.join(tmp, name);
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to);
  for (const f of readdirSync(forestDir)) writeFileSync(path.join(to, f), readFileSync(path.join(forestDir, f)));
  return to;
}

describe.skipIf(!data)('model package round trip', () => {
  it.each([
    ['RandomForest', () => forest],
    ['LogisticRegression', () => logistic],
  ])('%s: loaded probabilities equal the in-memory pipeline bit for bit', async (name, get) => {
    const pipeline = get();
    const dir = path.join(tmp, `rt-${name}`);
    await saveModel(dir, pipeline, { trainingFrame: heart.X, trainingTarget: heart.y });
    const loaded = await loadModelFromDir(dir);
    const expected = pipeline.predictProba(heart.X).data;
    expect(Array.from(loaded.predictProba(heart.X).data)).toEqual(Array.from(expected));
    // records (as a scoring request carries them) give the same bits too
    const fromRecords = loaded.predictProba(frameToRecords(heart.X)).data;
    const same = fromRecords.every((v, i) => Object.is(v, expected[i]));
    expect(same).toBe(true);
    expect(Array.from(loaded.predict(heart.X))).toEqual(Array.from(pipeline.predict(heart.X)));
  });

  it.each([
    ['DecisionTree', () => new DecisionTreeClassifier({ maxDepth: 6, seed: 1 })],
    ['GradientBoosting', () => new GradientBoostingClassifier({ nEstimators: 20, seed: 1 })],
    ['KNeighbors', () => new KNeighborsClassifier({ nNeighbors: 7, weights: 'distance' })],
  ])('%s: round trip is bit-identical too', async (name, make) => {
    const pipeline = new Pipeline({
      steps: [
        ['prep', anchorPreprocessor(heart.numeric, heart.categorical, true)],
        ['model', make() as never],
      ],
    }).fit(heart.X, heart.y);
    const dir = path.join(tmp, `rt-${name}`);
    await saveModel(dir, pipeline, { inputExample: frameToRecords(heart.X).slice(0, 2) });
    const loaded = await loadModelFromDir(dir);
    expect(Array.from(loaded.predictProba(heart.X).data)).toEqual(Array.from(pipeline.predictProba(heart.X).data));
    // without a training frame: signature from the pipeline's inputs (all optional), no profile
    expect(loaded.signature.inputs.map((c) => c.name)).toEqual([...heart.numeric, ...heart.categorical]);
    expect(loaded.signature.inputs.every((c) => !c.required)).toBe(true);
    expect(loaded.referenceProfile).toBeUndefined();
    expect(loaded.inputExample?.data).toHaveLength(2);
  });

  it('a given signature must cover the columns the pipeline reads', async () => {
    const signature = { inputs: [{ type: 'double' as const, name: 'age', required: true }], outputs: [] };
    await expect(saveModel(path.join(tmp, 'narrow-signature'), logistic, { signature })).rejects.toThrow(
      /inputs lack column 'trestbps'/,
    );
  });

  it('writes MLflow-shaped MLmodel fields, split-orient example and a manifest covering every file', async () => {
    const mlmodel = parseYaml(readFileSync(path.join(forestDir, 'MLmodel'), 'utf8')) as Record<string, any>;
    expect(Object.keys(mlmodel)).toEqual([...Object.keys(mlmodel)].sort());
    expect(mlmodel.artifact_path).toBe('model');
    expect(mlmodel.run_id).toBe('abc123');
    expect(mlmodel.model_uuid).toMatch(/^[0-9a-f]{32}$/);
    expect(mlmodel.utc_time_created).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
    expect(mlmodel.flavors.cairn).toMatchObject({
      format_version: 1,
      estimator: 'RandomForestClassifier',
      pipeline: 'pipeline.json',
    });
    expect(mlmodel.saved_input_example_info).toEqual({
      artifact_path: 'input_example.json',
      type: 'dataframe',
      pandas_orient: 'split',
    });
    expect(mlmodel.metadata).toEqual({ owner: 'cardiology' });
    const inputs = JSON.parse(mlmodel.signature.inputs) as { type: string; name: string; required: boolean }[];
    expect(mlmodel.signature.inputs.startsWith('[{"type": "double", "name": "age", "required": true}')).toBe(true);
    // trestbps has missing values in the UCI file, age does not; sex is categorical
    expect(inputs.find((c) => c.name === 'trestbps')).toEqual({ type: 'double', name: 'trestbps', required: false });
    expect(inputs.find((c) => c.name === 'sex')).toEqual({ type: 'string', name: 'sex', required: true });
    expect(inputs.map((c) => c.name)).toEqual([...heart.numeric, ...heart.categorical]);
    const example = JSON.parse(readFileSync(path.join(forestDir, 'input_example.json'), 'utf8'));
    expect(example.columns).toEqual(inputs.map((c) => c.name));
    expect(example.data[0]).toEqual([
      63,
      145,
      233,
      150,
      2.3,
      0,
      'Male',
      'typical angina',
      'TRUE',
      'lv hypertrophy',
      'FALSE',
      'downsloping',
      'fixed defect',
    ]);
    const manifest = JSON.parse(readFileSync(path.join(forestDir, 'MANIFEST.json'), 'utf8'));
    expect(manifest.format_version).toBe(1);
    const files = readdirSync(forestDir)
      .filter((f) => f !== 'MANIFEST.json')
      .sort();
    expect(Object.keys(manifest.files)).toEqual(files);
    for (const f of files) expect(manifest.files[f]).toBe(sha256Hex(readFileSync(path.join(forestDir, f))));
    const loaded = await loadModelFromDir(forestDir);
    expect(loaded.metadata).toEqual({ owner: 'cardiology' });
    expect(loaded.signature.inputs).toHaveLength(13);
    expect(loaded.inputSchema.columns[6]).toEqual({ name: 'sex', kind: 'categorical' });
  });

  it('refuses to overwrite a non-empty directory and an unfitted pipeline', async () => {
    await expect(saveModel(forestDir, forest)).rejects.toThrow(/not empty/);
    const unfitted = new Pipeline({ steps: [['model', new LogisticRegression({})]] });
    await expect(saveModel(path.join(tmp, 'unfitted'), unfitted)).rejects.toThrow(/not fitted/);
  });
});

describe.skipIf(!data)('tampered packages', () => {
  it('an edited pipeline.json fails its checksum, naming the file', async () => {
    const dir = copy('tampered-pipeline');
    const p = path.join(dir, 'pipeline.json');
    writeFileSync(p, readFileSync(p, 'utf8').replace('"nEstimators":30', '"nEstimators":31'));
    const err = await loadModelFromDir(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameter);
    expect((err as Error).message).toMatch(/checksum mismatch for 'pipeline.json'/);
  });

  it('an unknown format version is refused (flavor and manifest)', async () => {
    const dir = copy('future-format');
    const m = path.join(dir, 'MANIFEST.json');
    writeFileSync(m, readFileSync(m, 'utf8').replace('"format_version": 1', '"format_version": 2'));
    await expect(loadModelFromDir(dir)).rejects.toThrow(
      /MANIFEST.json format_version is 2; this Cairn reads model format version\(s\) 1/,
    );

    // MLmodel says version 2 and the manifest is re-signed: the flavor check still refuses it
    const dir2 = copy('future-flavor');
    const yml = path.join(dir2, 'MLmodel');
    const text = readFileSync(yml, 'utf8').replace('format_version: 1', 'format_version: 2');
    writeFileSync(yml, text);
    const manifest = JSON.parse(readFileSync(path.join(dir2, 'MANIFEST.json'), 'utf8'));
    manifest.files.MLmodel = sha256Hex(Buffer.from(text));
    writeFileSync(path.join(dir2, 'MANIFEST.json'), JSON.stringify(manifest));
    await expect(loadModelFromDir(dir2)).rejects.toThrow(/flavors.cairn.format_version is 2/);
  });

  it('a listed file that is missing, and a package without a manifest, are refused', async () => {
    const dir = copy('missing-file');
    rmSync(path.join(dir, 'reference_profile.json'));
    await expect(loadModelFromDir(dir)).rejects.toThrow(
      /'reference_profile.json' is listed in MANIFEST.json but missing/,
    );
    const dir2 = copy('no-manifest');
    rmSync(path.join(dir2, 'MANIFEST.json'));
    await expect(loadModelFromDir(dir2)).rejects.toThrow(/MANIFEST.json is missing/);
  });

  it('a pipeline file not listed in the manifest is refused even with a valid checksum elsewhere', async () => {
    const dir = copy('unlisted-pipeline');
    const manifest = JSON.parse(readFileSync(path.join(dir, 'MANIFEST.json'), 'utf8'));
    delete manifest.files['pipeline.json'];
    writeFileSync(path.join(dir, 'MANIFEST.json'), JSON.stringify(manifest));
    await expect(loadModelFromDir(dir)).rejects.toThrow(/'pipeline.json' is not listed in MANIFEST.json/);
  });

  it('an unknown component type is refused, not looked up anywhere else', async () => {
    const dir = copy('unknown-type');
    const p = path.join(dir, 'pipeline.json');
    const text = readFileSync(p, 'utf8').replace('"type":"RandomForestClassifier"', '"type":"EvalEverything"');
    writeFileSync(p, text);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'MANIFEST.json'), 'utf8'));
    manifest.files['pipeline.json'] = sha256Hex(Buffer.from(text));
    writeFileSync(path.join(dir, 'MANIFEST.json'), JSON.stringify(manifest));
    await expect(loadModelFromDir(dir)).rejects.toThrow(
      /'pipeline.json' cannot be restored: unknown model component type "EvalEverything"/,
    );
  });

  it('a manifest path escaping the package is refused', async () => {
    const dir = copy('escaping-path');
    const manifest = JSON.parse(readFileSync(path.join(dir, 'MANIFEST.json'), 'utf8'));
    manifest.files['../outside.json'] = manifest.files['pipeline.json'];
    writeFileSync(path.join(dir, 'MANIFEST.json'), JSON.stringify(manifest));
    await expect(loadModelFromDir(dir)).rejects.toThrow(/MANIFEST.json lists an unsafe path '..\/outside.json'/);
  });

  it('YAML tags that would build objects are refused', async () => {
    const dir = copy('yaml-tag');
    const yml = path.join(dir, 'MLmodel');
    const text = `${readFileSync(yml, 'utf8')}evil: !!js/function "function () { throw new Error('ran') }"\n`;
    writeFileSync(yml, text);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'MANIFEST.json'), 'utf8'));
    manifest.files.MLmodel = sha256Hex(Buffer.from(text));
    writeFileSync(path.join(dir, 'MANIFEST.json'), JSON.stringify(manifest));
    await expect(loadModelFromDir(dir)).rejects.toThrow(/MLmodel is not plain YAML data: .*js\/function/);
  });
});

describe.skipIf(!data)('signature enforcement', () => {
  const record = () => ({ ...frameToRecords(heart.X)[0] }) as Record<string, unknown>;

  it('a missing required column is refused, naming it; a missing optional one is imputed', async () => {
    const loaded = await loadModelFromDir(forestDir);
    const noAge = record();
    delete noAge.age;
    const err = (() => {
      try {
        loaded.predictProba([noAge as never]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InvalidParameter);
    expect((err as Error).message).toMatch(/missing inputs \['age'\]/);
    expect(() => loaded.predict([{ ...record(), sex: null } as never])).toThrow(/missing inputs \['sex'\]/);
    const noTrestbps = record();
    delete noTrestbps.trestbps; // had missing values in training: optional
    expect(loaded.predictProba([noTrestbps as never]).nRows).toBe(1);
    // a Frame without a required column
    const frameWithoutAge: Frame = { nRows: heart.X.nRows, columns: heart.X.columns.filter((c) => c.name !== 'age') };
    expect(() => loaded.predict(frameWithoutAge)).toThrow(/missing inputs \['age'\]/);
  });

  it('text where a double is expected must parse as a number', async () => {
    const loaded = await loadModelFromDir(forestDir);
    expect(() => loaded.predict([{ ...record(), chol: 'high' } as never])).toThrow(
      /Input column 'chol' \(row 0\): expected double, got "high"/,
    );
    const asText = loaded.predictProba([{ ...record(), chol: '233' } as never]).data;
    expect(Array.from(asText)).toEqual(Array.from(loaded.predictProba([record() as never]).data));
    expect(() => loaded.predict([{ ...record(), sex: { nested: true } } as never])).toThrow(/Input column 'sex'/);
  });

  it('a Frame column of text where a double is expected is converted when it parses, refused otherwise', async () => {
    const loaded = await loadModelFromDir(forestDir);
    const age = heart.X.columns.find((c) => c.name === 'age')!;
    const asText = categoricalColumn(
      'age',
      Array.from((age as { values: Float64Array }).values, (v) => String(v)),
    );
    const textFrame: Frame = {
      nRows: heart.X.nRows,
      columns: heart.X.columns.map((c) => (c.name === 'age' ? asText : c)),
    };
    expect(Array.from(loaded.predictProba(textFrame).data)).toEqual(Array.from(forest.predictProba(heart.X).data));
    const bad = categoricalColumn(
      'age',
      Array.from({ length: heart.X.nRows }, (_, i) => (i === 3 ? 'old' : '50')),
    );
    const badFrame: Frame = { nRows: heart.X.nRows, columns: heart.X.columns.map((c) => (c.name === 'age' ? bad : c)) };
    expect(() => loaded.predict(badFrame)).toThrow(/Input column 'age' \(row 3\): expected double, got "old"/);
  });
});

describe.skipIf(!data)('reference profile', () => {
  // Independent figures: the data README (pandas counts) and a direct read of the CSV text.
  function rawColumn(name: string): (string | undefined)[] {
    const lines = readSharedData('heart_disease_uci.csv').trim().split('\n');
    const j = lines[0].split(',').indexOf(name);
    return lines.slice(1).map((l) => {
      const v = l.split(',')[j];
      return v === '' ? undefined : v;
    });
  }

  it('matches counts, moments, numpy quantiles and histograms computed independently', () => {
    const profile = JSON.parse(readFileSync(path.join(forestDir, 'reference_profile.json'), 'utf8'));
    expect(profile.n_rows).toBe(920);
    const byName = Object.fromEntries(profile.features.map((f: { name: string }) => [f.name, f]));
    expect(byName.age).toMatchObject({ type: 'double', count: 920, missing: 0, min: 28, max: 77 });
    expect(byName.trestbps.missing).toBe(59);
    expect(byName.trestbps.missing_share).toBeCloseTo(59 / 920, 12);
    expect(byName.fbs).toMatchObject({ type: 'string', missing: 90 });

    const chol = rawColumn('chol')
      .filter((v): v is string => v !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    expect(byName.chol.missing).toBe(30);
    const mean = chol.reduce((s, v) => s + v, 0) / chol.length;
    const std = Math.sqrt(chol.reduce((s, v) => s + (v - mean) ** 2, 0) / (chol.length - 1));
    expect(byName.chol.mean).toBeCloseTo(mean, 9);
    expect(byName.chol.std).toBeCloseTo(std, 9);
    const numpyLinear = (p: number) => {
      const h = (chol.length - 1) * p;
      const f = Math.floor(h);
      return chol[f] + (h - f) * ((chol[f + 1] ?? chol[f]) - chol[f]);
    };
    expect(byName.chol.quantiles.probabilities).toEqual([0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1]);
    byName.chol.quantiles.values.forEach((v: number, k: number) =>
      expect(v).toBeCloseTo(numpyLinear(byName.chol.quantiles.probabilities[k]), 9),
    );
    // 0..603 in 10 equal bins of 60.3; 172 zeros land in the first bin
    const edges = byName.chol.histogram.edges as number[];
    expect(edges[0]).toBe(0);
    expect(edges[10]).toBe(603);
    const naive = new Array(10).fill(0);
    for (const v of chol) naive[Math.min(9, Math.floor(v / 60.3))]++;
    expect(byName.chol.histogram.counts).toEqual(naive);
    expect(byName.chol.histogram.counts[0]).toBeGreaterThanOrEqual(172);

    const sex = rawColumn('sex');
    expect(byName.sex.frequencies).toEqual({
      Female: sex.filter((v) => v === 'Female').length,
      Male: sex.filter((v) => v === 'Male').length,
    });
    expect(profile.target).toEqual({ classes: [0, 1], counts: [411, 509], shares: [411 / 920, 509 / 920] });

    const proba = forest.predictProba(heart.X).data;
    const p1 = Array.from({ length: 920 }, (_, i) => proba[2 * i + 1]);
    expect(profile.prediction.positive_class).toBe(1);
    const pEdges = profile.prediction.histogram.edges as number[];
    pEdges.forEach((e, k) => expect(e).toBeCloseTo(k / 10, 12));
    // bin k holds edges[k] <= p < edges[k+1]; the last bin also holds p = 1
    const bins = new Array(10).fill(0);
    for (const p of p1) {
      let k = 9;
      while (k > 0 && p < pEdges[k]) k--;
      bins[k]++;
    }
    expect(profile.prediction.histogram.counts).toEqual(bins);
    expect(profile.prediction.mean).toBeCloseTo(p1.reduce((s, v) => s + v, 0) / 920, 12);
  });
});

describe.skipIf(!data)('reference sample', () => {
  it('keeps every training row (fewer than 5,000) with labels and bit-identical training predictions', async () => {
    const mlmodel = parseYaml(readFileSync(path.join(forestDir, 'MLmodel'), 'utf8'));
    expect(mlmodel.flavors.cairn.reference_sample).toBe('reference_sample.json');
    const manifest = JSON.parse(readFileSync(path.join(forestDir, 'MANIFEST.json'), 'utf8'));
    expect(Object.keys(manifest.files)).toContain('reference_sample.json');
    const loaded = await loadModelFromDir(forestDir);
    const s = loaded.referenceSample!;
    expect(s).toMatchObject({ format_version: 1, sampling: 'all', n_source_rows: 920, n_rows: 920 });
    const age = heart.X.columns.find((c) => c.name === 'age')!;
    expect(s.columns.age).toEqual(Array.from(age.kind === 'numeric' ? age.values : []));
    // missing values are null: trestbps has 59 missing in the UCI file
    expect(s.columns.trestbps.filter((v) => v === null)).toHaveLength(59);
    expect(s.columns.sex.slice(0, 3)).toEqual(['Male', 'Male', 'Male']);
    expect(s.target).toEqual(Array.from(heart.y));
    const proba = forest.predictProba(heart.X).data;
    expect(s.prediction!.positive_class).toBe(1);
    expect(s.prediction!.probabilities).toEqual(Array.from({ length: 920 }, (_, i) => proba[2 * i + 1]));
  });

  it('draws a bounded uniform sample without replacement, the same rows for the same seed', async () => {
    const save = async (name: string, seed: number) => {
      const dir = path.join(tmp, name);
      await saveModel(dir, forest, {
        trainingFrame: heart.X,
        trainingTarget: heart.y,
        referenceSampleRows: 100,
        referenceSampleSeed: seed,
      });
      return (await loadModelFromDir(dir)).referenceSample!;
    };
    const a = await save('sample-a', 3);
    const b = await save('sample-b', 3);
    const c = await save('sample-c', 4);
    expect(a).toMatchObject({ sampling: 'uniform', seed: 3, n_source_rows: 920, n_rows: 100 });
    expect(a.columns).toEqual(b.columns);
    expect(a.columns.age).not.toEqual(c.columns.age);
    // each sampled row is a distinct training row, in training order: its id column is not kept, so
    // match (age, chol, label) triples against the training rows at the drawn indices
    const idx = sampleRowIndices(920, 100, 3);
    expect(new Set(idx).size).toBe(100);
    expect(Array.from(idx)).toEqual([...idx].sort((x, y) => x - y));
    const chol = heart.X.columns.find((col) => col.name === 'chol')!;
    const cholValues = chol.kind === 'numeric' ? chol.values : new Float64Array();
    expect(a.columns.chol).toEqual(Array.from(idx, (r) => (Number.isFinite(cholValues[r]) ? cholValues[r] : null)));
    expect(a.target).toEqual(Array.from(idx, (r) => heart.y[r]));
    // the class balance of a uniform sample is close to the training one (509 / 920 positive)
    const positives = a.target!.filter((y) => y === 1).length;
    expect(positives).toBeGreaterThan(40);
    expect(positives).toBeLessThan(70);
    await expect(
      saveModel(path.join(tmp, 'sample-bad'), forest, { trainingFrame: heart.X, referenceSampleRows: -1 }),
    ).rejects.toThrow(/referenceSampleRows must be a non-negative integer/);
  });

  it('a package written before the sample existed still loads, without one', async () => {
    const dir = copy('pre-sample');
    rmSync(path.join(dir, 'reference_sample.json'));
    const yamlText = readFileSync(path.join(dir, 'MLmodel'), 'utf8');
    const withoutSample = yamlText.replace(/^ {4}reference_sample: reference_sample\.json\n/m, '');
    expect(withoutSample).not.toBe(yamlText);
    writeFileSync(path.join(dir, 'MLmodel'), withoutSample);
    const files: Record<string, Buffer> = {};
    for (const f of readdirSync(dir)) if (f !== 'MANIFEST.json') files[f] = readFileSync(path.join(dir, f));
    writeFileSync(path.join(dir, 'MANIFEST.json'), JSON.stringify(buildManifest(files), null, 2));
    const loaded = await loadModelFromDir(dir);
    expect(loaded.referenceSample).toBeUndefined();
    expect(loaded.referenceProfile?.n_rows).toBe(920);
    expect(Array.from(loaded.predictProba(heart.X).data)).toEqual(Array.from(forest.predictProba(heart.X).data));
  });

  it('an unknown sample version is ignored, not fatal', async () => {
    const dir = copy('future-sample');
    const file = path.join(dir, 'reference_sample.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), format_version: 99 }));
    const files: Record<string, Buffer> = {};
    for (const f of readdirSync(dir)) if (f !== 'MANIFEST.json') files[f] = readFileSync(path.join(dir, f));
    writeFileSync(path.join(dir, 'MANIFEST.json'), JSON.stringify(buildManifest(files), null, 2));
    expect((await loadModelFromDir(dir)).referenceSample).toBeUndefined();
  });
});
