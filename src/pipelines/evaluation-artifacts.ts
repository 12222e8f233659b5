// The one place a trained model's evaluation becomes run artifacts: the classification report, the
// evaluation data (out-of-fold and holdout predictions, feature importances) as JSON, the evaluation
// plots of src/pipelines/charts (confusion matrix, ROC, PR, calibration, feature importance as SVG and
// PNG, plus the points `cairn report` overlays as plots/*.json), and the tag `positive_rate`.
import type { CairnClient } from '../client/cairn-client.js';
import { renderEvaluationPlots } from './charts/index.js';
import type { ModelResult } from './train-types.js';

/** Artifact file names under the run's root. */
export const CLASSIFICATION_REPORT_FILE = 'classification_report.txt';
export const EVALUATION_FILE = 'evaluation/evaluation.json';

/** The evaluation data as plain JSON (arrays rounded to 6 significant digits to keep the file small). */
export function evaluationJson(result: ModelResult): Record<string, unknown> {
  const round = (a: ArrayLike<number>) => Array.from(a, (v) => Number(v.toPrecision(6)));
  const preds = (p: ModelResult['outOfFold']) => ({
    y_true: round(p.yTrue),
    proba_1: round(p.proba),
    pred: round(p.pred),
  });
  return {
    family: result.family,
    threshold: result.threshold,
    out_of_fold: preds(result.outOfFold),
    holdout: preds(result.holdoutPredictions),
    feature_importance: result.featureImportance,
  };
}

/** Run tag: the share of class 1 in the training split (read by `cairn report` for its class-balance note). */
export const POSITIVE_RATE_TAG = 'positive_rate';

/** Share of class 1 among 0/1 labels. */
export function positiveRate(y: ArrayLike<number>): number {
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i];
  return y.length === 0 ? Number.NaN : positives / y.length;
}

/**
 * Logs the evaluation artifacts of one model run. `positiveRule` (e.g. `num > 0`) names the classes
 * in the charts; without it they are "0" and "1".
 */
export async function attachEvaluationArtifacts(
  client: CairnClient,
  runId: string,
  result: ModelResult,
  positiveRule?: string,
): Promise<void> {
  await client.logBytes(runId, result.classificationReport, CLASSIFICATION_REPORT_FILE);
  await client.logBytes(runId, JSON.stringify(evaluationJson(result)), EVALUATION_FILE);
  // The plots draw the out-of-fold predictions (every training-split row scored by a model that did
  // not see it), as the run's headline metrics are CV ones and its threshold was chosen on them; the
  // holdout stays the separate check recorded as holdout_* metrics. The plotted AUCs are pooled over
  // all folds, so they differ slightly from the logged per-fold means.
  const oof = result.outOfFold;
  const importance = result.featureImportance;
  const plots = await renderEvaluationPlots({
    yTrue: oof.yTrue,
    proba: oof.proba,
    yPred: oof.pred,
    classLabels: positiveRule ? [`not ${positiveRule}`, positiveRule] : ['0', '1'],
    featureImportance: importance.features.map((name, i) => ({ name, importance: importance.values[i] })),
    title: result.runName,
  });
  for (const file of plots) await client.logBytes(runId, file.content, file.path);
  await client.logBatch(runId, {
    tags: [{ key: POSITIVE_RATE_TAG, value: positiveRate(oof.yTrue).toPrecision(6) }],
  });
}
