// The registry audit trail: rows written inside the transaction of the change they record (so a
// change and its record commit or roll back together), read newest first with offset page tokens.
import { InvalidParameter } from '../../core/errors.js';
import type { PagedList } from '../../tracking/entities.js';
import { decodePageToken, encodePageToken } from '../../tracking/search/page-token.js';
import type { SqlExecutor, SqlValue } from '../../db/sql-database.js';
import { validateLengthLimit } from '../../tracking/validation.js';
import type { RegistryAuditAction, RegistryAuditEntry } from '../entities.js';
import type { ChangeContext, RegistryHistoryQuery } from '../store.js';
import { isStoredVersion, parseModelVersion, validateModelName } from '../validation.js';

export const UNKNOWN_USER = 'unknown';
export const MAX_AUDIT_USER_LENGTH = 256;
export const MAX_AUDIT_REASON_LENGTH = 5000;
export const REGISTRY_HISTORY_MAX_RESULTS_DEFAULT = 100;
export const REGISTRY_HISTORY_MAX_RESULTS_THRESHOLD = 1000;

export interface AuditRecord {
  name: string;
  version?: number | null;
  alias?: string | null;
  action: RegistryAuditAction;
  from?: string | number | null;
  to?: string | number | null;
  forced?: boolean;
  policyResult?: unknown;
}

/** Checks the context up front, before any write: user and reason lengths, force needs a reason. */
export function validateChangeContext(context: ChangeContext | undefined): void {
  if (!context) return;
  if (context.user !== undefined) validateLengthLimit('User', MAX_AUDIT_USER_LENGTH, context.user);
  if (context.reason !== undefined && context.reason !== null)
    validateLengthLimit('Reason', MAX_AUDIT_REASON_LENGTH, context.reason);
  if (context.force && !context.reason?.trim()) {
    throw new InvalidParameter(
      "'force' overrides a promotion policy only with a non-empty 'reason' (it is recorded in the audit trail).",
    );
  }
}

const text = (v: string | number | null | undefined): string | null =>
  v === undefined || v === null ? null : String(v);

export async function recordAudit(
  tx: SqlExecutor,
  context: ChangeContext | undefined,
  record: AuditRecord,
): Promise<void> {
  await tx.run(
    `INSERT INTO registry_audit (timestamp, user_id, name, version, alias, action, from_value, to_value, reason, forced, policy_result)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      Date.now(),
      context?.user?.trim() || UNKNOWN_USER,
      record.name,
      record.version ?? null,
      record.alias ?? null,
      record.action,
      text(record.from),
      text(record.to),
      context?.reason?.trim() || null,
      record.forced ? 1 : 0,
      record.policyResult === undefined || record.policyResult === null ? null : JSON.stringify(record.policyResult),
    ],
  );
}

interface AuditRow {
  id: number;
  timestamp: number;
  user_id: string;
  name: string;
  version: number | null;
  alias: string | null;
  action: string;
  from_value: string | null;
  to_value: string | null;
  reason: string | null;
  forced: number;
  policy_result: string | null;
}

function toEntry(r: AuditRow): RegistryAuditEntry {
  return {
    id: Number(r.id),
    timestamp: Number(r.timestamp),
    user: r.user_id,
    name: r.name,
    version: r.version === null ? null : String(r.version),
    alias: r.alias,
    action: r.action as RegistryAuditAction,
    from: r.from_value,
    to: r.to_value,
    reason: r.reason,
    forced: Number(r.forced) === 1,
    policyResult: r.policy_result === null ? null : JSON.parse(r.policy_result),
  };
}

export async function getRegistryHistory(
  db: SqlExecutor,
  query: RegistryHistoryQuery,
): Promise<PagedList<RegistryAuditEntry>> {
  validateModelName(query.name);
  const limit = query.maxResults ?? REGISTRY_HISTORY_MAX_RESULTS_DEFAULT;
  if (!Number.isInteger(limit) || limit < 1 || limit > REGISTRY_HISTORY_MAX_RESULTS_THRESHOLD) {
    throw new InvalidParameter(
      `Invalid value ${limit} for parameter 'max_results' supplied. It must be between 1 and ${REGISTRY_HISTORY_MAX_RESULTS_THRESHOLD}.`,
    );
  }
  const offset = decodePageToken(query.pageToken);
  const params: SqlValue[] = [query.name];
  let where = 'name = ?';
  if (query.version !== undefined && query.version !== '') {
    const n = parseModelVersion(query.version);
    if (!isStoredVersion(n))
      throw new InvalidParameter(`Model version must be a positive integer, got '${query.version}'`);
    where += ' AND version = ?';
    params.push(n);
  }
  // ids grow with commit order per model (writes to one model are serialised by its row lock).
  const rows = await db.all<AuditRow>(
    `SELECT id, timestamp, user_id, name, version, alias, action, from_value, to_value, reason, forced, policy_result
     FROM registry_audit WHERE ${where} ORDER BY id DESC LIMIT ? OFFSET ?`,
    [...params, limit + 1, offset],
  );
  const items = rows.slice(0, limit).map(toEntry);
  return rows.length > limit ? { items, nextPageToken: encodePageToken(offset + limit) } : { items };
}
