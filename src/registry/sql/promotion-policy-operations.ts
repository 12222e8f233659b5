// Promotion policies in SQL: stored per (model, target), evaluated inside the transaction of the
// transition or alias move they gate (after the model's row lock, so the holder compared against
// cannot change underneath), and a dry-run check.
import { InvalidState, NotFound } from '../../core/errors.js';
import { loadRuns } from '../../tracking/sql/run-loader.js';
import type { SqlDatabase, SqlExecutor } from '../../db/sql-database.js';
import {
  describeFailures,
  evaluatePolicy,
  type PolicyResult,
  type PolicySubject,
} from '../policies/policy-evaluator.js';
import {
  parsePolicyTarget,
  parsePromotionPolicy,
  policyToJson,
  type PolicyTarget,
  type PromotionPolicy,
} from '../policies/promotion-policy.js';
import type { ChangeContext } from '../store.js';
import { isStoredVersion, parseModelVersion, validateModelName } from '../validation.js';
import { recordAudit, validateChangeContext, type AuditRecord } from './registry-audit.js';
import { lockModel, requireModel, requireVersion, versionNotFound } from './registry-loader.js';

async function loadPolicy(db: SqlExecutor, name: string, targetKey: string): Promise<PromotionPolicy | null> {
  const row = await db.get<{ policy: string }>('SELECT policy FROM registry_policies WHERE name = ? AND target = ?', [
    name,
    targetKey,
  ]);
  return row ? parsePromotionPolicy(JSON.parse(row.policy)) : null;
}

/** A version and its source run's latest metrics (read through the tracking store's loader). */
async function loadSubject(db: SqlExecutor, name: string, version: number): Promise<PolicySubject> {
  const row = await requireVersion(db, name, version);
  const runId = row.run_id || null;
  const metrics = new Map<string, number>();
  if (runId) {
    const [run] = await loadRuns(db, [runId]);
    for (const m of run?.data.metrics ?? []) metrics.set(m.key, m.value);
  }
  return { version: String(version), runId, metrics };
}

/** The version holding a stage (the highest, other than the candidate) or an alias; null when none. */
async function currentHolder(
  db: SqlExecutor,
  name: string,
  holderKey: string,
  candidate: number,
): Promise<number | null> {
  const target = parsePolicyTarget(holderKey);
  const row =
    target.kind === 'stage'
      ? await db.get<{ version: number }>(
          'SELECT MAX(version) AS version FROM model_versions WHERE name = ? AND current_stage = ? AND version != ?',
          [name, target.stage, candidate],
        )
      : await db.get<{ version: number }>('SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?', [
          name,
          target.alias,
        ]);
  const v = row?.version === null || row?.version === undefined ? null : Number(row.version);
  return v === null || v === candidate ? null : v;
}

/** Evaluates the model's policy for `target` against `version`; null when the target has no policy. */
export async function evaluateTarget(
  db: SqlExecutor,
  name: string,
  version: number,
  target: PolicyTarget,
): Promise<PolicyResult | null> {
  const policy = await loadPolicy(db, name, target.key);
  if (!policy) return null;
  const candidate = await loadSubject(db, name, version);
  const holder = policy.mustBeat ? await currentHolder(db, name, policy.mustBeat.current, version) : null;
  const current = holder === null ? null : await loadSubject(db, name, holder);
  return evaluatePolicy(name, policy, candidate, current);
}

/** A change refused by a promotion policy (INVALID_STATE), carrying the evaluation for the audit trail. */
export class PolicyRefusal extends InvalidState {
  constructor(
    message: string,
    readonly result: PolicyResult,
  ) {
    super(message);
  }
}

export interface GateOutcome {
  result: PolicyResult | null;
  forced: boolean;
}

/**
 * Call inside the change's transaction, after lockModel. Throws PolicyRefusal (rolling the change
 * back) when the policy fails and the context does not force it; otherwise says whether it was forced.
 */
