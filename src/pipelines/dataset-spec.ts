// What a training data set is: its target and how the positive class is read from it, which columns
// are features (numeric or categorical) and which are dropped, and the known problems of the file
// (zeros that stand for "unknown", a category that means "unknown"), handled and reported at load time.

/** How a target cell becomes the positive class (1) or the negative one (0). */
export type PositiveRule =
  | { kind: 'equals'; value: string }
  | { kind: 'compare'; op: '>' | '>=' | '<' | '<=' | '==' | '!='; threshold: number };

export interface DatasetSpec {
  /** Short name, recorded as a tag and the dataset input's name (`heart`, `stroke`, or the file's stem). */
  name: string;
  /** Human title for summaries. */
  title: string;
  target: string;
  positive: PositiveRule;
  /** Features read as numbers; undefined = inferred from the file (then printed). */
  numeric?: string[];
  /** Features read as categories; undefined = inferred. */
  categorical?: string[];
  /** Columns not used as features (ids, leakage). */
  drop: string[];
  /**
   * Target values that are allowed (as text) when the data set has a closed set of them; any other
   * value is a schema error naming the row. Undefined = any value the positive rule can read.
   */
  targetValues?: string[];
  /** Numeric columns where 0 is a placeholder for "unknown": read as missing, with a count. */
  zeroMeansMissing?: string[];
  /** Categories that mean "unknown" but are kept as their own category (reported, not hidden). */
  unknownCategories?: Record<string, string>;
  /** Whether the classes are imbalanced enough to need class weights / SMOTE and a tuned threshold. */
  imbalanced: boolean;
  /** Default registered model name. */
  registeredModel: string;
}

/** `num > 0`-style rule text, for logs and summaries. */
export function describePositive(spec: Pick<DatasetSpec, 'target' | 'positive'>): string {
  const p = spec.positive;
  return p.kind === 'equals' ? `${spec.target} == ${JSON.stringify(p.value)}` : `${spec.target} ${p.op} ${p.threshold}`;
}

/**
 * Parses `--positive-when '>0'` (also `>= 1`, `== 1`, `!= 0`, `<5`). Returns undefined when the text is
 * not a comparison, so the caller can name the option in its error.
 */
export function parsePositiveWhen(text: string): PositiveRule | undefined {
  const m = /^\s*(>=|<=|==|!=|>|<)\s*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)\s*$/.exec(text);
  if (!m) return undefined;
  return { kind: 'compare', op: m[1] as '>' | '>=' | '<' | '<=' | '==' | '!=', threshold: Number(m[2]) };
}

const COMPARE = {
  '>': (a: number, b: number) => a > b,
  '>=': (a: number, b: number) => a >= b,
  '<': (a: number, b: number) => a < b,
  '<=': (a: number, b: number) => a <= b,
  '==': (a: number, b: number) => a === b,
  '!=': (a: number, b: number) => a !== b,
};

/** 1 or 0 for a target cell (text as in the file); undefined when a comparison rule meets a non-number. */
export function positiveOf(rule: PositiveRule, cellText: string): 0 | 1 | undefined {
  if (rule.kind === 'equals') return cellText.trim() === rule.value ? 1 : 0;
  const v = Number(cellText.trim());
  if (cellText.trim() === '' || !Number.isFinite(v)) return undefined;
  return COMPARE[rule.op](v, rule.threshold) ? 1 : 0;
}

/** The UCI heart-disease data (`data/heart_disease_uci.csv`), as the reference projects read it. */
export const HEART: DatasetSpec = {
  name: 'heart',
  title: 'UCI Heart Disease (Cleveland, Hungary, Switzerland, VA Long Beach)',
  target: 'num',
  positive: { kind: 'compare', op: '>', threshold: 0 },
  targetValues: ['0', '1', '2', '3', '4'],
  numeric: ['age', 'trestbps', 'chol', 'thalch', 'oldpeak', 'ca'],
  categorical: ['sex', 'cp', 'fbs', 'restecg', 'exang', 'slope', 'thal'],
  // `id` is a row number; `dataset` names the collecting site, which predicts the label through how
  // each site recruited (dropped as the reference projects and the anchor protocol do).
  drop: ['id', 'dataset'],
  zeroMeansMissing: ['chol', 'trestbps'],
  imbalanced: false,
  registeredModel: 'heart-disease',
};

/** The Kaggle stroke data (not bundled: `--data` or a checked download). */
export const STROKE: DatasetSpec = {
  name: 'stroke',
  title: 'Stroke Prediction Dataset (Kaggle, fedesoriano 2021)',
  target: 'stroke',
  positive: { kind: 'compare', op: '==', threshold: 1 },
  targetValues: ['0', '1'],
  numeric: ['age', 'hypertension', 'heart_disease', 'avg_glucose_level', 'bmi'],
  categorical: ['gender', 'ever_married', 'work_type', 'Residence_type', 'smoking_status'],
  drop: ['id'],
  unknownCategories: { smoking_status: 'Unknown' },
  imbalanced: true,
  registeredModel: 'stroke',
};

export const BUILTIN_DATASETS: Record<string, DatasetSpec> = { heart: HEART, stroke: STROKE };
