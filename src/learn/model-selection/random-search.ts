// Random search: nIter seeded draws from parameter distributions, each cross-validated
// (scikit-learn's RandomizedSearchCV).
import type { Classifier, Labels } from '../core/estimator.js';
import type { Frame } from '../core/frame.js';
import type { Matrix } from '../core/matrix.js';
import { Rng } from '../core/random.js';
import type { ParamDistributions, ParamSet } from './param-grid.js';
import { sampleParams } from './param-grid.js';
import type { SearchOptions, SearchResult } from './search-cv.js';
import { runSearch } from './search-cv.js';

export interface RandomSearchOptions extends SearchOptions {
  nIter?: number;
  seed?: number;
}

export class RandomSearch<X extends Matrix | Frame = Matrix> {
  result_: SearchResult<X> | undefined;

  constructor(
    readonly estimator: Classifier<X>,
    readonly distributions: ParamDistributions,
    readonly options: RandomSearchOptions = {},
  ) {}

  /** The parameter sets this search will evaluate (deterministic for a seed). */
  candidates(): ParamSet[] {
    return sampleParams(this.distributions, this.options.nIter ?? 10, new Rng(this.options.seed ?? 0));
  }

  fit(X: X, y: Labels): this {
    this.result_ = runSearch(this.estimator, X, y, this.candidates(), this.options);
    return this;
  }

  get bestParams(): ParamSet {
    return this.fitted().bestParams;
  }
  get bestScore(): number {
    return this.fitted().bestScore;
  }
  get bestEstimator(): Classifier<X> {
    const e = this.fitted().bestEstimator;
    if (!e) throw new Error('RandomSearch: refit was false, there is no best estimator');
    return e;
  }
  get cvResults() {
    return this.fitted().cvResults;
  }

  predict(X: X): Float64Array {
    return this.bestEstimator.predict(X);
  }
  predictProba(X: X): Matrix {
    return this.bestEstimator.predictProba(X);
  }

  private fitted(): SearchResult<X> {
    if (!this.result_) throw new Error('RandomSearch: call fit first');
    return this.result_;
  }
}
