// The prediction log's database: `sqlite:///…` (its own file, default ./cairn-data/predictions.db) or
// `postgresql://…` (many replicas, one log). Batched inserts in one transaction, ground-truth feedback
// beside each prediction, retention, and paged reads for export.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidParameter } from '../../core/errors.js';
import { migrate } from '../../db/migrate.js';
import { PostgresDatabase } from '../../db/postgres-database.js';
import { allValues, placeholders, type SqlDatabase } from '../../db/sql-database.js';
import { openSqliteDatabase } from '../../db/sqlite-database.js';
import { parseTrackingStoreUri } from '../../tracking/open-store.js';
import { PREDICTION_LOG_MIGRATIONS } from './migrations.js';

export const DEFAULT_PREDICTION_LOG_URI = 'sqlite:///cairn-data/predictions.db';

/** One prediction as logged. */
export interface LogEntry {
  requestId: string;
  /** ms since the epoch. */
  ts: number;
  modelName: string;
  modelVersion: string;
  endpoint: string;
  /** The record as the client sent it (serialised at flush time, off the request path). */
  inputs: unknown;
  prediction: number;
  probability: number;
  confidence: number;
  riskLevel: string;
  latencyMs: number;
  outOfRange?: unknown;
}

/** A logged prediction read back, with its ground truth when feedback gave one. */
export interface LoggedPrediction extends Omit<LogEntry, 'inputs' | 'outOfRange'> {
  inputs: Record<string, unknown>;
  outOfRange: unknown[] | null;
  label: number | null;
}

/** A logged prediction as monitoring reads it (readWindow): what drift and live performance need. */
export interface WindowPrediction {
  requestId: string;
  /** ms since the epoch. */
  ts: number;
  inputs: Record<string, unknown>;
  prediction: number;
  probability: number;
  label: number | null;
}

const COLUMNS =
  'request_id, ts, model_name, model_version, endpoint, inputs, prediction, probability, confidence, risk_level, latency_ms, out_of_range';
const N_COLUMNS = 12;
/** Rows per INSERT statement: 200 × 12 placeholders stays far below SQLite's and PostgreSQL's limits. */
const ROWS_PER_STATEMENT = 200;

function toLogged(r: Record<string, unknown>): LoggedPrediction {
  return {
    requestId: String(r.request_id),
    ts: Number(r.ts),
    modelName: String(r.model_name),
    modelVersion: String(r.model_version),
    endpoint: String(r.endpoint),
    inputs: JSON.parse(String(r.inputs)) as Record<string, unknown>,
    prediction: Number(r.prediction),
    probability: Number(r.probability),
    confidence: Number(r.confidence),
    riskLevel: String(r.risk_level),
    latencyMs: Number(r.latency_ms),
    outOfRange: r.out_of_range === null ? null : (JSON.parse(String(r.out_of_range)) as unknown[]),
    label: r.label === null || r.label === undefined ? null : Number(r.label),
  };
}

export class PredictionLogStore {
  private constructor(
    readonly db: SqlDatabase,
    /** The URI, credentials masked. */
    readonly uri: string,
  ) {}

