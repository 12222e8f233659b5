// Risk levels from the positive-class probability: low < medium threshold ≤ medium < high threshold ≤ high.
import { InvalidParameter } from '../core/errors.js';

export type RiskLevel = 'low' | 'medium' | 'high';

export interface RiskThresholds {
  /** P ≥ medium → at least "medium" (default 0.3). */
  medium: number;
  /** P ≥ high → "high" (default 0.7). */
  high: number;
}

export const DEFAULT_RISK_THRESHOLDS: RiskThresholds = { medium: 0.3, high: 0.7 };

/** "0.3,0.7" → thresholds; both in [0, 1], medium ≤ high. */
export function parseRiskThresholds(text: string): RiskThresholds {
  const parts = text.split(',').map((p) => p.trim());
  const [medium, high] = parts.map(Number);
  if (parts.length !== 2 || parts.some((p) => p === '') || !(medium >= 0 && medium <= 1 && high >= 0 && high <= 1)) {
    throw new InvalidParameter(
      `--risk-thresholds must be two probabilities "MEDIUM,HIGH" between 0 and 1 (e.g. 0.3,0.7), got '${text}'`,
    );
  }
  if (medium > high)
    throw new InvalidParameter(`--risk-thresholds: the medium threshold ${medium} is above the high one ${high}`);
  return { medium, high };
}

export function riskLevel(probability: number, t: RiskThresholds): RiskLevel {
  return probability >= t.high ? 'high' : probability >= t.medium ? 'medium' : 'low';
}
