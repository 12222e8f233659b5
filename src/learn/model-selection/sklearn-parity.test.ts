// Model selection with the real estimators and pipeline, against scikit-learn's own
// cross_validate and GridSearchCV on the same data and folds.
import { describe, expect, it } from 'vitest';
import { runPython } from '../../../test/support/python.js';
import { lacks } from '../../../test/support/requirements.js';
import { categoricalColumn, frame, numericColumn } from '../core/frame.js';
import { Pipeline } from '../pipeline.js';
import { ColumnTransformer } from '../preprocessing/column-transformer.js';
import { OneHotEncoder } from '../preprocessing/one-hot-encoder.js';
import { SimpleImputer } from '../preprocessing/simple-imputer.js';
import { DecisionTreeClassifier } from '../tree/decision-tree.js';
import { crossValidate } from './cross-validate.js';
import { GridSearch } from './grid-search.js';
import { StratifiedKFold } from './stratified-k-fold.js';
import { blobs } from '../../../test/support/learn/nearest-centroid.js';

const cv = new StratifiedKFold({ nSplits: 5, shuffle: true, seed: 42 });

describe.skipIf(lacks('sklearn'))('model selection vs scikit-learn', () => {
  const { X, y } = blobs(300, 4, 1.0, 31, 0.35);

  it("crossValidate(DecisionTree) gives cross_validate's per-fold scores", () => {
    const ours = crossValidate(new DecisionTreeClassifier({ maxDepth: 4, seed: 42 }), X, y, {
      cv,
      scoring: ['roc_auc', 'accuracy', 'f1'],
    });
    const sk = runPython<Record<string, number[]>>(
      `
import json, sys
import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.tree import DecisionTreeClassifier
d = json.load(sys.stdin)
X = np.array(d["X"]).reshape(-1, 4); y = np.array(d["y"])
r = cross_validate(DecisionTreeClassifier(max_depth=4, random_state=42), X, y,
                   cv=StratifiedKFold(5, shuffle=True, random_state=42), scoring=["roc_auc", "accuracy", "f1"])
print(json.dumps({k: v.tolist() for k, v in r.items() if k.startswith("test_")}))
`,
      { X: Array.from(X.data), y: Array.from(y) },
    );
    for (const name of ['roc_auc', 'accuracy', 'f1']) {
      Array.from(ours.testScores[name]).forEach((v, f) => expect(v).toBeCloseTo(sk[`test_${name}`][f], 12));
    }
  });

  it("GridSearch over a Pipeline's nested params (step__param) matches GridSearchCV", () => {
    const n = 300;
    const f = frame([
      numericColumn(
        'a',
        Array.from({ length: n }, (_, i) => (i % 17 === 0 ? NaN : X.data[i * 4])),
      ),
      numericColumn(
        'b',
        Array.from({ length: n }, (_, i) => X.data[i * 4 + 1]),
      ),
      categoricalColumn(
        'c',
        Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : ['u', 'v', 'w'][i % 3])),
      ),
    ]);
    const pipe = new Pipeline({
      steps: [
        [
          'prep',
          new ColumnTransformer({
            transformers: [
              ['num', new SimpleImputer({ strategy: 'median' }), ['a', 'b']],
              [
                'cat',
                new Pipeline({
                  steps: [
                    ['impute', new SimpleImputer({ strategy: 'most_frequent' })],
                    ['onehot', new OneHotEncoder({ handleUnknown: 'ignore' })],
                  ],
                }),
                ['c'],
              ],
            ],
          }),
        ],
        ['model', new DecisionTreeClassifier({ seed: 42 })],
      ],
    });
    // Depths <= 2: deeper trees on these one-hot / imputed columns meet equal-gain splits that
    // Cairn's tree breaks differently from scikit-learn's (measured 2026-11-25: ~1e-4..1e-2 AUC).
    const grid = { model__maxDepth: [1, 2], model__minSamplesLeaf: [1, 10, 40] };
    const gs = new GridSearch(pipe, grid, { cv, scoring: 'roc_auc' }).fit(f, y);
    const sk = runPython<{ mean: number[]; best: Record<string, unknown>; params: Record<string, unknown>[] }>(
      `
import json, sys
import numpy as np, pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier
d = json.load(sys.stdin)
df = pd.DataFrame({"a": d["a"], "b": d["b"], "c": d["c"]}).astype({"a": float})
prep = ColumnTransformer([("num", SimpleImputer(strategy="median"), ["a", "b"]),
    ("cat", Pipeline([("impute", SimpleImputer(strategy="most_frequent")), ("onehot", OneHotEncoder(handle_unknown="ignore"))]), ["c"])])
pipe = Pipeline([("prep", prep), ("model", DecisionTreeClassifier(random_state=42))])
gs = GridSearchCV(pipe, {"model__max_depth": [1, 2], "model__min_samples_leaf": [1, 10, 40]},
                  cv=StratifiedKFold(5, shuffle=True, random_state=42), scoring="roc_auc").fit(df, np.array(d["y"]))
print(json.dumps({"mean": gs.cv_results_["mean_test_score"].tolist(), "best": gs.best_params_, "params": gs.cv_results_["params"]}))
`,
      {
        a: Array.from({ length: n }, (_, i) => (i % 17 === 0 ? null : X.data[i * 4])),
        b: Array.from({ length: n }, (_, i) => X.data[i * 4 + 1]),
        c: Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : ['u', 'v', 'w'][i % 3])),
        y: Array.from(y),
      },
    );
    const toSk = (p: Record<string, unknown>) => ({
      model__max_depth: p.model__maxDepth,
      model__min_samples_leaf: p.model__minSamplesLeaf,
    });
    expect(gs.cvResults.params.map(toSk)).toEqual(sk.params);
    Array.from(gs.cvResults.meanTestScore.roc_auc).forEach((v, i) => expect(v).toBeCloseTo(sk.mean[i], 12));
    expect(toSk(gs.bestParams)).toEqual(sk.best);
    expect(gs.bestEstimator.predictProba(f).nRows).toBe(n);
  });
});
