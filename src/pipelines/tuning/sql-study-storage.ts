// A study in a SQLite or PostgreSQL database, shared by every process pointed at it (Optuna's RDB
// storage). Correctness rests on the claim: counting the study's trials and inserting the next
// number happen in one transaction that first locks the study's row (SELECT … FOR UPDATE on
// PostgreSQL; SQLite's BEGIN IMMEDIATE holds the write lock from the start), so claims are
// serialised, the budget is never overrun, and the (study_id, number) primary key backs it up.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidParameter } from '../../core/errors.js';
import { migrate } from '../../db/migrate.js';
import { PostgresDatabase } from '../../db/postgres-database.js';
import type { SqlDatabase, SqlExecutor } from '../../db/sql-database.js';
import { placeholders } from '../../db/sql-database.js';
import { openSqliteDatabase } from '../../db/sqlite-database.js';
import type { ParamSet } from '../../learn/index.js';
import { parseTrackingStoreUri } from '../../tracking/open-store.js';
import type { SamplerName } from './samplers.js';
import { checkSameSettings } from './study-settings.js';
import type {
  Claim,
  StudyRecord,
  StudySettings,
  StudyStorage,
  TrialOutcome,
  TrialRecord,
  TrialState,
} from './study-storage.js';
import { TUNING_MIGRATIONS } from './tuning-migrations.js';

const STALE_ERROR = 'no heartbeat: the process running this trial stopped';

interface StudyRow {
  study_id: number;
  name: string;
  direction: string;
  sampler: string;
  seed: number;
  metric: string;
  space: string;
  experiment_id: string;
  parent_run_id: string | null;
}

interface TrialRow {
  number: number;
  state: string;
  params: string;
  value: number | null;
  metrics: string;
  intermediate: string;
  run_id: string | null;
  owner: string;
  error: string | null;
  start_time: number;
  end_time: number | null;
}

const TRIAL_COLUMNS = 'number, state, params, value, metrics, intermediate, run_id, owner, error, start_time, end_time';

/** JSON that keeps NaN and ±Infinity (metric values may be either). */
function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    typeof v === 'number' && !Number.isFinite(v) ? { nonFinite: String(v) } : v,
  );
}

function decodeJson<T>(text: string): T {
  return JSON.parse(text, (_k, v) =>
    v !== null && typeof v === 'object' && typeof v.nonFinite === 'string' ? Number(v.nonFinite) : v,
  ) as T;
}

function toStudy(row: StudyRow): StudyRecord {
  return {
    id: Number(row.study_id),
    name: row.name,
    direction: row.direction as StudyRecord['direction'],
    sampler: row.sampler as SamplerName,
    seed: Number(row.seed),
    metric: row.metric,
    space: row.space,
    experimentId: row.experiment_id,
    parentRunId: row.parent_run_id,
  };
}

function toTrial(row: TrialRow): TrialRecord {
  return {
    number: Number(row.number),
    state: row.state as TrialState,
    params: decodeJson<ParamSet>(row.params),
    value: row.value === null ? NaN : Number(row.value),
    metrics: decodeJson<Record<string, number>>(row.metrics),
    intermediate: decodeJson<[number, number][]>(row.intermediate),
    runId: row.run_id,
    owner: row.owner,
    error: row.error,
    startTime: Number(row.start_time),
    endTime: row.end_time === null ? null : Number(row.end_time),
  };
}

export class SqlStudyStorage implements StudyStorage {
  constructor(readonly db: SqlDatabase) {}

  async openStudy(settings: StudySettings): Promise<StudyRecord> {
    const existing = await this.findStudy(settings.name);
    if (existing) {
      checkSameSettings(existing, settings);
      return existing;
    }
    try {
      await this.db.run(
        `INSERT INTO tuning_studies (name, direction, sampler, seed, metric, space, experiment_id, creation_time)
         VALUES (${placeholders(8)})`,
        [
          settings.name,
          settings.direction,
          settings.sampler,
          settings.seed,
          settings.metric,
          settings.space,
          settings.experimentId,
          Date.now(),
        ],
      );
    } catch (error) {
      // another process created it between our look and our insert: join theirs
      if (!this.db.dialect.isUniqueViolation(error)) throw error;
    }
    const study = await this.findStudy(settings.name);
    if (!study) throw new Error(`study '${settings.name}' vanished while it was being created`);
    checkSameSettings(study, settings);
    return study;
  }

  private async findStudy(name: string): Promise<StudyRecord | undefined> {
    const row = await this.db.get<StudyRow>('SELECT * FROM tuning_studies WHERE name = ?', [name]);
    return row && toStudy(row);
  }

