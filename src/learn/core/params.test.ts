// The params contract, evenly across learn: getParams() shows every constructor option with the
// default fit() uses, and setParams refuses a name the estimator does not have (scikit-learn's
// set_params), listing the valid ones, while nested `step__param` names keep working.
import { describe, expect, it } from 'vitest';
import {
  ColumnTransformer,
  DecisionTreeClassifier,
  GradientBoostingClassifier,
  InvalidParamError,
  KNeighborsClassifier,
  LogisticRegression,
  MinMaxScaler,
  OneHotEncoder,
  OrdinalEncoder,
  Pipeline,
  RandomForestClassifier,
  ResampledClassifier,
  SimpleImputer,
  SMOTE,
  StandardScaler,
  matrix,
} from '../index.js';

/** Each component with its default params as documented (scikit-learn's / XGBoost's defaults, Cairn's names). */
const DEFAULTS = [
  [
    () => new LogisticRegression(),
    {
      C: 1,
      penalty: 'l2',
      fitIntercept: true,
      classWeight: null,
      maxIter: 100,
      tol: 1e-4,
      multiClass: 'auto',
    },
  ],
  [
    () => new DecisionTreeClassifier(),
    {
      criterion: 'gini',
      maxDepth: null,
      minSamplesSplit: 2,
      minSamplesLeaf: 1,
      maxFeatures: null,
      classWeight: null,
      seed: 0,
    },
  ],
  [
    () => new RandomForestClassifier(),
    {
      nEstimators: 100,
      criterion: 'gini',
      maxDepth: null,
      minSamplesSplit: 2,
      minSamplesLeaf: 1,
      maxFeatures: 'sqrt',
      bootstrap: true,
      classWeight: null,
      seed: 0,
      nJobs: null,
    },
  ],
  [
    () => new GradientBoostingClassifier(),
    {
      nEstimators: 100,
      learningRate: 0.3,
      maxDepth: 6,
      minChildWeight: 1,
      regLambda: 1,
      gamma: 0,
      subsample: 1,
      colsampleByTree: 1,
      maxBin: 256,
      baseScore: 0.5,
      earlyStoppingRounds: null,
      seed: 0,
    },
  ],
  [
    () => new KNeighborsClassifier(),
    { nNeighbors: 5, weights: 'uniform', algorithm: 'auto', leafSize: 30, metric: 'minkowski', p: 2 },
  ],
  [() => new StandardScaler(), { withMean: true, withStd: true }],
  [() => new MinMaxScaler(), { featureRange: [0, 1], clip: false }],
  [() => new SimpleImputer(), { strategy: 'mean', fillValue: null, keepEmptyFeatures: false }],
  [() => new OneHotEncoder(), { handleUnknown: 'error', categories: 'auto' }],
  [
    () => new OrdinalEncoder(),
    { handleUnknown: 'error', unknownValue: null, encodedMissingValue: NaN, categories: 'auto' },
  ],
  [() => new SMOTE(), { kNeighbors: 5, samplingStrategy: 'auto', seed: 0 }],
  [
    () => new ColumnTransformer({ transformers: [] }),
    { transformers: [], remainder: 'drop', verboseFeatureNamesOut: true },
  ],
] as const;

describe('getParams(): every constructor option with its default', () => {
  for (const [make, defaults] of DEFAULTS) {
    const name = make().constructor.name;
    it(name, () => {
      expect(make().getParams()).toEqual(defaults);
    });
  }

  it('a given value replaces the default and is kept as given', () => {
    const cw = { 0: 1, 1: 5 };
    const lr = new LogisticRegression({ C: 0.5, classWeight: cw });
    expect(lr.getParams()).toMatchObject({ C: 0.5, classWeight: cw, maxIter: 100 });
    expect(lr.params).toEqual({ C: 0.5, classWeight: cw });
  });

  it('a param given as undefined means its default, in getParams and in fit', () => {
    const lr = new LogisticRegression({ C: 2, classWeight: undefined });
    expect(lr.getParams()).toMatchObject({ C: 2, classWeight: null });
    const X = matrix(4, 1, Float64Array.of(0, 1, 2, 3));
    expect(lr.fit(X, [0, 0, 1, 1]).classes_).toEqual(Float64Array.of(0, 1));
  });

  it('ResampledClassifier shows its estimator and SMOTE params nested, defaults included', () => {
    const r = new ResampledClassifier({ estimator: new LogisticRegression({ C: 2 }) });
    const p = r.getParams();
    expect(p).toMatchObject({ estimator__C: 2, estimator__maxIter: 100, smote__kNeighbors: 5, smote__seed: 0 });
    expect(p.smote).toEqual({ kNeighbors: 5, samplingStrategy: 'auto', seed: 0 });
  });
});

