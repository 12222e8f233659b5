// The params half of the estimator contract, after scikit-learn's base.py: params are the
// constructor argument, kept as given; getParams/setParams/clone follow from that.
import { checkParamNames } from './params.js';

export abstract class BaseEstimator<P extends object> {
  params: P;
  /** Every constructor option with the value fit() uses when the caller leaves it out. */
  private readonly defaults: Required<P>;

  constructor(params: P, defaults: Required<P>) {
    this.params = params;
    this.defaults = defaults;
  }

  /** The names setParams accepts: exactly the constructor options. */
  paramNames(): string[] {
    return Object.keys(this.defaults);
  }

  getParams(): Record<string, unknown> {
    return this.resolvedParams();
  }

  /** Every param with its value: the given one, or the default where it is left out (or undefined). */
  protected resolvedParams(): Required<P> {
    const out = { ...this.defaults };
    for (const [k, v] of Object.entries(this.params)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
    return out;
  }

  /** Unknown names throw, listing the valid ones; nothing is changed then. */
  setParams(params: Record<string, unknown>): this {
    checkParamNames(this.constructor.name, params, this.paramNames());
    this.params = { ...this.params, ...(params as Partial<P>) };
    return this;
  }

  /** An unfitted copy with deep-copied params (class-weight maps, category lists, ranges). */
  clone(): this {
    const Ctor = this.constructor as new (params: P) => this;
    return new Ctor(structuredClone(this.params));
  }
}
