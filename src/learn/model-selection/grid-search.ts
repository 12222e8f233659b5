// Exhaustive search over a parameter grid with cross-validation (scikit-learn's GridSearchCV).
import type { Classifier, Labels } from '../core/estimator.js';
import type { Frame } from '../core/frame.js';
import type { Matrix } from '../core/matrix.js';
import type { ParamGrid } from './param-grid.js';
import { expandGrid } from './param-grid.js';
import type { SearchOptions, SearchResult } from './search-cv.js';
import { runSearch } from './search-cv.js';

export class GridSearch<X extends Matrix | Frame = Matrix> {
  result_: SearchResult<X> | undefined;

  constructor(
    readonly estimator: Classifier<X>,
    readonly paramGrid: ParamGrid | readonly ParamGrid[],
    readonly options: SearchOptions = {},
  ) {
    expandGrid(paramGrid); // validates the grid up front
  }

  fit(X: X, y: Labels): this {
    this.result_ = runSearch(this.estimator, X, y, expandGrid(this.paramGrid), this.options);
    return this;
  }

  get bestParams(): Record<string, unknown> {
    return this.fitted().bestParams;
  }
  get bestScore(): number {
    return this.fitted().bestScore;
  }
  get bestEstimator(): Classifier<X> {
    const e = this.fitted().bestEstimator;
    if (!e) throw new Error('GridSearch: refit was false, there is no best estimator');
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
    if (!this.result_) throw new Error('GridSearch: call fit first');
    return this.result_;
  }
}
