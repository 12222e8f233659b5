// Promotion policies: the declarative gate on moving a version into a stage or alias, parsed and
// validated once (parse → validate → evaluate; evaluation lives in policy-evaluator.ts).
import { InvalidParameter } from '../../core/errors.js';
import { canonicalStage, validateAliasName } from '../validation.js';

export const POLICY_OPERATORS = ['>=', '>', '<=', '<', '=='] as const;
export type PolicyOperator = (typeof POLICY_OPERATORS)[number];
export const MAX_POLICY_METRIC_KEY_LENGTH = 250;
export const MAX_POLICY_CRITERIA = 100;
export const MAX_POLICY_DESCRIPTION_LENGTH = 5000;

export interface MetricRequirement {
  metric: string;
  op: PolicyOperator;
  threshold: number;
}

export interface MustBeat {
  metric: string;
  /** The stage (`Production`) or alias (`@champion`) whose holder the candidate must beat. */
  current: string;
  /** The candidate's value must exceed the holder's by more than this (≥ 0); 0 means strictly better. */
  by: number;
}

export interface PromotionPolicy {
  /** A canonical stage (`Production`) or an alias prefixed with `@` (`@champion`). */
  target: string;
  require: MetricRequirement[];
  mustBeat: MustBeat | null;
  description: string | null;
}

export type PolicyTarget =
  | { kind: 'stage'; stage: string; key: string }
  | { kind: 'alias'; alias: string; key: string };

const fail = (field: string, rule: string) => new InvalidParameter(`Invalid promotion policy: '${field}' ${rule}`);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `Production` (any case) → the canonical stage; `@champion` → that alias. The key is how it is stored. */
export function parsePolicyTarget(target: unknown, field = 'target'): PolicyTarget {
  if (typeof target !== 'string' || target.trim() === '') {
    throw fail(field, 'must be a stage (None, Staging, Production, Archived) or an alias written as "@alias"');
  }
  if (target.startsWith('@')) {
    const alias = target.slice(1);
    try {
      validateAliasName(alias);
    } catch (err) {
      throw fail(field, `names an invalid alias: ${(err as Error).message}`);
    }
    return { kind: 'alias', alias, key: `@${alias}` };
  }
  try {
    const stage = canonicalStage(target);
    return { kind: 'stage', stage, key: stage };
  } catch {
    throw fail(
      field,
      `must be a stage (None, Staging, Production, Archived) or an alias written as "@alias", got '${target}'`,
    );
  }
}

function parseMetricName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw fail(field, 'must be a non-empty metric name');
  if (value.length > MAX_POLICY_METRIC_KEY_LENGTH)
    throw fail(field, `must be at most ${MAX_POLICY_METRIC_KEY_LENGTH} characters`);
  return value;
}

function parseRequirement(raw: unknown, index: number): MetricRequirement {
  const field = `require[${index}]`;
  if (!isObject(raw)) throw fail(field, 'must be an object such as {"metric": "accuracy", ">=": 0.9}');
  const metric = parseMetricName(raw.metric, `${field}.metric`);
  const ops = Object.keys(raw).filter((k) => k !== 'metric');
  const unknown = ops.filter((k) => !(POLICY_OPERATORS as readonly string[]).includes(k));
  if (unknown.length > 0)
    throw fail(`${field}.${unknown[0]}`, `is not an operator; use one of ${POLICY_OPERATORS.join(', ')}`);
  if (ops.length !== 1)
    throw fail(field, `must have exactly one operator (${POLICY_OPERATORS.join(', ')}), got ${ops.length}`);
  const op = ops[0] as PolicyOperator;
  const threshold = raw[op];
  if (typeof threshold !== 'number' || !Number.isFinite(threshold))
    throw fail(`${field}.${op}`, 'must be a finite number');
  return { metric, op, threshold };
}

function parseMustBeat(raw: unknown, target: PolicyTarget): MustBeat {
  if (!isObject(raw))
    throw fail('mustBeat', 'must be an object such as {"metric": "roc_auc", "current": "Production", "by": 0}');
  const extra = Object.keys(raw).filter((k) => !['metric', 'current', 'by'].includes(k));
  if (extra.length > 0) throw fail(`mustBeat.${extra[0]}`, 'is not a known field (metric, current, by)');
  const metric = parseMetricName(raw.metric, 'mustBeat.metric');
  const current = raw.current === undefined ? target.key : parsePolicyTarget(raw.current, 'mustBeat.current').key;
  const by = raw.by === undefined ? 0 : raw.by;
  if (typeof by !== 'number' || !Number.isFinite(by) || by < 0)
    throw fail('mustBeat.by', 'must be a finite number >= 0');
  return { metric, current, by };
}

/**
 * Parses and validates a policy document (JSON already decoded). Every rule violation is an
 * InvalidParameter naming the field and the rule; the result is normalised (canonical target keys).
 */
export function parsePromotionPolicy(raw: unknown): PromotionPolicy {
  if (!isObject(raw))
    throw new InvalidParameter(
      'Invalid promotion policy: expected a JSON object with "target" and "require" and/or "mustBeat".',
    );
  const extra = Object.keys(raw).filter((k) => !['target', 'require', 'mustBeat', 'description'].includes(k));
  if (extra.length > 0) throw fail(extra[0], 'is not a known field (target, require, mustBeat, description)');
  const target = parsePolicyTarget(raw.target);
  if (raw.require !== undefined && !Array.isArray(raw.require)) throw fail('require', 'must be a list of criteria');
  const rawRequire = (raw.require ?? []) as unknown[];
  if (rawRequire.length > MAX_POLICY_CRITERIA)
    throw fail('require', `must have at most ${MAX_POLICY_CRITERIA} criteria`);
  const require = rawRequire.map(parseRequirement);
  const mustBeat = raw.mustBeat === undefined || raw.mustBeat === null ? null : parseMustBeat(raw.mustBeat, target);
  if (require.length === 0 && !mustBeat)
    throw fail('require', 'must hold at least one criterion when there is no mustBeat');
  let description: string | null = null;
  if (raw.description !== undefined && raw.description !== null) {
    if (typeof raw.description !== 'string') throw fail('description', 'must be a string');
    if (raw.description.length > MAX_POLICY_DESCRIPTION_LENGTH)
      throw fail('description', `must be at most ${MAX_POLICY_DESCRIPTION_LENGTH} characters`);
    description = raw.description;
  }
  return { target: target.key, require, mustBeat, description };
}

/** The policy as users write it (the document `parsePromotionPolicy` accepts). */
export function policyToJson(policy: PromotionPolicy): Record<string, unknown> {
  const out: Record<string, unknown> = {
    target: policy.target,
    require: policy.require.map((r) => ({ metric: r.metric, [r.op]: r.threshold })),
  };
  if (policy.mustBeat) out.mustBeat = { ...policy.mustBeat };
  if (policy.description !== null) out.description = policy.description;
  return out;
}