describe('setParams: unknown names throw, naming the valid ones', () => {
  for (const [make, defaults] of DEFAULTS) {
    const c = make();
    const name = c.constructor.name;
    if (!('setParams' in c)) continue;
    it(name, () => {
      const valid = Object.keys(defaults)
        .map((k) => `'${k}'`)
        .join(', ');
      const before = c.getParams();
      const set = () => (c as { setParams(p: Record<string, unknown>): unknown }).setParams({ nope: 1 });
      expect(set).toThrow(InvalidParamError);
      expect(set).toThrow(`Invalid parameter 'nope' for estimator ${name}(). Valid parameters are: [${valid}].`);
      expect(c.getParams()).toEqual(before);
    });
  }

  it('LogisticRegression: a typo such as "c" for "C" is refused rather than silently ignored', () => {
    expect(() => new LogisticRegression().setParams({ c: 10 })).toThrow(
      "Invalid parameter 'c' for estimator LogisticRegression(). Valid parameters are: " +
        "['C', 'penalty', 'fitIntercept', 'classWeight', 'maxIter', 'tol', 'multiClass'].",
    );
  });

  it('SMOTE refuses unknown names at construction (it has no setParams)', () => {
    expect(() => new SMOTE({ k: 3 } as never)).toThrow("Invalid parameter 'k' for estimator SMOTE()");
  });
});

describe('nested names', () => {
  const pipeline = () =>
    new Pipeline({
      steps: [
        [
          'prep',
          new ColumnTransformer({
            transformers: [['num', new Pipeline({ steps: [['impute', new SimpleImputer()]] }), ['a']]],
          }),
        ],
        ['model', new LogisticRegression()],
      ],
    });

  it('Pipeline: step__param and deeper names reach the step; a whole step can be replaced by name', () => {
    const p = pipeline().setParams({ model__C: 0.1, prep__num__impute__strategy: 'median' });
    expect(p.step<LogisticRegression>('model').params.C).toBe(0.1);
    const ct = p.step<ColumnTransformer>('prep');
    expect((ct.params.transformers[0][1] as Pipeline).step<SimpleImputer>('impute').params.strategy).toBe('median');
    const lr = new LogisticRegression({ C: 3 });
    p.setParams({ model: lr });
    expect(p.step('model')).toBe(lr);
  });

  it('Pipeline: an unknown step, an unknown param of a step, an unknown own name all throw', () => {
    expect(() => pipeline().setParams({ nope__C: 1 })).toThrow(
      "Invalid parameter 'nope' for estimator Pipeline(). Valid parameters are: ['steps', 'prep', 'model'].",
    );
    expect(() => pipeline().setParams({ model__c: 1 })).toThrow(
      "Invalid parameter 'c' for estimator LogisticRegression()",
    );
    expect(() => pipeline().setParams({ prep__num__impute__strat: 'mean' })).toThrow(
      "Invalid parameter 'strat' for estimator SimpleImputer()",
    );
    expect(() => pipeline().setParams({ prep__cat__strategy: 'mean' })).toThrow(
      "Invalid parameter 'cat' for estimator ColumnTransformer(). Valid parameters are: ['transformers', 'remainder', 'verboseFeatureNamesOut', 'num'].",
    );
  });

  it('ResampledClassifier: estimator__ and smote__ names are checked by their owner', () => {
    const r = new ResampledClassifier({ estimator: new LogisticRegression() });
    r.setParams({ estimator__C: 4, smote__kNeighbors: 3 });
    expect(r.getParams()).toMatchObject({ estimator__C: 4, smote__kNeighbors: 3 });
    expect(() => r.setParams({ estimator__depth: 3 })).toThrow(
      "Invalid parameter 'depth' for estimator LogisticRegression()",
    );
    expect(() => r.setParams({ smote__k: 3 })).toThrow("Invalid parameter 'k' for estimator SMOTE()");
  });
});
