// Median pruning (as Optuna's MedianPruner): stop a trial whose intermediate value at a step is
// worse than the median of completed trials' values at that same step.

export type Direction = 'minimize' | 'maximize';

export interface MedianPrunerOptions {
  /** No pruning until this many trials have completed. Default 5. */
  nStartupTrials?: number;
  /** No pruning at steps below this. Default 0. */
  nWarmupSteps?: number;
  /** Only check every intervalSteps steps (counted from nWarmupSteps). Default 1. */
  intervalSteps?: number;
}

/** Thrown by an objective (or by TrialContext.pruneIfNeeded) to stop a trial as pruned. */
export class TrialPruned extends Error {
  constructor(readonly step?: number) {
    super(step === undefined ? 'trial pruned' : `trial pruned at step ${step}`);
    this.name = 'TrialPruned';
  }
}

export class MedianPruner {
  readonly nStartupTrials: number;
  readonly nWarmupSteps: number;
  readonly intervalSteps: number;

  constructor(options: MedianPrunerOptions = {}) {
    this.nStartupTrials = options.nStartupTrials ?? 5;
    this.nWarmupSteps = options.nWarmupSteps ?? 0;
    this.intervalSteps = options.intervalSteps ?? 1;
    for (const [k, v, min] of [
      ['nStartupTrials', this.nStartupTrials, 0],
      ['nWarmupSteps', this.nWarmupSteps, 0],
      ['intervalSteps', this.intervalSteps, 1],
    ] as const) {
      if (!Number.isInteger(v) || v < min)
        throw new RangeError(`MedianPruner: ${k} must be an integer >= ${min}, got ${v}`);
    }
  }

  /**
   * @param value the current trial's intermediate value at `step`
   * @param completed intermediate values of completed trials (step → value)
   */
  shouldPrune(
    value: number,
    step: number,
    completed: readonly ReadonlyMap<number, number>[],
    direction: Direction,
  ): boolean {
    if (completed.length < this.nStartupTrials) return false;
    if (step < this.nWarmupSteps) return false;
    if ((step - this.nWarmupSteps) % this.intervalSteps !== 0) return false;
    if (Number.isNaN(value)) return true;
    const others: number[] = [];
    for (const iv of completed) {
      const v = iv.get(step);
      if (v !== undefined && !Number.isNaN(v)) others.push(v);
    }
    if (others.length === 0) return false;
    const median = medianOf(others);
    return direction === 'minimize' ? value > median : value < median;
  }
}

export function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
