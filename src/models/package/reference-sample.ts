// The reference sample: a bounded, seeded, uniform sample of the training rows (features, labels and
// the training predictions) kept in the package, so drift tests that need raw values (KS, Wasserstein,
// chi-squared) compare live data with the training data itself rather than with a histogram.
import type { Frame } from '../../learn/core/frame.js';
import { Rng } from '../../learn/core/random.js';

export const REFERENCE_SAMPLE_FORMAT_VERSION = 1;
/** Rows kept at most (all of them when the training data has fewer). */
export const DEFAULT_REFERENCE_SAMPLE_ROWS = 5000;
export const DEFAULT_REFERENCE_SAMPLE_SEED = 0;

export interface ReferenceSample {
  format_version: number;
  /** 'all' when every training row is kept, else 'uniform' (without replacement, rows in training order). */
  sampling: 'all' | 'uniform';
  seed: number;
  /** Rows in the training data the sample was drawn from. */
  n_source_rows: number;
  n_rows: number;
  /** Column name → values in sample row order; a missing value is null. */
  columns: Record<string, (number | string | null)[]>;
  /** Labels of the sampled rows, when the package was saved with them. */
  target: number[] | null;
  /** P(positive class) of the sampled rows under the saved model. */
  prediction: { positive_class: number; probabilities: number[] } | null;
}

/** Indices of `k` of `n` rows drawn uniformly without replacement (partial Fisher–Yates), ascending. */
export function sampleRowIndices(n: number, k: number, seed: number): Int32Array {
  if (k >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(seed);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.slice(0, k).sort();
}

export interface ReferenceSampleInput {
  frame: Frame;
  target?: ArrayLike<number>;
  prediction?: { positiveClass: number; probabilities: ArrayLike<number> };
  maxRows?: number;
  seed?: number;
}

export function buildReferenceSample(input: ReferenceSampleInput): ReferenceSample {
  const { frame } = input;
  const maxRows = input.maxRows ?? DEFAULT_REFERENCE_SAMPLE_ROWS;
  const seed = input.seed ?? DEFAULT_REFERENCE_SAMPLE_SEED;
  const rows = sampleRowIndices(frame.nRows, maxRows, seed);
  const columns: ReferenceSample['columns'] = {};
  for (const c of frame.columns) {
    columns[c.name] = Array.from(rows, (r) => {
      if (c.kind === 'numeric') return Number.isFinite(c.values[r]) ? c.values[r] : null;
      const code = c.codes[r];
      return code < 0 ? null : c.categories[code];
    });
  }
  return {
    format_version: REFERENCE_SAMPLE_FORMAT_VERSION,
    sampling: rows.length === frame.nRows ? 'all' : 'uniform',
    seed,
    n_source_rows: frame.nRows,
    n_rows: rows.length,
    columns,
    target: input.target ? Array.from(rows, (r) => input.target![r]) : null,
    prediction: input.prediction
      ? {
          positive_class: input.prediction.positiveClass,
          probabilities: Array.from(rows, (r) => input.prediction!.probabilities[r]),
        }
      : null,
  };
}

/** The sample when it is one this reader understands, else null (an unknown version is ignored, not fatal). */
export function readReferenceSample(json: unknown): ReferenceSample | null {
  const s = json as ReferenceSample;
  if (!s || typeof s !== 'object' || s.format_version !== REFERENCE_SAMPLE_FORMAT_VERSION) return null;
  if (typeof s.columns !== 'object' || s.columns === null) return null;
  return s;
}
