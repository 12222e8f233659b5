// Evaluation of one model family: stratified k-fold CV over all rows (as the reference protocol;
// out-of-fold probabilities kept), the decision threshold (0.5, or tuned for recall on the out-of-fold
// probabilities of the training split's rows for an imbalanced target, so holdout labels never choose
// it), per-fold metrics at that threshold (mean and std), then a fit on the training split scored on
// the stratified holdout. Pure computation: nothing is logged here.
import type { Frame } from '../learn/core/frame.js';
import { applyThreshold, tuneThreshold } from '../learn/imbalance/threshold.js';
import { classificationReportText } from '../learn/metrics/classification-report.js';
import { accuracyScore, precisionRecallFscoreSupport } from '../learn/metrics/classification.js';
import { averagePrecisionScore, rocAucScore } from '../learn/metrics/ranking.js';
import { meanStd, takeLabels, takeSamples, type MeanStd } from '../learn/model-selection/cross-validate.js';
import { StratifiedKFold } from '../learn/model-selection/stratified-k-fold.js';
import type { Split } from '../learn/model-selection/stratified-k-fold.js';
import type { Pipeline } from '../learn/pipeline.js';

/** The six metrics every model reports; class-1 metrics carry the `_1` suffix. */
export const METRICS = ['accuracy', 'precision_1', 'recall_1', 'f1_1', 'roc_auc', 'pr_auc'] as const;
export type MetricName = (typeof METRICS)[number];
export type MetricSet = Record<MetricName, number>;

/** Recall an imbalanced target's threshold is tuned to reach on out-of-fold predictions. */
export const TARGET_RECALL = 0.8;

export function metricSet(yTrue: Float64Array, proba: Float64Array, pred: Float64Array): MetricSet {
  const prf = precisionRecallFscoreSupport(yTrue, pred, { average: 'binary', posLabel: 1, zeroDivision: 0 });
  const twoClasses = yTrue.some((v) => v === 1) && yTrue.some((v) => v === 0);
  return {
    accuracy: accuracyScore(yTrue, pred),
    precision_1: prf.precision,
    recall_1: prf.recall,
    f1_1: prf.fScore,
    roc_auc: twoClasses ? rocAucScore(yTrue, proba) : NaN,
    pr_auc: twoClasses ? averagePrecisionScore(yTrue, proba) : NaN,
  };
}

/** Predictions of one evaluation: true labels, class-1 probabilities, labels at the threshold. */
export interface Predictions {
  yTrue: Float64Array;
  proba: Float64Array;
  pred: Float64Array;
}

export interface ThresholdChoice {
  value: number;
  /** 'default' = 0.5; 'recall' = tuned on out-of-fold probabilities for TARGET_RECALL. */
  rule: 'default' | 'recall';
  targetRecall?: number;
}

export interface Evaluation {
  cv: Record<MetricName, MeanStd>;
  /** Per-fold metric values, fold order. */
  folds: MetricSet[];
  holdout: MetricSet;
  threshold: ThresholdChoice;
  /** Out-of-fold predictions of every row (each predicted by the fold model that did not see it). */
  outOfFold: Predictions;
  holdoutPredictions: Predictions;
  /** The training split and the holdout (rows of the data). */
  train: { X: Frame; y: Float64Array };
  holdoutData: { X: Frame; y: Float64Array };
  /** The pipeline fitted on the whole training split (the one logged and registered). */
  fitted: Pipeline;
  /** Text of scikit-learn's classification_report for the holdout and the out-of-fold predictions. */
  classificationReport: string;
  fitSeconds: number;
}

const positiveColumn = (p: Pipeline, X: Frame): Float64Array => {
  const P = p.predictProba(X);
  const classes = p.classes_!;
  const k = Array.from(classes).indexOf(1);
  return Float64Array.from({ length: P.nRows }, (_, i) => P.data[i * P.nCols + k]);
};

export interface EvaluateOptions {
  cv: number;
  seed: number;
  imbalanced: boolean;
  /** Called after each fold (progress). */
  onFold?: (fold: number, of: number) => void;
}

