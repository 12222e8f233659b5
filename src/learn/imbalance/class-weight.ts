// Class weights for imbalanced targets, scikit-learn's compute_class_weight / compute_sample_weight:
// 'balanced' gives class c the weight n_samples / (n_classes * count(c)).
import type { Labels } from '../core/estimator.js';

export type ClassWeightSpec = 'balanced' | Readonly<Record<number, number>> | ReadonlyMap<number, number>;

export interface ClassWeights {
  /** Sorted classes. */
  classes: Float64Array;
  /** weights[k] is the weight of classes[k]. */
  weights: Float64Array;
}

function sortedClasses(y: Labels): number[] {
  const s = new Set<number>();
  for (let i = 0; i < y.length; i++) {
    if (Number.isNaN(y[i])) throw new RangeError(`computeClassWeight: y[${i}] is NaN`);
    s.add(y[i]);
  }
  return [...s].sort((a, b) => a - b);
}

/**
 * Weight per class. `classes` defaults to the sorted labels of y; with 'balanced' every class must
 * occur in y. A dict gives explicit weights (classes not named get 1); naming a class that is not
 * among `classes` is an error, as scikit-learn.
 */
export function computeClassWeight(spec: ClassWeightSpec, y: Labels, classes?: ArrayLike<number>): ClassWeights {
  if (y.length === 0) throw new RangeError('computeClassWeight: y is empty');
  const present = sortedClasses(y);
  const cls = classes ? Array.from(classes) : present;
  const weights = new Float64Array(cls.length).fill(1);
  if (spec === 'balanced') {
    const index = new Map(cls.map((c, k) => [c, k]));
    const counts = new Float64Array(cls.length);
    for (let i = 0; i < y.length; i++) {
      const k = index.get(y[i]);
      if (k === undefined)
        throw new RangeError(`computeClassWeight: y contains label ${y[i]} that is not in classes [${cls.join(', ')}]`);
      counts[k]++;
    }
    for (let k = 0; k < cls.length; k++) {
      if (counts[k] === 0)
        throw new RangeError(`computeClassWeight: classes should have valid labels that are in y; ${cls[k]} is not`);
      weights[k] = y.length / (cls.length * counts[k]);
    }
  } else if (typeof spec === 'object' && spec !== null) {
    const entries: [number, number][] =
      spec instanceof Map ? [...spec.entries()] : Object.entries(spec).map(([k, v]) => [Number(k), v as number]);
    for (const [c, w] of entries) {
      const k = cls.indexOf(c);
      if (k < 0)
        throw new RangeError(
          `computeClassWeight: class_weight names class ${c}, which is not in classes [${cls.join(', ')}]`,
        );
      if (!(w >= 0) || !Number.isFinite(w))
        throw new RangeError(`computeClassWeight: weight of class ${c} must be a finite number >= 0, got ${w}`);
      weights[k] = w;
    }
  } else {
    throw new RangeError(
      `computeClassWeight: class weight must be 'balanced' or a map from class to weight, got ${String(spec)}`,
    );
  }
  return { classes: Float64Array.from(cls), weights };
}

/** Per-sample weights: each sample gets its class's weight (scikit-learn's compute_sample_weight). */
export function computeSampleWeight(spec: ClassWeightSpec, y: Labels): Float64Array {
  const { classes, weights } = computeClassWeight(spec, y);
  const index = new Map(Array.from(classes, (c, k) => [c, k]));
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = weights[index.get(y[i])!];
  return out;
}
