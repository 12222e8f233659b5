// The named scorers of scikit-learn that Cairn supports, built on the metrics module
// (binary problems: the positive class is 1, zero_division = 0 as the anchor protocol).
import { accuracyScore, f1Score, precisionScore, recallScore } from '../metrics/classification.js';
import { logLoss } from '../metrics/probabilistic.js';
import { averagePrecisionScore, rocAucScore } from '../metrics/ranking.js';
import type { Scorer } from './scorer.js';
import { labelScorer, probaScorer, scoreScorer } from './scorer.js';

export const BUILTIN_SCORERS: readonly Scorer[] = [
  labelScorer('accuracy', (y, p) => accuracyScore(y, p)),
  labelScorer('precision', (y, p) => precisionScore(y, p, { zeroDivision: 0 })),
  labelScorer('recall', (y, p) => recallScore(y, p, { zeroDivision: 0 })),
  labelScorer('f1', (y, p) => f1Score(y, p, { zeroDivision: 0 })),
  scoreScorer('roc_auc', (y, s) => rocAucScore(y, s)),
  scoreScorer('average_precision', (y, s) => averagePrecisionScore(y, s)),
  probaScorer('neg_log_loss', (y, P, classes) => logLoss(y, P, { labels: Array.from(classes) }), -1),
];