/** What cross-validation alone gives: the folds' metrics at the decision threshold and the out-of-fold probabilities. */
export interface CrossValidation {
  cv: Record<MetricName, MeanStd>;
  folds: MetricSet[];
  threshold: ThresholdChoice;
  /** Class-1 probability of every row, from the fold model that did not see it. */
  oof: Float64Array;
}

/**
 * Stratified k-fold CV over all of `data` (shuffled with the seed, the whole pipeline fitted per fold,
 * so SMOTE stays inside the training folds), the decision threshold chosen on the training split's
 * out-of-fold probabilities, and the per-fold metrics at it. The one CV both the baseline runs and the
 * tuning trials use.
 */
export function crossValidatePipeline(
  pipeline: Pipeline,
  data: { X: Frame; y: Float64Array },
  holdoutSplit: Split,
  options: EvaluateOptions,
): CrossValidation {
  const splits: Split[] = [
    ...new StratifiedKFold({ nSplits: options.cv, shuffle: true, seed: options.seed }).split(data.y),
  ];
  const oof = new Float64Array(data.y.length);
  splits.forEach((split, f) => {
    const model = pipeline.clone().fit(takeSamples(data.X, split.train), takeLabels(data.y, split.train));
    const p = positiveColumn(model, takeSamples(data.X, split.test));
    split.test.forEach((row, k) => {
      oof[row] = p[k];
    });
    options.onFold?.(f + 1, splits.length);
  });
  const trainY = takeLabels(data.y, holdoutSplit.train);
  const threshold: ThresholdChoice = options.imbalanced
    ? {
        value: tuneThreshold(trainY, takeLabels(oof, holdoutSplit.train), { target: { recall: TARGET_RECALL } })
          .threshold,
        rule: 'recall',
        targetRecall: TARGET_RECALL,
      }
    : { value: 0.5, rule: 'default' };
  const folds = splits.map((split) => {
    const yt = takeLabels(data.y, split.test);
    const pr = takeLabels(oof, split.test);
    return metricSet(yt, pr, applyThreshold(pr, threshold.value));
  });
  const cv = Object.fromEntries(METRICS.map((m) => [m, meanStd(folds.map((f) => f[m]))])) as Record<
    MetricName,
    MeanStd
  >;
  return { cv, folds, threshold, oof };
}

/** CV over all of `data`, and a fit on `holdout.train` scored on `holdout.test`, for one unfitted pipeline. */
export function evaluatePipeline(
  pipeline: Pipeline,
  data: { X: Frame; y: Float64Array },
  holdoutSplit: Split,
  options: EvaluateOptions,
): Evaluation {
  const t0 = performance.now();
  const { cv, folds, threshold, oof } = crossValidatePipeline(pipeline, data, holdoutSplit, options);
  const train = { X: takeSamples(data.X, holdoutSplit.train), y: takeLabels(data.y, holdoutSplit.train) };
  const holdout = { X: takeSamples(data.X, holdoutSplit.test), y: takeLabels(data.y, holdoutSplit.test) };
  const fitted = pipeline.clone().fit(train.X, train.y);
  const hp = positiveColumn(fitted, holdout.X);
  const holdoutPredictions = { yTrue: holdout.y, proba: hp, pred: applyThreshold(hp, threshold.value) };
  const outOfFold = { yTrue: data.y, proba: oof, pred: applyThreshold(oof, threshold.value) };
  const report = (p: Predictions) =>
    classificationReportText(p.yTrue, p.pred, { labels: [0, 1], digits: 3, zeroDivision: 0 });
  const classificationReport =
    `Decision threshold: ${threshold.value.toPrecision(4)} (${threshold.rule === 'recall' ? `tuned for recall >= ${TARGET_RECALL} on out-of-fold probabilities` : 'default'})\n\n` +
    `Holdout (${holdout.y.length} rows)\n${report(holdoutPredictions)}\n` +
    `Cross-validation, out-of-fold (${data.y.length} rows, ${options.cv} folds)\n${report(outOfFold)}`;
  return {
    train,
    holdout: metricSet(holdout.y, hp, holdoutPredictions.pred),
    holdoutData: holdout,
    cv,
    folds,
    threshold,
    outOfFold,
    holdoutPredictions,
    fitted,
    classificationReport,
    fitSeconds: (performance.now() - t0) / 1000,
  };
}
