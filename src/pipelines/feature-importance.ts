// Feature importances of a fitted family, for the run's evaluation: the model's own where it has
// them (impurity for trees and forests, gain for boosting, |coefficient| on standardised features for
// logistic regression), else permutation importance on the holdout (k-nearest neighbours).
import type { Frame } from '../learn/core/frame.js';
import { GradientBoostingClassifier } from '../learn/ensemble/gradient-boosting.js';
import { ResampledClassifier } from '../learn/imbalance/resampled-classifier.js';
import { permutationImportance } from '../learn/inspection/permutation-importance.js';
import { LogisticRegression } from '../learn/linear/logistic-regression.js';
import type { Pipeline } from '../learn/pipeline.js';
import type { TableTransformer } from '../learn/preprocessing/table.js';

export interface FeatureImportance {
  /** What the values measure. */
  kind: 'impurity' | 'gain' | 'coefficient' | 'permutation';
  /** Feature names (transformed features such as `cat__cp_asymptomatic`, or input columns for permutation). */
  features: string[];
  values: number[];
}

export function featureImportance(
  fitted: Pipeline,
  holdout: { X: Frame; y: Float64Array },
  seed: number,
): FeatureImportance {
  let model = fitted.step('model') as unknown;
  if (model instanceof ResampledClassifier) model = model.params.estimator;
  const names = (fitted.step('prep') as TableTransformer).featureNamesOut();
  const own = (model as { featureImportances_?: Float64Array }).featureImportances_;
  if (own) {
    const kind = model instanceof GradientBoostingClassifier ? 'gain' : 'impurity';
    return { kind, features: names, values: Array.from(own) };
  }
  if (model instanceof LogisticRegression && model.coef_) {
    return {
      kind: 'coefficient',
      features: names,
      values: Array.from(model.coef_.data.subarray(0, names.length), Math.abs),
    };
  }
  const r = permutationImportance(fitted, holdout.X, holdout.y, { scoring: 'roc_auc', nRepeats: 5, seed });
  return { kind: 'permutation', features: r.features, values: Array.from(r.byScorer.roc_auc.importancesMean) };
}
