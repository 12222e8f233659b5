// Distance metrics for neighbour search, in sklearn's "reduced distance" form: comparisons use
// a cheaper monotone transform (squared euclidean, sum |d|^p), converted back only for output.
// Every search algorithm calls the same function, so they rank candidates identically.

export type MetricName = 'euclidean' | 'manhattan' | 'chebyshev' | 'minkowski';

/** 0 euclidean, 1 manhattan, 2 chebyshev, 3 general minkowski. */
export interface Metric {
  kind: 0 | 1 | 2 | 3;
  p: number;
}

export function resolveMetric(name: string | undefined, p: number | undefined): Metric {
  const m = name ?? 'minkowski';
  const pp = p ?? 2;
  if (m === 'euclidean') return { kind: 0, p: 2 };
  if (m === 'manhattan') return { kind: 1, p: 1 };
  if (m === 'chebyshev') return { kind: 2, p: Infinity };
  if (m === 'minkowski') {
    if (!(typeof pp === 'number' && pp >= 1))
      throw new RangeError(`p must be a number >= 1 for the minkowski metric, got ${JSON.stringify(p)}`);
    // sklearn maps these p values onto the specialised metrics
    if (pp === 2) return { kind: 0, p: 2 };
    if (pp === 1) return { kind: 1, p: 1 };
    if (pp === Infinity) return { kind: 2, p: Infinity };
    return { kind: 3, p: pp };
  }
  throw new RangeError(
    `metric must be 'euclidean', 'manhattan', 'chebyshev' or 'minkowski', got ${JSON.stringify(name)}`,
  );
}

/** Reduced distance between a[ao .. ao + d) and b[bo .. bo + d). */
export function reducedDistance(
  m: Metric,
  a: ArrayLike<number>,
  ao: number,
  b: ArrayLike<number>,
  bo: number,
  d: number,
): number {
  let s = 0;
  switch (m.kind) {
    case 0:
      for (let j = 0; j < d; j++) {
        const t = a[ao + j] - b[bo + j];
        s += t * t;
      }
      return s;
    case 1:
      for (let j = 0; j < d; j++) s += Math.abs(a[ao + j] - b[bo + j]);
      return s;
    case 2:
      for (let j = 0; j < d; j++) {
        const t = Math.abs(a[ao + j] - b[bo + j]);
        if (t > s) s = t;
      }
      return s;
    default:
      for (let j = 0; j < d; j++) s += Math.pow(Math.abs(a[ao + j] - b[bo + j]), m.p);
      return s;
  }
}

/**
 * reducedDistance(m, a, ao, b, bo, d) when it is <= bound; otherwise some value > bound (the
 * partial sum or maximum at which the pair was abandoned: the terms are >= 0, so it only grows).
 * Same terms in the same order, so a returned distance is bit-identical to reducedDistance's.
 */
export function boundedReduced(
  m: Metric,
  a: ArrayLike<number>,
  ao: number,
  b: ArrayLike<number>,
  bo: number,
  d: number,
  bound: number,
): number {
  let s = 0;
  switch (m.kind) {
    case 0:
      for (let j = 0; j < d; j++) {
        const t = a[ao + j] - b[bo + j];
        s += t * t;
        if (s > bound) return s;
      }
      return s;
    case 1:
      for (let j = 0; j < d; j++) {
        s += Math.abs(a[ao + j] - b[bo + j]);
        if (s > bound) return s;
      }
      return s;
    case 2:
      for (let j = 0; j < d; j++) {
        const t = Math.abs(a[ao + j] - b[bo + j]);
        if (t > s) s = t;
        if (s > bound) return s;
      }
      return s;
    default:
      for (let j = 0; j < d; j++) {
        s += Math.pow(Math.abs(a[ao + j] - b[bo + j]), m.p);
        if (s > bound) return s;
      }
      return s;
  }
}

export function reducedToDistance(m: Metric, r: number): number {
  if (m.kind === 0) return Math.sqrt(r);
  if (m.kind === 3) return Math.pow(r, 1 / m.p);
  return r;
}

export function distanceToReduced(m: Metric, dist: number): number {
  if (m.kind === 0) return dist * dist;
  if (m.kind === 3) return Math.pow(dist, m.p);
  return dist;
}

/** Reduced distance from per-dimension gaps g[0 .. d) (for box and ball bounds). */
export function reducedFromGaps(m: Metric, gaps: Float64Array, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const g = gaps[j];
    if (m.kind === 0) s += g * g;
    else if (m.kind === 1) s += g;
    else if (m.kind === 2) {
      if (g > s) s = g;
    } else s += Math.pow(g, m.p);
  }
  return s;
}
