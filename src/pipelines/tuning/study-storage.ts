// Where a study's trials live: in this process (one `tune` call), or in a database shared by every
// process working on the same named study (as Optuna's RDB storage). The tuner talks to this
// interface only; claiming a trial number is the one step that must be atomic.
import type { ParamSet } from '../../learn/index.js';
import type { Direction } from '../../learn/model-selection/tpe/median-pruner.js';
import type { SamplerName } from './samplers.js';

/** RUNNING → COMPLETE | PRUNED | FAILED; STALE: its process stopped sending heartbeats (not counted). */
export type TrialState = 'RUNNING' | 'COMPLETE' | 'PRUNED' | 'FAILED' | 'STALE';

export interface TrialRecord {
  number: number;
  state: TrialState;
  params: ParamSet;
  /** The objective's primary value (COMPLETE), the last reported value (PRUNED), else NaN. */
  value: number;
  metrics: Record<string, number>;
  /** Values the objective reported while running (step → value), for the pruner and the charts. */
  intermediate: [step: number, value: number][];
  /** The trial's nested MLflow run. */
  runId: string | null;
  /** Which process ran it (host:pid). */
  owner: string;
  error: string | null;
  startTime: number;
  endTime: number | null;
}

/** What a study is fixed to when it is created; a process joining it must agree. */
export interface StudySettings {
  name: string;
  direction: Direction;
  sampler: SamplerName;
  seed: number;
  /** Name of the primary metric (what the objective's `primary` is). */
  metric: string;
  /** spaceSignature() of the search space. */
  space: string;
  experimentId: string;
}

export interface StudyRecord extends StudySettings {
  id: number;
  /** The parent run every trial nests under; set once by whichever process gets there first. */
  parentRunId: string | null;
}

export interface TrialOutcome {
  state: 'COMPLETE' | 'PRUNED' | 'FAILED';
  value: number;
  metrics: Record<string, number>;
  intermediate: [number, number][];
  error: string | null;
}

/** A claimed trial: its number is this process's alone; stale trials found while claiming come back too. */
export interface Claim {
  number: number;
  /** Trials of other processes that missed their heartbeat and were marked STALE in this claim. */
  reaped: TrialRecord[];
}

export interface StudyStorage {
  /** Creates the study, or loads it when it exists and `settings` agree (else InvalidParameter naming the field). */
  openStudy(settings: StudySettings): Promise<StudyRecord>;
  /** Records `runId` as the study's parent run unless one is set already; returns the one that holds. */
  setParentRun(studyId: number, runId: string): Promise<string>;
  /**
   * Atomically takes the next trial number when fewer than `maxEvals` trials (other than STALE ones)
   * exist, first marking RUNNING trials whose heartbeat is older than `staleBefore` as STALE.
   */
  claimTrial(studyId: number, maxEvals: number, owner: string, staleBefore: number): Promise<Claim | null>;
  /** Records the parameters (and the child run) of a claimed trial. */
  startTrial(studyId: number, number: number, params: ParamSet, runId: string | null): Promise<void>;
  heartbeat(studyId: number, numbers: readonly number[]): Promise<void>;
  finishTrial(studyId: number, number: number, outcome: TrialOutcome): Promise<void>;
  /** Every trial of the study, by number. */
  trials(studyId: number): Promise<TrialRecord[]>;
  close(): Promise<void>;
}

/** The best COMPLETE trial with a finite value (lowest number on ties), or undefined. */
export function bestOf(trials: readonly TrialRecord[], direction: Direction): TrialRecord | undefined {
  let best: TrialRecord | undefined;
  for (const t of trials) {
    if (t.state !== 'COMPLETE' || !Number.isFinite(t.value)) continue;
    if (!best || (direction === 'maximize' ? t.value > best.value : t.value < best.value)) best = t;
  }
  return best;
}
