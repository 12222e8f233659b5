// The five model families `cairn train` fits, each a learn Pipeline: a ColumnTransformer (median
// imputation [+ scaling] for numbers, most-frequent imputation + one-hot for categories, as the
// reference projects) and a classifier. On an imbalanced target, families with class weights use
// 'balanced'; the others get SMOTE as part of the classifier (ResampledClassifier), so synthetic rows
// are made inside each training fold only, never before splitting.
import type { ColumnTransformerEntry } from '../learn/preprocessing/column-transformer.js';
import { ColumnTransformer } from '../learn/preprocessing/column-transformer.js';
import { OneHotEncoder } from '../learn/preprocessing/one-hot-encoder.js';
import { SimpleImputer } from '../learn/preprocessing/simple-imputer.js';
import { StandardScaler } from '../learn/preprocessing/standard-scaler.js';
import { GradientBoostingClassifier } from '../learn/ensemble/gradient-boosting.js';
import { RandomForestClassifier } from '../learn/ensemble/random-forest.js';
import { ResampledClassifier } from '../learn/imbalance/resampled-classifier.js';
import { LogisticRegression } from '../learn/linear/logistic-regression.js';
import { KNeighborsClassifier } from '../learn/neighbors/k-neighbors.js';
import { Pipeline, type PipelineClassifier } from '../learn/pipeline.js';
import { DecisionTreeClassifier } from '../learn/tree/decision-tree.js';

export const MODEL_FAMILIES = ['lr', 'dt', 'rf', 'gbm', 'knn'] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

export const FAMILY_NAMES: Record<ModelFamily, string> = {
  lr: 'logistic regression',
  dt: 'decision tree',
  rf: 'random forest',
  gbm: 'gradient boosting',
  knn: 'k-nearest neighbours',
};

/** How a family copes with an imbalanced target. */
export type ImbalanceHandling = 'none' | 'class_weight=balanced' | 'smote';

export interface FamilyBuild {
  pipeline: Pipeline;
  imbalance: ImbalanceHandling;
}

/** Scaling matters for distance- and penalty-based models only (as the reference projects). */
const SCALED: Record<ModelFamily, boolean> = { lr: true, dt: false, rf: false, gbm: false, knn: true };

export function preprocessor(numeric: string[], categorical: string[], scale: boolean): ColumnTransformer {
  const transformers: ColumnTransformerEntry[] = [];
  if (numeric.length > 0) {
    const steps: [string, SimpleImputer | StandardScaler][] = [['impute', new SimpleImputer({ strategy: 'median' })]];
    if (scale) steps.push(['scale', new StandardScaler()]);
    transformers.push(['num', new Pipeline({ steps }), numeric]);
  }
  if (categorical.length > 0) {
    const steps: [string, SimpleImputer | OneHotEncoder][] = [
      ['impute', new SimpleImputer({ strategy: 'most_frequent' })],
      ['onehot', new OneHotEncoder({ handleUnknown: 'ignore' })],
    ];
    transformers.push(['cat', new Pipeline({ steps }), categorical]);
  }
  return new ColumnTransformer({ transformers });
}

/** Modest settings: the whole heart pipeline (5 families, 5-fold CV) runs in seconds. */
function classifier(
  family: ModelFamily,
  seed: number,
  imbalanced: boolean,
): { model: PipelineClassifier; imbalance: ImbalanceHandling } {
  const cw = imbalanced ? ('balanced' as const) : null;
  const weighted: ImbalanceHandling = imbalanced ? 'class_weight=balanced' : 'none';
  const smote = (estimator: PipelineClassifier) =>
    imbalanced
      ? { model: new ResampledClassifier({ estimator, smote: { kNeighbors: 5, seed } }), imbalance: 'smote' as const }
      : { model: estimator, imbalance: 'none' as const };
  switch (family) {
    case 'lr':
      return { model: new LogisticRegression({ maxIter: 1000, classWeight: cw }), imbalance: weighted };
    case 'dt':
      return {
        model: new DecisionTreeClassifier({ maxDepth: 6, minSamplesLeaf: 5, classWeight: cw, seed }),
        imbalance: weighted,
      };
    case 'rf':
      return {
        model: new RandomForestClassifier({ nEstimators: 100, minSamplesLeaf: 2, classWeight: cw, seed, nJobs: 1 }),
        imbalance: weighted,
      };
    case 'gbm':
      return smote(
        new GradientBoostingClassifier({ nEstimators: 100, learningRate: 0.1, maxDepth: 3, subsample: 0.8, seed }),
      );
    case 'knn':
      return smote(new KNeighborsClassifier({ nNeighbors: 15, weights: 'distance' }));
  }
}

/** An unfitted pipeline for a family over the given feature columns. */
export function buildFamily(
  family: ModelFamily,
  columns: { numeric: string[]; categorical: string[] },
  options: { seed: number; imbalanced: boolean },
): FamilyBuild {
  const { model, imbalance } = classifier(family, options.seed, options.imbalanced);
  const pipeline = new Pipeline({
    steps: [
      ['prep', preprocessor(columns.numeric, columns.categorical, SCALED[family])],
      ['model', model],
    ],
  });
  return { pipeline, imbalance };
}

/** `lr,rf` → ['lr', 'rf']; undefined when a name is not a family (the caller names the option). */
export function parseFamilies(text: string): { families: ModelFamily[]; unknown: string[] } {
  const names = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  const unknown = names.filter((n) => !(MODEL_FAMILIES as readonly string[]).includes(n));
  return { families: [...new Set(names.filter((n) => !unknown.includes(n)))] as ModelFamily[], unknown };
}
