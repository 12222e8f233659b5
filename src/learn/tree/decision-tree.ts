// DecisionTreeClassifier with scikit-learn's semantics. With the same seed (sklearn's
// random_state), criterion and limits, and no NaN, it grows the same tree as sklearn 1.2's
// DecisionTreeClassifier: same feature draws (sklearn permutes features even with
// maxFeatures null), same first-best tie rule, same float32 midpoint thresholds. Known
// differences: sklearn treats values closer than 1e-7 as equal (here only identical float32
// values are); like sklearn, predict compares float32(x) with the threshold. NaN, which
// sklearn 1.2 rejects, is ranked below every value in fit and routed left in predict.
import { BaseEstimator } from '../core/base-estimator.js';
import type { Classifier, FitOptions, Labels, SerializedComponent } from '../core/estimator.js';
import { argmaxClasses, probaByRows, type Matrix } from '../core/matrix.js';
import { StateReader } from '../core/restore-check.js';
import { encodeFloat64, registerComponent } from '../core/serialization.js';
import {
  deserializeFlatTree,
  leafIndex,
  serializeFlatTree,
  treeFeatureImportances,
  type FlatTree,
} from './flat-tree.js';
import { SklearnRandR } from './sklearn-rng.js';
import { buildTree, TreeWorkspace } from './tree-builder.js';
import {
  checkPredictInput,
  checkTrainingInput,
  encodeLabels,
  resolveCriterion,
  resolveMaxDepth,
  resolveMaxFeatures,
  resolveMinSamplesLeaf,
  resolveMinSamplesSplit,
  resolveSeed,
  rowWeights,
  type ClassWeight,
  type MaxFeatures,
} from './tree-params.js';
import { prepareTreeData } from './training-data.js';

export interface DecisionTreeParams {
  criterion?: 'gini' | 'entropy';
  /** null = grow until pure. */
  maxDepth?: number | null;
  /** Integer >= 2, or a fraction in (0, 1) of the rows. */
  minSamplesSplit?: number;
  /** Integer >= 1, or a fraction in (0, 0.5) of the rows. */
  minSamplesLeaf?: number;
  /** null = all features, 'sqrt', 'log2', an integer count or a fraction in (0, 1). */
  maxFeatures?: MaxFeatures;
  classWeight?: ClassWeight;
  /** sklearn's random_state: the same seed draws features in the same order. */
  seed?: number;
}

const DEFAULTS: Required<DecisionTreeParams> = {
  criterion: 'gini',
  maxDepth: null,
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  maxFeatures: null,
  classWeight: null,
  seed: 0,
};

export class DecisionTreeClassifier extends BaseEstimator<DecisionTreeParams> implements Classifier<Matrix> {
  static readonly TYPE = 'DecisionTreeClassifier';
  classes_: Float64Array | undefined;
  nFeaturesIn_: number | undefined;
  tree_: FlatTree | undefined;
  featureImportances_: Float64Array | undefined;

  constructor(params: DecisionTreeParams = {}) {
    super(params, DEFAULTS);
  }

  fit(X: Matrix, y: Labels, options: FitOptions = {}): this {
    checkTrainingInput(X, y, options.sampleWeight);
    const p = this.params;
    const criterion = resolveCriterion(p.criterion);
    const maxDepth = resolveMaxDepth(p.maxDepth);
    const minSamplesSplit = resolveMinSamplesSplit(p.minSamplesSplit, X.nRows);
    const minSamplesLeaf = resolveMinSamplesLeaf(p.minSamplesLeaf, X.nRows);
    const maxFeatures = resolveMaxFeatures(p.maxFeatures, X.nCols);
    const seed = resolveSeed(p.seed);
    const { classes, yIdx } = encodeLabels(y);
    const weights = rowWeights(yIdx, classes, p.classWeight, options.sampleWeight);
    const data = prepareTreeData(X, yIdx, classes.length);
    const tree = buildTree(
      new TreeWorkspace(data),
      weights,
      {
        criterion,
        maxDepth,
        minSamplesSplit: Math.max(minSamplesSplit, 2 * minSamplesLeaf),
        minSamplesLeaf,
        maxFeatures,
      },
      SklearnRandR.fromSeed(seed),
    );
    this.classes_ = classes;
    this.nFeaturesIn_ = X.nCols;
    this.tree_ = tree;
    this.featureImportances_ = treeFeatureImportances(tree, X.nCols);
    return this;
  }

  /** Class probabilities of one row (row[offset .. offset + nFeatures)) into out[0 .. nClasses). */
  predictProbaRowInto(row: ArrayLike<number>, out: Float64Array, offset = 0): Float64Array {
    const tree = this.tree_;
    if (!tree) throw new Error('DecisionTreeClassifier is not fitted: call fit first');
    const nc = tree.nClasses;
    const leaf = leafIndex(tree, row, offset);
    let total = 0;
    for (let c = 0; c < nc; c++) total += tree.value[leaf * nc + c];
    for (let c = 0; c < nc; c++) out[c] = tree.value[leaf * nc + c] / total;
    return out;
  }

  predictProba(X: Matrix): Matrix {
    checkPredictInput(X, this.nFeaturesIn_, 'DecisionTreeClassifier');
    return probaByRows(X, this.classes_!.length, (data, out, offset) => this.predictProbaRowInto(data, out, offset));
  }

  predict(X: Matrix): Float64Array {
    return argmaxClasses(this.predictProba(X), this.classes_!);
  }

  /** Leaf index reached by each row (sklearn's apply). */
  apply(X: Matrix): Int32Array {
    checkPredictInput(X, this.nFeaturesIn_, 'DecisionTreeClassifier');
    const out = new Int32Array(X.nRows);
    for (let i = 0; i < X.nRows; i++) out[i] = leafIndex(this.tree_!, X.data, i * X.nCols);
    return out;
  }

  toJSON(): SerializedComponent {
    return {
      type: DecisionTreeClassifier.TYPE,
      version: 1,
      params: { ...this.params },
      state: this.tree_
        ? {
            classes: encodeFloat64(this.classes_!),
            nFeatures: this.nFeaturesIn_!,
            tree: serializeFlatTree(this.tree_),
          }
        : null,
    };
  }

  static fromJSON(json: SerializedComponent): DecisionTreeClassifier {
    const m = new DecisionTreeClassifier().setParams(json.params);
    if (json.state) {
      const r = StateReader.of('state', json.state);
      m.classes_ = r.classes('classes');
      m.nFeaturesIn_ = r.int('nFeatures', 1, 2 ** 24);
      m.tree_ = deserializeFlatTree(r.object('tree'), m.classes_.length, m.nFeaturesIn_);
      m.featureImportances_ = treeFeatureImportances(m.tree_, m.nFeaturesIn_);
    }
    return m;
  }
}

registerComponent(DecisionTreeClassifier.TYPE, (json) => DecisionTreeClassifier.fromJSON(json));
