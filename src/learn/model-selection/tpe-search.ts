// TPE search over an estimator's parameters: each trial cross-validates a clone, reports the
// running mean score after every fold (so a pruner can stop it), and the best is refit.
import type { Classifier, Labels } from '../core/estimator.js';
import type { Frame } from '../core/frame.js';
import type { Matrix } from '../core/matrix.js';
import { crossValidate, resolveCv } from './cross-validate.js';
import type { CrossValidateResult } from './cross-validate.js';
import type { ParamSet } from './param-grid.js';
import type { ScoringSpec } from './scoring.js';
import { resolveScorers } from './scoring.js';
import type { CrossValidator } from './stratified-k-fold.js';
import { isPlainObject } from './tpe/space.js';
import type { TpeOptions, TpeResult, Trial } from './tpe/tpe.js';
import { tpeSearch } from './tpe/tpe.js';

export interface TPESearchOptions extends Omit<TpeOptions<unknown>, 'direction' | 'onTrial'> {
  cv?: number | CrossValidator;
  scoring?: ScoringSpec | readonly ScoringSpec[];
  /** Scorer to maximise (default: the first). */
  refit?: string;
  /** Maps a sampled configuration to setParams names; default flattens choice sub-objects. */
  toParams?: (config: unknown) => ParamSet;
  onTrial?: (
    trial: Trial<unknown>,
    params: ParamSet,
    cv: CrossValidateResult<unknown> | undefined,
  ) => void | Promise<void>;
}

/** Default config → params: keys kept, plain objects (e.g. a chosen sub-space) merged in. */
export function flattenConfig(config: unknown): ParamSet {
  if (!isPlainObject(config)) throw new TypeError('TPESearch: the search space must be an object of parameter names');
  const out: ParamSet = {};
  for (const [k, v] of Object.entries(config)) {
    if (isPlainObject(v)) Object.assign(out, flattenConfig(v));
    else out[k] = v;
  }
  return out;
}

export class TPESearch<X extends Matrix | Frame = Matrix> {
  result_: TpeResult<unknown> | undefined;
  bestParams_: ParamSet | undefined;
  bestEstimator_: Classifier<X> | undefined;

  constructor(
    readonly estimator: Classifier<X>,
    readonly space: Record<string, unknown>,
    readonly options: TPESearchOptions,
  ) {}

  async fit(X: X, y: Labels): Promise<this> {
    const o = this.options;
    const scorers = resolveScorers(o.scoring);
    const target = o.refit ?? scorers[0].name;
    if (!scorers.some((s) => s.name === target))
      throw new RangeError(`TPESearch: refit "${target}" is not one of the scorers`);
    const cv = resolveCv(o.cv);
    const toParams = o.toParams ?? flattenConfig;
    const cvByTrial = new Map<number, CrossValidateResult<X>>();
    this.result_ = await tpeSearch(
      this.space,
      (config, trial) => {
        const params = toParams(config);
        let sum = 0;
        const r = crossValidate(this.estimator.clone().setParams(params), X, y, {
          cv,
          scoring: scorers,
          onFold: (f) => {
            sum += f.test[target];
            trial.report(sum / (f.fold + 1), f.fold);
            trial.pruneIfNeeded();
          },
        });
        cvByTrial.set(trial.number, r);
        return r.summary[target].mean;
      },
      {
        ...o,
        direction: 'maximize',
        onTrial: o.onTrial ? (t) => o.onTrial!(t, toParams(t.config), cvByTrial.get(t.number)) : undefined,
      },
    );
    this.bestParams_ = toParams(this.result_.best.config);
    this.bestEstimator_ = this.estimator.clone().setParams(this.bestParams_).fit(X, y);
    return this;
  }

  get bestScore(): number {
    return this.fitted().best.value;
  }
  get trials(): Trial<unknown>[] {
    return this.fitted().trials;
  }

  private fitted(): TpeResult<unknown> {
    if (!this.result_) throw new Error('TPESearch: call fit first');
    return this.result_;
  }
}