  async setParentRun(studyId: number, runId: string): Promise<string> {
    await this.db.run('UPDATE tuning_studies SET parent_run_id = ? WHERE study_id = ? AND parent_run_id IS NULL', [
      runId,
      studyId,
    ]);
    const row = await this.db.get<{ parent_run_id: string }>(
      'SELECT parent_run_id FROM tuning_studies WHERE study_id = ?',
      [studyId],
    );
    if (!row) throw new InvalidParameter(`No study with id ${studyId}`);
    return row.parent_run_id;
  }

  claimTrial(studyId: number, maxEvals: number, owner: string, staleBefore: number): Promise<Claim | null> {
    return this.db.transaction(async (tx) => {
      const study = await tx.get(`SELECT study_id FROM tuning_studies WHERE study_id = ?${this.db.dialect.forUpdate}`, [
        studyId,
      ]);
      if (!study) throw new InvalidParameter(`No study with id ${studyId}`);
      const reaped = await this.reapStale(tx, studyId, staleBefore);
      const counted = await tx.get<{ n: number }>(
        "SELECT COUNT(*) AS n FROM tuning_trials WHERE study_id = ? AND state <> 'STALE'",
        [studyId],
      );
      if (Number(counted?.n ?? 0) >= maxEvals) return null;
      const last = await tx.get<{ m: number | null }>('SELECT MAX(number) AS m FROM tuning_trials WHERE study_id = ?', [
        studyId,
      ]);
      const number = last?.m === null || last?.m === undefined ? 0 : Number(last.m) + 1;
      const now = Date.now();
      await tx.run(
        `INSERT INTO tuning_trials
           (study_id, number, state, params, value, metrics, intermediate, owner, start_time, heartbeat_time)
         VALUES (?, ?, 'RUNNING', '{}', NULL, '{}', '[]', ?, ?, ?)`,
        [studyId, number, owner, now, now],
      );
      return { number, reaped };
    });
  }

  private async reapStale(tx: SqlExecutor, studyId: number, staleBefore: number): Promise<TrialRecord[]> {
    const rows = await tx.all<TrialRow>(
      `SELECT ${TRIAL_COLUMNS} FROM tuning_trials WHERE study_id = ? AND state = 'RUNNING' AND heartbeat_time < ?`,
      [studyId, staleBefore],
    );
    if (rows.length === 0) return [];
    const now = Date.now();
    await tx.run(
      `UPDATE tuning_trials SET state = 'STALE', error = ?, end_time = ?
       WHERE study_id = ? AND state = 'RUNNING' AND heartbeat_time < ?`,
      [STALE_ERROR, now, studyId, staleBefore],
    );
    return rows.map((r) => ({ ...toTrial(r), state: 'STALE' as const, error: STALE_ERROR, endTime: now }));
  }

  async startTrial(studyId: number, number: number, params: ParamSet, runId: string | null): Promise<void> {
    await this.db.run('UPDATE tuning_trials SET params = ?, run_id = ? WHERE study_id = ? AND number = ?', [
      encodeJson(params),
      runId,
      studyId,
      number,
    ]);
  }

  async heartbeat(studyId: number, numbers: readonly number[]): Promise<void> {
    if (numbers.length === 0) return;
    await this.db.run(
      `UPDATE tuning_trials SET heartbeat_time = ?
       WHERE study_id = ? AND state = 'RUNNING' AND number IN (${placeholders(numbers.length)})`,
      [Date.now(), studyId, ...numbers],
    );
  }

  async finishTrial(studyId: number, number: number, outcome: TrialOutcome): Promise<void> {
    // A trial reaped as STALE keeps that state: its budget slot was already handed to another claim.
    await this.db.run(
      `UPDATE tuning_trials SET state = ?, value = ?, metrics = ?, intermediate = ?, error = ?, end_time = ?
       WHERE study_id = ? AND number = ? AND state = 'RUNNING'`,
      [
        outcome.state,
        Number.isNaN(outcome.value) ? null : outcome.value,
        encodeJson(outcome.metrics),
        encodeJson(outcome.intermediate),
        outcome.error,
        Date.now(),
        studyId,
        number,
      ],
    );
  }

  async trials(studyId: number): Promise<TrialRecord[]> {
    const rows = await this.db.all<TrialRow>(
      `SELECT ${TRIAL_COLUMNS} FROM tuning_trials WHERE study_id = ? ORDER BY number`,
      [studyId],
    );
    return rows.map(toTrial);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** Opens (and migrates) the study tables in the database a `sqlite:///…` or `postgresql://…` URI names. */
export async function openSqlStudyStorage(uri: string): Promise<SqlStudyStorage> {
  const parsed = parseTrackingStoreUri(uri);
  let db: SqlDatabase;
  if (parsed.kind === 'sqlite') {
    if (parsed.filename !== ':memory:') mkdirSync(dirname(parsed.filename), { recursive: true });
    db = await openSqliteDatabase(parsed.filename);
  } else {
    db = new PostgresDatabase(parsed.connectionString, 3);
  }
  try {
    await migrate(db, TUNING_MIGRATIONS);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return new SqlStudyStorage(db);
}
