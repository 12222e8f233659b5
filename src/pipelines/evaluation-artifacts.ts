// The one place a trained model's evaluation becomes run artifacts. Today: the classification report
// and the evaluation data (out-of-fold and holdout predictions, feature importances) as JSON. The
// evaluation plots (confusion matrix, ROC, PR, calibration, feature importance as SVG and PNG) come
// from src/pipelines/charts and are attached here, from the same ModelResult: it carries everything
// plotting needs.
import type { CairnClient } from '../client/cairn-client.js';
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

/** Logs the evaluation artifacts of one model run. */
export async function attachEvaluationArtifacts(
  client: CairnClient,
  runId: string,
  result: ModelResult,
): Promise<void> {
  await client.logBytes(runId, result.classificationReport, CLASSIFICATION_REPORT_FILE);
  await client.logBytes(runId, JSON.stringify(evaluationJson(result)), EVALUATION_FILE);
}
