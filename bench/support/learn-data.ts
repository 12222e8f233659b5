// The anchor protocol's data sets for the learn benchmark: read the shared CSV files, drop the
// same columns, binary targets, numeric / categorical column lists, and the 100,000-row stroke tile.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Column, Frame } from '../../src/learn/core/frame.js';
import { getColumn } from '../../src/learn/core/frame.js';
import { Rng } from '../../src/learn/core/random.js';
import { parseCsv, type ColumnKind } from '../../src/learn/data/csv.js';

export interface BenchDataset {
  name: 'heart_disease_uci' | 'stroke';
  /** Only the model's input columns (numeric first, then categorical). */
  X: Frame;
  y: Float64Array;
  numeric: string[];
  categorical: string[];
}

export const DATASET_SPECS = {
  heart_disease_uci: {
    file: 'heart_disease_uci.csv',
    numeric: ['age', 'trestbps', 'chol', 'thalch', 'oldpeak', 'ca'],
    categorical: ['sex', 'cp', 'fbs', 'restecg', 'exang', 'slope', 'thal'],
    target: (v: number | string | null) => (typeof v === 'number' && v > 0 ? 1 : 0), // num > 0
    targetColumn: 'num',
  },
  stroke: {
    file: 'stroke.csv',
    numeric: ['age', 'hypertension', 'heart_disease', 'avg_glucose_level', 'bmi'],
    categorical: ['gender', 'ever_married', 'work_type', 'Residence_type', 'smoking_status'],
    target: (v: number | string | null) => (v === 1 ? 1 : 0), // stroke == 1
    targetColumn: 'stroke',
  },
} as const;

export type DatasetName = keyof typeof DATASET_SPECS;

export function loadDataset(dataDir: string, name: DatasetName): BenchDataset {
  const spec = DATASET_SPECS[name];
  const kinds: Record<string, ColumnKind> = {};
  for (const c of spec.numeric) kinds[c] = 'numeric';
  for (const c of spec.categorical) kinds[c] = 'categorical';
  kinds[spec.targetColumn] = 'numeric';
  const { frame: f } = parseCsv(readFileSync(path.join(dataDir, spec.file), 'utf8'), { columns: kinds });
  const t = getColumn(f, spec.targetColumn);
  if (t.kind !== 'numeric') throw new Error(`${name}: target column ${spec.targetColumn} is not numeric`);
  const y = Float64Array.from(t.values, (v) => spec.target(Number.isNaN(v) ? null : v));
  // The dropped columns (id, dataset) and the target are simply not selected.
  const columns: Column[] = [...spec.numeric, ...spec.categorical].map((c) => getColumn(f, c));
  return { name, X: { nRows: f.nRows, columns }, y, numeric: [...spec.numeric], categorical: [...spec.categorical] };
}

/**
 * stroke tiled to `rows`, with age / avg_glucose_level / bmi jittered by N(0, (0.01·sd)²) (sample sd,
 * NaN stays NaN, clipped at 0), as the anchor. The noise comes from Cairn's seeded Rng(42), not
 * numpy's PCG64, so the values differ from the anchor's while the distribution is the same.
 */
export function scaledStroke(base: BenchDataset, rows = 100_000, seed = 42): BenchDataset {
  const n = base.X.nRows;
  const idx = Int32Array.from({ length: rows }, (_, i) => i % n);
  const rng = new Rng(seed);
  const columns = base.X.columns.map((c): Column => {
    if (c.kind === 'categorical') return { ...c, codes: Int32Array.from(idx, (i) => c.codes[i]) };
    const values = Float64Array.from(idx, (i) => c.values[i]);
    if (['age', 'avg_glucose_level', 'bmi'].includes(c.name)) {
      const sd = sampleSd(c.values);
      for (let i = 0; i < rows; i++) {
        const noise = rng.normal() * 0.01 * sd;
        if (!Number.isNaN(values[i])) values[i] = Math.max(0, values[i] + noise);
      }
    }
    return { ...c, values };
  });
  return { ...base, X: { nRows: rows, columns }, y: Float64Array.from(idx, (i) => base.y[i]) };
}

function sampleSd(v: Float64Array): number {
  let n = 0,
    s = 0;
  for (const x of v)
    if (!Number.isNaN(x)) {
      n++;
      s += x;
    }
  const m = s / n;
  let q = 0;
  for (const x of v) if (!Number.isNaN(x)) q += (x - m) ** 2;
  return Math.sqrt(q / (n - 1));
}
