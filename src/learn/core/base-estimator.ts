// The params half of the estimator contract, after scikit-learn's base.py: params are the
// constructor argument, kept as given; getParams/setParams/clone follow from that.

export abstract class BaseEstimator<P extends object> {
  params: P;
  /** Shown by getParams() for params the caller left out (the values fit() will use). */
  private readonly defaults: Partial<P>;

  constructor(params: P, defaults: Partial<P> = {}) {
    this.params = params;
    this.defaults = defaults;
  }

  getParams(): Record<string, unknown> {
    return { ...this.defaults, ...this.params };
  }

  setParams(params: Record<string, unknown>): this {
    this.params = { ...this.params, ...(params as Partial<P>) };
    return this;
  }

  /** An unfitted copy with deep-copied params (class-weight maps, category lists, ranges). */
  clone(): this {
    const Ctor = this.constructor as new (params: P) => this;
    return new Ctor(structuredClone(this.params));
  }
}