export async function gatePromotion(
  tx: SqlExecutor,
  name: string,
  version: number,
  target: PolicyTarget,
  context: ChangeContext | undefined,
): Promise<GateOutcome> {
  const result = await evaluateTarget(tx, name, version, target);
  if (!result || result.passed) return { result, forced: false };
  if (context?.force) return { result, forced: true };
  const what = target.kind === 'stage' ? `transition to ${target.stage}` : `setting alias '${target.alias}'`;
  throw new PolicyRefusal(
    `Promotion policy for ${target.key} refused ${what} of model '${name}' version ${version}: ${describeFailures(result)}. ` +
      'Pass force=true with a reason to override (recorded in the audit trail).',
    result,
  );
}

/**
 * Records a refusal after its transaction rolled back: one INSERT on its own (outside any
 * transaction, so webhook events tied to the change's transaction are not emitted for it).
 */
export async function recordRefusal(
  db: SqlDatabase,
  context: ChangeContext | undefined,
  record: AuditRecord,
  refusal: PolicyRefusal,
): Promise<void> {
  try {
    await recordAudit(db, context, { ...record, policyResult: refusal.result });
  } catch {
    // Best effort: nothing changed, and the caller must still learn that the policy refused the
    // change rather than see an unrelated storage error; a failing database fails the next write anyway.
  }
}

export async function setPromotionPolicy(
  db: SqlDatabase,
  name: string,
  raw: unknown,
  context?: ChangeContext,
): Promise<PromotionPolicy> {
  validateModelName(name);
  validateChangeContext(context);
  const policy = parsePromotionPolicy(raw);
  const json = JSON.stringify(policyToJson(policy));
  await db.transaction(async (tx) => {
    await lockModel(tx, name);
    const before = await tx.get<{ policy: string }>(
      'SELECT policy FROM registry_policies WHERE name = ? AND target = ?',
      [name, policy.target],
    );
    await tx.run(
      `INSERT INTO registry_policies (name, target, policy, last_updated_time) VALUES (?, ?, ?, ?)
       ON CONFLICT (name, target) DO UPDATE SET policy = excluded.policy, last_updated_time = excluded.last_updated_time`,
      [name, policy.target, json, Date.now()],
    );
    await recordAudit(tx, context, {
      name,
      alias: policy.target,
      action: 'set_policy',
      from: before?.policy ?? null,
      to: json,
    });
  });
  return policy;
}

export async function getPromotionPolicies(db: SqlDatabase, name: string, target?: string): Promise<PromotionPolicy[]> {
  validateModelName(name);
  await requireModel(db, name);
  if (target !== undefined && target !== '') {
    const key = parsePolicyTarget(target).key;
    const policy = await loadPolicy(db, name, key);
    if (!policy) throw new NotFound(`No promotion policy for target ${key} on registered model '${name}'.`);
    return [policy];
  }
  const rows = await db.all<{ policy: string }>('SELECT policy FROM registry_policies WHERE name = ? ORDER BY target', [
    name,
  ]);
  return rows.map((r) => parsePromotionPolicy(JSON.parse(r.policy)));
}

export async function deletePromotionPolicy(
  db: SqlDatabase,
  name: string,
  target: string,
  context?: ChangeContext,
): Promise<void> {
  validateModelName(name);
  validateChangeContext(context);
  const key = parsePolicyTarget(target).key;
  await db.transaction(async (tx) => {
    await lockModel(tx, name);
    const before = await tx.get<{ policy: string }>(
      'SELECT policy FROM registry_policies WHERE name = ? AND target = ?',
      [name, key],
    );
    if (!before) throw new NotFound(`No promotion policy for target ${key} on registered model '${name}'.`);
    await tx.run('DELETE FROM registry_policies WHERE name = ? AND target = ?', [name, key]);
    await recordAudit(tx, context, { name, alias: key, action: 'delete_policy', from: before.policy, to: null });
  });
}

export async function checkPromotionPolicy(
  db: SqlDatabase,
  name: string,
  version: string,
  target: string,
): Promise<PolicyResult> {
  validateModelName(name);
  const n = parseModelVersion(version);
  const parsed = parsePolicyTarget(target);
  await requireModel(db, name);
  if (!isStoredVersion(n)) throw versionNotFound(name, version);
  const result = await evaluateTarget(db, name, n, parsed);
  if (result) return result;
  await requireVersion(db, name, n);
  return { name, version: String(n), target: parsed.key, passed: true, policy: null, criteria: [] };
}
