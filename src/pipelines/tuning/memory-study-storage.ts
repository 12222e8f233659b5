// A study held in this process: the storage of a `tune` call without `--study` (one process, any
// number of workers). Every call runs to completion before another starts, so claims are atomic.
import type { ParamSet } from '../../learn/index.js';
import { InvalidParameter } from '../../core/errors.js';
import type { Claim, StudyRecord, StudySettings, StudyStorage, TrialOutcome, TrialRecord } from './study-storage.js';
import { checkSameSettings } from './study-settings.js';

export class MemoryStudyStorage implements StudyStorage {
  private readonly studies: StudyRecord[] = [];
  private readonly trialLists = new Map<number, TrialRecord[]>();
  private readonly heartbeats = new Map<string, number>();

  async openStudy(settings: StudySettings): Promise<StudyRecord> {
    const existing = this.studies.find((s) => s.name === settings.name);
    if (existing) {
      checkSameSettings(existing, settings);
      return { ...existing };
    }
    const study: StudyRecord = { ...settings, id: this.studies.length + 1, parentRunId: null };
    this.studies.push(study);
    this.trialLists.set(study.id, []);
    return { ...study };
  }

  async setParentRun(studyId: number, runId: string): Promise<string> {
    const study = this.study(studyId);
    study.parentRunId ??= runId;
    return study.parentRunId;
  }

  async claimTrial(studyId: number, maxEvals: number, owner: string, staleBefore: number): Promise<Claim | null> {
    const list = this.list(studyId);
    const reaped: TrialRecord[] = [];
    for (const t of list) {
      if (t.state === 'RUNNING' && (this.heartbeats.get(`${studyId}:${t.number}`) ?? 0) < staleBefore) {
        t.state = 'STALE';
        t.error = 'no heartbeat: the process running this trial stopped';
        t.endTime = Date.now();
        reaped.push({ ...t });
      }
    }
    if (list.filter((t) => t.state !== 'STALE').length >= maxEvals) return null;
    const number = list.length;
    const now = Date.now();
    list.push({
      number,
      state: 'RUNNING',
      params: {},
      value: NaN,
      metrics: {},
      intermediate: [],
      runId: null,
      owner,
      error: null,
      startTime: now,
      endTime: null,
    });
    this.heartbeats.set(`${studyId}:${number}`, now);
    return { number, reaped };
  }

  async startTrial(studyId: number, number: number, params: ParamSet, runId: string | null): Promise<void> {
    const t = this.trial(studyId, number);
    t.params = { ...params };
    t.runId = runId;
  }

  async heartbeat(studyId: number, numbers: readonly number[]): Promise<void> {
    const now = Date.now();
    for (const n of numbers) this.heartbeats.set(`${studyId}:${n}`, now);
  }

  async finishTrial(studyId: number, number: number, outcome: TrialOutcome): Promise<void> {
    const t = this.trial(studyId, number);
    if (t.state !== 'RUNNING') return; // reaped as STALE meanwhile: the claim that reaped it owns its record
    Object.assign(t, { ...outcome, metrics: { ...outcome.metrics }, endTime: Date.now() });
  }

  async trials(studyId: number): Promise<TrialRecord[]> {
    return this.list(studyId).map((t) => ({ ...t, params: { ...t.params }, intermediate: [...t.intermediate] }));
  }

  async close(): Promise<void> {}

  private study(studyId: number): StudyRecord {
    const s = this.studies.find((x) => x.id === studyId);
    if (!s) throw new InvalidParameter(`No study with id ${studyId}`);
    return s;
  }

  private list(studyId: number): TrialRecord[] {
    this.study(studyId);
    return this.trialLists.get(studyId)!;
  }

  private trial(studyId: number, number: number): TrialRecord {
    const t = this.list(studyId)[number];
    if (!t) throw new InvalidParameter(`Study ${studyId} has no trial ${number}`);
    return t;
  }
}
