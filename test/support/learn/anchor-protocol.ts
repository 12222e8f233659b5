// Test support: the anchor protocol's data sets and preprocessing (shared/anchors/ml/sklearn_baselines.py),
// built with Cairn's components. Tests read the files and pass the text here; this module does no I/O.
import type { Frame } from '../../../src/learn/core/frame.js';
import { getColumn } from '../../../src/learn/core/frame.js';
import { parseCsv } from '../../../src/learn/data/csv.js';
import { Pipeline } from '../../../src/learn/pipeline.js';
import {
  ColumnTransformer,
  OneHotEncoder,
  SimpleImputer,
  StandardScaler,
} from '../../../src/learn/preprocessing/index.js';

export interface AnchorDataset {
  X: Frame;
  y: Float64Array;
  numeric: string[];
  categorical: string[];
}

export const HEART_NUMERIC = ['age', 'trestbps', 'chol', 'thalch', 'oldpeak', 'ca'];
export const HEART_CATEGORICAL = ['sex', 'cp', 'fbs', 'restecg', 'exang', 'slope', 'thal'];
export const STROKE_NUMERIC = ['age', 'hypertension', 'heart_disease', 'avg_glucose_level', 'bmi'];
export const STROKE_CATEGORICAL = ['gender', 'ever_married', 'work_type', 'Residence_type', 'smoking_status'];

function dataset(
  text: string,
  target: string,
  positive: (v: number) => boolean,
  numeric: string[],
  categorical: string[],
): AnchorDataset {
  const { frame } = parseCsv(text);
  const t = getColumn(frame, target);
  if (t.kind !== 'numeric') throw new Error(`target ${target} is not numeric`);
  const keep = [...numeric, ...categorical];
  return {
    X: { nRows: frame.nRows, columns: keep.map((n) => getColumn(frame, n)) },
    y: Float64Array.from(t.values, (v) => (positive(v) ? 1 : 0)),
    numeric,
    categorical,
  };
}

export function heartDataset(csvText: string): AnchorDataset {
  return dataset(csvText, 'num', (v) => v > 0, HEART_NUMERIC, HEART_CATEGORICAL);
}

export function strokeDataset(csvText: string): AnchorDataset {
  return dataset(csvText, 'stroke', (v) => v === 1, STROKE_NUMERIC, STROKE_CATEGORICAL);
}

/** numeric: median impute (+ StandardScaler when scale); categorical: most_frequent + one-hot(ignore). */
export function anchorPreprocessor(numeric: string[], categorical: string[], scale: boolean): ColumnTransformer {
  const numSteps: [string, SimpleImputer | StandardScaler][] = [['impute', new SimpleImputer({ strategy: 'median' })]];
  if (scale) numSteps.push(['scale', new StandardScaler()]);
  return new ColumnTransformer({
    transformers: [
      ['num', new Pipeline({ steps: numSteps }), numeric],
      [
        'cat',
        new Pipeline({
          steps: [
            ['impute', new SimpleImputer({ strategy: 'most_frequent' })],
            ['onehot', new OneHotEncoder({ handleUnknown: 'ignore' })],
          ],
        }),
        categorical,
      ],
    ],
  });
}
