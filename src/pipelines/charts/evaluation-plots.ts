// The plot artifacts a training run logs for a binary classifier: each chart as SVG and PNG under
// plots/, plus the points behind the ROC, PR and confusion-matrix charts as JSON, so `cairn report`
// can overlay runs without reloading models.
import {
  averagePrecisionScore,
  calibrationCurve,
  confusionMatrix,
  precisionRecallCurve,
  rocAucScore,
  rocCurve,
} from '../../learn/metrics/index.js';
import type { ChartImage } from './chart-image.js';
import { type FeatureImportance, featureImportanceChart } from './bar-charts.js';
import {
  calibrationChart,
  confusionMatrixChart,
  precisionRecallChart,
  rocCurveChart,
} from './classification-charts.js';

export interface EvaluationPlotsInput {
  /** True labels, 0 or 1. */
  yTrue: ArrayLike<number>;
  /** Probability of class 1. */
  proba: ArrayLike<number>;
  /** Predicted labels, 0 or 1 (at whatever threshold the pipeline chose). */
  yPred: ArrayLike<number>;
  /** Display names of class 0 and class 1. */
  classLabels: [string, string];
  featureImportance?: FeatureImportance[];
  /** Prefix for chart titles, e.g. the model family. */
  title?: string;
  /** Reliability-diagram bins (default 10). */
  calibrationBins?: number;
}

export interface PlotArtifact {
  /** Relative artifact path, e.g. plots/roc_curve.svg. */
  path: string;
  content: string | Buffer;
}

/** plots/roc_curve.json */
export interface RocCurveJson {
  fpr: number[];
  tpr: number[];
  thresholds: number[];
  auc: number;
}

/** plots/pr_curve.json */
export interface PrCurveJson {
  precision: number[];
  recall: number[];
  average_precision: number;
  positive_rate: number;
}

/** plots/confusion_matrix.json: matrix[i][j] = samples of class labels[i] predicted as labels[j]. */
export interface ConfusionMatrixJson {
  labels: [string, string];
  matrix: number[][];
}

export const PLOT_PATHS = {
  confusionMatrix: 'plots/confusion_matrix',
  roc: 'plots/roc_curve',
  pr: 'plots/pr_curve',
  calibration: 'plots/calibration',
  featureImportance: 'plots/feature_importance',
} as const;

function checkInput(input: EvaluationPlotsInput): void {
  const n = input.yTrue.length;
  if (n === 0) throw new RangeError('renderEvaluationPlots: yTrue is empty');
  if (input.proba.length !== n) throw new RangeError(`proba has ${input.proba.length} values, yTrue has ${n}`);
  if (input.yPred.length !== n) throw new RangeError(`yPred has ${input.yPred.length} values, yTrue has ${n}`);
  for (let i = 0; i < n; i++) {
    if (input.yTrue[i] !== 0 && input.yTrue[i] !== 1)
      throw new RangeError(`yTrue[${i}] is ${input.yTrue[i]}; must be 0 or 1`);
    if (input.yPred[i] !== 0 && input.yPred[i] !== 1)
      throw new RangeError(`yPred[${i}] is ${input.yPred[i]}; must be 0 or 1`);
    const p = input.proba[i];
    if (!(p >= 0 && p <= 1)) throw new RangeError(`proba[${i}] is ${p}; must be a probability in [0, 1]`);
  }
}

const both = (base: string, image: ChartImage): PlotArtifact[] => [
  { path: `${base}.svg`, content: image.svg },
  { path: `${base}.png`, content: image.png },
];
const json = (base: string, value: unknown): PlotArtifact => ({
  path: `${base}.json`,
  content: `${JSON.stringify(value)}\n`,
});

/**
 * Confusion matrix, ROC, precision-recall, calibration and (when given) feature-importance charts.
 * When yTrue holds a single class, ROC and PR are undefined and left out (nothing else is).
 */
export async function renderEvaluationPlots(input: EvaluationPlotsInput): Promise<PlotArtifact[]> {
  checkInput(input);
  const prefix = input.title ? `${input.title}: ` : '';
  const out: PlotArtifact[] = [];

  const cm: ConfusionMatrixJson = {
    labels: input.classLabels,
    matrix: confusionMatrix(input.yTrue, input.yPred, { labels: [0, 1] }),
  };
  out.push(...both(PLOT_PATHS.confusionMatrix, confusionMatrixChart({ ...cm, title: `${prefix}Confusion matrix` })));
  out.push(json(PLOT_PATHS.confusionMatrix, cm));

  let positives = 0;
  for (let i = 0; i < input.yTrue.length; i++) positives += input.yTrue[i];
  const positiveRate = positives / input.yTrue.length;
  const name = input.title ?? 'model';
  if (positives > 0 && positives < input.yTrue.length) {
    const roc = rocCurve(input.yTrue, input.proba);
    const rocJson: RocCurveJson = {
      fpr: Array.from(roc.fpr),
      tpr: Array.from(roc.tpr),
      thresholds: Array.from(roc.thresholds),
      auc: rocAucScore(input.yTrue, input.proba),
    };
    out.push(...both(PLOT_PATHS.roc, rocCurveChart({ curves: [{ name, ...rocJson }], title: `${prefix}ROC curve` })));
    out.push(json(PLOT_PATHS.roc, rocJson));

    const pr = precisionRecallCurve(input.yTrue, input.proba);
    const prJson: PrCurveJson = {
      precision: Array.from(pr.precision),
      recall: Array.from(pr.recall),
      average_precision: averagePrecisionScore(input.yTrue, input.proba),
      positive_rate: positiveRate,
    };
    const prChart = precisionRecallChart({
      curves: [
        { name, precision: prJson.precision, recall: prJson.recall, averagePrecision: prJson.average_precision },
      ],
      positiveRate,
      title: `${prefix}Precision-recall curve`,
    });
    out.push(...both(PLOT_PATHS.pr, prChart));
    out.push(json(PLOT_PATHS.pr, prJson));
  }

  const nBins = input.calibrationBins ?? 10;
  const cal = calibrationCurve(input.yTrue, input.proba, { nBins, posLabel: 1 });
  out.push(
    ...both(
      PLOT_PATHS.calibration,
      calibrationChart({ ...cal, nBins, title: `${prefix}Calibration (reliability, ${nBins} bins)` }),
    ),
  );

  if (input.featureImportance && input.featureImportance.length > 0) {
    out.push(
      ...both(
        PLOT_PATHS.featureImportance,
        featureImportanceChart({ features: input.featureImportance, title: `${prefix}Feature importance` }),
      ),
    );
  }
  return out;
}
