// Resolving `scoring` specs to scorers: named scorers ('roc_auc', 'accuracy', …) come from a
// registry seeded with the metrics module's functions; predictions are computed once per data set.
import type { Classifier, Labels } from '../core/estimator.js';
import type { Matrix } from '../core/matrix.js';
import { BUILTIN_SCORERS } from './builtin-scorers.js';
import type { LabelMetric, Predictions, Scorer } from './scorer.js';
import { labelScorer } from './scorer.js';

export { labelScorer, probaScorer, scoreScorer } from './scorer.js';
export type { LabelMetric, Predictions, Scorer } from './scorer.js';

const registry = new Map<string, Scorer>(BUILTIN_SCORERS.map((s) => [s.name, s]));

/** Makes a named scorer available to `scoring: ['name']`. */
export function registerScorer(scorer: Scorer): void {
  registry.set(scorer.name, scorer);
}

export function registeredScorerNames(): string[] {
  return [...registry.keys()];
}

/** A scorer given by name, as an object, or as a plain label metric (named by its function name). */
export type ScoringSpec = string | Scorer | LabelMetric;

export function resolveScorer(spec: ScoringSpec): Scorer {
  if (typeof spec === 'string') {
    const s = registry.get(spec);
    if (!s) {
      throw new RangeError(
        `scoring: unknown scorer "${spec}" (registered: ${registeredScorerNames().join(', ') || 'none'})`,
      );
    }
    return s;
  }
  if (typeof spec === 'function') return labelScorer(spec.name || 'score', spec);
  return spec;
}

export function resolveScorers(
  scoring: ScoringSpec | readonly ScoringSpec[] | undefined,
  fallback = 'accuracy',
): Scorer[] {
  const list = scoring === undefined ? [fallback] : Array.isArray(scoring) ? scoring : [scoring as ScoringSpec];
  if (list.length === 0) throw new RangeError('scoring: needs at least one scorer');
  const scorers = list.map(resolveScorer);
  const seen = new Set<string>();
  for (const s of scorers) {
    if (seen.has(s.name)) throw new RangeError(`scoring: scorer name "${s.name}" appears twice`);
    seen.add(s.name);
  }
  return scorers;
}

/** Predictions of a fitted classifier on X, computed at most once each. */
export function predictionsOf<X>(estimator: Classifier<X>, X: X, yTrue: Labels): Predictions {
  let labels: Float64Array | undefined;
  let proba: Matrix | undefined;
  let positive: Float64Array | undefined;
  const classes = estimator.classes_;
  if (!classes) throw new Error('scoring: the estimator is not fitted (classes_ is undefined)');
  return {
    yTrue,
    classes,
    labels: () => (labels ??= estimator.predict(X)),
    proba: () => (proba ??= estimator.predictProba(X)),
    positiveScore: () => {
      if (positive) return positive;
      if (classes.length !== 2) {
        throw new RangeError(
          `scoring: a positive-class score needs a binary problem, the estimator has ${classes.length} classes`,
        );
      }
      const P = (proba ??= estimator.predictProba(X));
      positive = new Float64Array(P.nRows);
      for (let i = 0; i < P.nRows; i++) positive[i] = P.data[i * P.nCols + 1];
      return positive;
    },
  };
}