  static async open(uri: string): Promise<PredictionLogStore> {
    let parsed: ReturnType<typeof parseTrackingStoreUri>;
    try {
      parsed = parseTrackingStoreUri(uri);
    } catch {
      throw new InvalidParameter(
        `--prediction-log must be sqlite:///relative.db, sqlite:////absolute.db or postgresql://user:pass@host:port/db, got '${uri.replace(/\/\/[^@/]*@/, '//***@')}'`,
      );
    }
    let db: SqlDatabase;
    if (parsed.kind === 'sqlite') {
      if (parsed.filename !== ':memory:') mkdirSync(dirname(parsed.filename), { recursive: true });
      db = await openSqliteDatabase(parsed.filename);
    } else {
      db = new PostgresDatabase(parsed.connectionString, 4);
    }
    try {
      await migrate(db, PREDICTION_LOG_MIGRATIONS);
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
    return new PredictionLogStore(db, uri.replace(/\/\/[^@/]*@/, '//***@'));
  }

  /** Writes the entries in one transaction (all or none); a request id already logged is kept as it was. */
  async insert(entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (let at = 0; at < entries.length; at += ROWS_PER_STATEMENT) {
        const chunk = entries.slice(at, at + ROWS_PER_STATEMENT);
        const values: (string | number | null)[] = [];
        for (const e of chunk) {
          values.push(
            e.requestId,
            e.ts,
            e.modelName,
            e.modelVersion,
            e.endpoint,
            JSON.stringify(e.inputs),
            e.prediction,
            e.probability,
            e.confidence,
            e.riskLevel,
            e.latencyMs,
            e.outOfRange === undefined ? null : JSON.stringify(e.outOfRange),
          );
        }
        const tuple = `(${placeholders(N_COLUMNS)})`;
        await tx.run(
          `INSERT INTO serving_predictions (${COLUMNS}) VALUES ${new Array(chunk.length).fill(tuple).join(', ')} ` +
            'ON CONFLICT (request_id) DO NOTHING',
          values,
        );
      }
    });
  }

  async hasPrediction(requestId: string): Promise<boolean> {
    return (
      (await this.db.get('SELECT 1 AS one FROM serving_predictions WHERE request_id = ?', [requestId])) !== undefined
    );
  }

  /** Stores (or replaces) the ground truth of a logged prediction. */
  async putFeedback(requestId: string, label: number, ts: number): Promise<void> {
    await this.db.run(
      'INSERT INTO serving_feedback (request_id, label, ts) VALUES (?, ?, ?) ' +
        'ON CONFLICT (request_id) DO UPDATE SET label = excluded.label, ts = excluded.ts',
      [requestId, label, ts],
    );
  }

  /** Deletes predictions (and their feedback) logged before `beforeMs`; returns how many predictions. */
  async deleteBefore(beforeMs: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.run(
        'DELETE FROM serving_feedback WHERE request_id IN (SELECT request_id FROM serving_predictions WHERE ts < ?)',
        [beforeMs],
      );
      return (await tx.run('DELETE FROM serving_predictions WHERE ts < ?', [beforeMs])).changes;
    });
  }

  async count(): Promise<number> {
    const row = await this.db.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM serving_predictions');
    return Number(row?.n ?? 0);
  }

  /**
   * One model's monitoring window, oldest first: its predictions logged at or after `sinceMs`, and of
   * those only the latest `limit` when given (`cairn monitor --window N` / `--since 1h`). Only the
   * columns monitoring uses, read as value arrays: at 100k rows an object per row of every column was
   * most of the read. (One JSON.parse of the joined inputs measured slower than one parse per row.)
   */
  async readWindow(opts: { modelName: string; sinceMs?: number; limit?: number }): Promise<WindowPrediction[]> {
    const since = opts.sinceMs ?? 0;
    const rows = await allValues<[string, number | string, string, number, number, number | null]>(
      this.db,
      'SELECT p.request_id, p.ts, p.inputs, p.prediction, p.probability, f.label FROM serving_predictions p ' +
        'LEFT JOIN serving_feedback f ON f.request_id = p.request_id ' +
        'WHERE p.model_name = ? AND p.ts >= ? ORDER BY p.ts DESC, p.request_id DESC' +
        (opts.limit === undefined ? '' : ' LIMIT ?'),
      opts.limit === undefined ? [opts.modelName, since] : [opts.modelName, since, opts.limit],
    );
    const n = rows.length;
    const out = new Array<WindowPrediction>(n);
    for (let i = 0; i < n; i++) {
      const r = rows[n - 1 - i];
      out[i] = {
        requestId: String(r[0]),
        ts: Number(r[1]),
        inputs: JSON.parse(String(r[2])) as Record<string, unknown>,
        prediction: Number(r[3]),
        probability: Number(r[4]),
        label: r[5] === null || r[5] === undefined ? null : Number(r[5]),
      };
    }
    return out;
  }

  /** Every prediction logged at or after `sinceMs`, oldest first, read in pages of `pageSize`. */
  async *read(sinceMs = 0, pageSize = 5000): AsyncGenerator<LoggedPrediction> {
    let afterTs = sinceMs;
    let afterId = '';
    let first = true;
    for (;;) {
      const rows = await this.db.all<Record<string, unknown>>(
        `SELECT p.request_id, p.ts, p.model_name, p.model_version, p.endpoint, p.inputs, p.prediction, p.probability, ` +
          `p.confidence, p.risk_level, p.latency_ms, p.out_of_range, f.label FROM serving_predictions p ` +
          'LEFT JOIN serving_feedback f ON f.request_id = p.request_id ' +
          `WHERE ${first ? 'p.ts >= ?' : '(p.ts > ? OR (p.ts = ? AND p.request_id > ?))'} ` +
          'ORDER BY p.ts, p.request_id LIMIT ?',
        first ? [afterTs, pageSize] : [afterTs, afterTs, afterId, pageSize],
      );
      for (const r of rows) yield toLogged(r);
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1];
      afterTs = Number(last.ts);
      afterId = String(last.request_id);
      first = false;
    }
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
