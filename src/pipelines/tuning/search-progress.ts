// The search history as chart points: each finished trial's value and the best value up to it, in
// trial-number order (what Optuna's plot_optimization_history draws), for the charts of the parent run.
import type { Direction } from '../../learn/model-selection/tpe/median-pruner.js';
import type { TrialRecord, TrialState } from './study-storage.js';

export interface SearchProgressPoint {
  number: number;
  state: Exclude<TrialState, 'RUNNING'>;
  /** The trial's value (NaN for FAILED / STALE; the last reported value for PRUNED). */
  value: number;
  /** Best COMPLETE value among trials numbered up to this one (NaN before the first). */
  bestSoFar: number;
}

export function searchProgress(trials: readonly TrialRecord[], direction: Direction): SearchProgressPoint[] {
  const out: SearchProgressPoint[] = [];
  let best = NaN;
  for (const t of [...trials].sort((a, b) => a.number - b.number)) {
    if (t.state === 'RUNNING') continue;
    if (t.state === 'COMPLETE' && Number.isFinite(t.value)) {
      if (Number.isNaN(best) || (direction === 'maximize' ? t.value > best : t.value < best)) best = t.value;
    }
    out.push({ number: t.number, state: t.state, value: t.value, bestSoFar: best });
  }
  return out;
}
