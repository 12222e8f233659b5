// The anchor's six model pipelines built from Cairn's estimators. Classes are found by name in
// src/learn (whichever file exports them), so the benchmark keeps working as modules move.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const MODEL_NAMES = [
  'LogisticRegression',
  'RandomForest_n_jobs1',
  'RandomForest_n_jobs2',
  'XGBoost',
  'KNN_k7',
  'DecisionTree',
] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

interface ModelSpec {
  /** Cairn class implementing it, and its params (the anchor's, in Cairn's names). */
  className: string;
  params: Record<string, unknown>;
  /** StandardScaler after the numeric imputer (LR and KNN only, as the anchor). */
  scale: boolean;
  anchor: string;
}

export const MODEL_SPECS: Record<ModelName, ModelSpec> = {
  LogisticRegression: {
    className: 'LogisticRegression',
    params: { maxIter: 1000 },
    scale: true,
    anchor: 'LogisticRegression(max_iter=1000)',
  },
  RandomForest_n_jobs1: {
    className: 'RandomForestClassifier',
    params: { nEstimators: 100, seed: 42, nJobs: 1 },
    scale: false,
    anchor: 'RandomForestClassifier(100, random_state=42, n_jobs=1)',
  },
  RandomForest_n_jobs2: {
    className: 'RandomForestClassifier',
    params: { nEstimators: 100, seed: 42, nJobs: 2 },
    scale: false,
    anchor: 'RandomForestClassifier(100, random_state=42, n_jobs=2)',
  },
  XGBoost: {
    className: 'GradientBoostingClassifier',
    params: { nEstimators: 100, maxDepth: 6, learningRate: 0.3, seed: 42 },
    scale: false,
    anchor: "XGBClassifier(100, max_depth=6, learning_rate=0.3, tree_method='hist', n_jobs=2)",
  },
  KNN_k7: {
    className: 'KNeighborsClassifier',
    params: { nNeighbors: 7 },
    scale: true,
    anchor: 'KNeighborsClassifier(n_neighbors=7)',
  },
  DecisionTree: {
    className: 'DecisionTreeClassifier',
    params: { seed: 42 },
    scale: false,
    anchor: 'DecisionTreeClassifier(random_state=42)',
  },
};

type Ctor = new (params?: any) => any;

/** Every `export class Name` under src/learn (tests excluded), imported on demand. */
export class LearnClasses {
  private readonly files = new Map<string, string>();
  private readonly loaded = new Map<string, Ctor>();

  constructor(readonly learnDir: string) {
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (e.name !== 'testing') walk(p);
          continue;
        }
        if (!e.name.endsWith('.ts') || e.name.endsWith('.test.ts')) continue;
        for (const m of readFileSync(p, 'utf8').matchAll(/^export class (\w+)/gm))
          if (!this.files.has(m[1])) this.files.set(m[1], p);
      }
    };
    walk(learnDir);
  }

  has(name: string): boolean {
    return this.files.has(name);
  }

  async get(name: string): Promise<Ctor> {
    const hit = this.loaded.get(name);
    if (hit) return hit;
    const file = this.files.get(name);
    if (!file) throw new Error(`no module in ${this.learnDir} exports class ${name}`);
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const ctor = mod[name] as Ctor;
    this.loaded.set(name, ctor);
    return ctor;
  }
}

/** impute (+ scale) numeric, most-frequent impute + one-hot(ignore) categorical, then the model. */
export type PipelineFactory = () => any;

export async function pipelineFactory(
  classes: LearnClasses,
  model: ModelName,
  numeric: string[],
  categorical: string[],
): Promise<PipelineFactory> {
  const spec = MODEL_SPECS[model];
  const [Pipeline, ColumnTransformer, SimpleImputer, StandardScaler, OneHotEncoder, Model] = await Promise.all(
    ['Pipeline', 'ColumnTransformer', 'SimpleImputer', 'StandardScaler', 'OneHotEncoder', spec.className].map((n) =>
      classes.get(n),
    ),
  );
  return () => {
    const numSteps: [string, unknown][] = [['impute', new SimpleImputer({ strategy: 'median' })]];
    if (spec.scale) numSteps.push(['scale', new StandardScaler()]);
    const prep = new ColumnTransformer({
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
    return new Pipeline({
      steps: [
        ['prep', prep],
        ['model', new Model({ ...spec.params })],
      ],
    });
  };
}
