// Hyper-parameter tuning as MLflow users run it with Hyperopt or Optuna: a parent run, one nested
// run per trial, `workers` trials at a time in this process, and optionally a named study shared
// through a database with other processes. Each worker loops claim → ask → run → tell until the
// study's budget is spent; the sampler asks with every finished trial of the study in view.
import { hostname } from 'node:os';
import type { CairnClient } from '../../client/cairn-client.js';
import { InvalidParameter } from '../../core/errors.js';
import { type MedianPruner, type ParamSet, TrialPruned } from '../../learn/index.js';
import type { Direction } from '../../learn/model-selection/tpe/median-pruner.js';
import { MemoryStudyStorage } from './memory-study-storage.js';
import {
  createSampler,
  type ObservedTrial,
  SAMPLER_NAMES,
  type Sampler,
  type SamplerName,
  type TpeSettings,
} from './samplers.js';
import { type SearchSpace, spaceSignature } from './search-space.js';
import { finishStudy } from './study-finish.js';
import { bestOf, type StudyRecord, type StudyStorage, type TrialOutcome, type TrialRecord } from './study-storage.js';
import { paramsOf, recordTrialRun, TAG } from './trial-runs.js';

export interface TrialContext {
  readonly number: number;
  /** The trial's nested run, for the objective to log more (artifacts, extra metrics). */
  readonly runId: string;
  readonly parentRunId: string;
  /** Records an intermediate value (e.g. the running CV score after fold `step`) for the pruner. */
  report(value: number, step: number): void;
  /** Whether the pruner would stop this trial at its last reported step. */
  shouldPrune(): boolean;
  /** Throws TrialPruned when shouldPrune() is true; the trial is then recorded as PRUNED. */
  pruneIfNeeded(): void;
}

export interface ObjectiveResult {
  /** Everything to log on the trial's run (e.g. CV means of each scorer). */
  metrics: Record<string, number>;
  /** The value the search optimises (e.g. metrics.roc_auc). */
  primary: number;
}

export type Objective = (params: ParamSet, ctx: TrialContext) => Promise<ObjectiveResult> | ObjectiveResult;

export interface TuneProgress {
  trial: TrialRecord;
  /** Trials this process has finished. */
  finished: number;
  maxEvals: number;
  /** Best trial this process has seen so far (its own and other processes'). */
  best: TrialRecord | undefined;
}

export interface TuneOptions {
  client: CairnClient;
  experimentId: string;
  objective: Objective;
  space: SearchSpace;
  sampler: SamplerName;
  /** Trials of the whole study (all processes), failed ones included; grid stops earlier when smaller. */
  maxEvals: number;
  direction: Direction;
  /** Name of the primary metric; default 'objective'. */
  metric?: string;
  /** Trials run at a time in this process; default 1 (then results are deterministic for a seed). */
  workers?: number;
  seed?: number;
  /** A study shared by processes through a database (see openStudyStorage); default: this call only. */
  study?: { name: string; storage: StudyStorage };
  parentRunName?: string;
  parentTags?: Record<string, string>;
  pruner?: MedianPruner;
  tpe?: TpeSettings;
  /** How often running trials tell the study they are alive; default 10 s. */
  heartbeatMs?: number;
  /** A RUNNING trial with no heartbeat for this long is marked STALE (its process died); default 5 min. */
  staleAfterMs?: number;
  onProgress?: (progress: TuneProgress) => void;
}

/** What a sampler saw when it chose a trial's parameters. */
export interface AskRecord {
  number: number;
  observedTrials: number;
}

export interface TuningResult {
  study: string;
  parentRunId: string;
  direction: Direction;
  metric: string;
  sampler: SamplerName;
  /** Every trial of the study, by number (other processes' too): the search history to plot. */
  trials: TrialRecord[];
  best: TrialRecord | undefined;
  /** Trials this process ran, with what their sampler saw. */
  asked: AskRecord[];
  /** True when the study's budget is spent and no trial is running: the parent run is finished. */
  complete: boolean;
}

function checkOptions(o: TuneOptions): void {
  if (!Number.isInteger(o.maxEvals) || o.maxEvals < 1)
    throw new InvalidParameter(`maxEvals must be an integer >= 1, got ${o.maxEvals}`);
  const workers = o.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1)
    throw new InvalidParameter(`workers must be an integer >= 1, got ${workers}`);
  if (o.direction !== 'maximize' && o.direction !== 'minimize')
    throw new InvalidParameter(`direction must be 'maximize' or 'minimize', got '${String(o.direction)}'`);
  if (!SAMPLER_NAMES.includes(o.sampler))
    throw new InvalidParameter(`sampler must be one of ${SAMPLER_NAMES.join(', ')}, got '${String(o.sampler)}'`);
  if (o.study && !/^[\w.:-]{1,256}$/.test(o.study.name))
    throw new InvalidParameter(`study name must be 1-256 letters, digits, '_', '-', '.' or ':', got '${o.study.name}'`);
}

export async function tune(o: TuneOptions): Promise<TuningResult> {
  checkOptions(o);
  const seed = o.seed ?? 0;
  const metric = o.metric ?? 'objective';
  let sampler: Sampler;
  try {
    sampler = createSampler(o.sampler, o.space, seed, o.tpe);
  } catch (error) {
    throw new InvalidParameter((error as Error).message);
  }
  const storage = o.study?.storage ?? new MemoryStudyStorage();
  const name = o.study?.name ?? o.parentRunName ?? `tune-${o.sampler}`;
  const study = await storage.openStudy({
    name,
    direction: o.direction,
    sampler: o.sampler,
    seed,
    metric,
    space: spaceSignature(o.space),
    experimentId: o.experimentId,
  });
  const parentRunId = await parentRun(o, storage, study, metric);
  const search = new Search(o, storage, study, sampler, parentRunId, metric);
  await search.run();
  const { trials, best, complete } = await finishStudy(o.client, storage, study, parentRunId, search.budget);
  return {
    study: study.name,
    parentRunId,
    direction: o.direction,
    metric,
    sampler: o.sampler,
    trials,
    best,
    asked: search.asked.sort((a, b) => a.number - b.number),
    complete,
  };
}

/** The study's parent run: created by the first process, joined (and reopened if finished) by the rest. */
async function parentRun(o: TuneOptions, storage: StudyStorage, study: StudyRecord, metric: string): Promise<string> {
  if (study.parentRunId) {
    const run = await o.client.getRun(study.parentRunId);
    if (run.info.status !== 'RUNNING') await o.client.updateRun(study.parentRunId, { status: 'RUNNING' });
    await o.client.setTag(study.parentRunId, TAG.maxEvals, o.maxEvals);
    return study.parentRunId;
  }
  const run = await o.client.createRun(o.experimentId, {
    runName: o.parentRunName ?? study.name,
    tags: {
      ...o.parentTags,
      [TAG.role]: 'parent',
      [TAG.study]: study.name,
      [TAG.sampler]: study.sampler,
      [TAG.direction]: study.direction,
      [TAG.metric]: metric,
      [TAG.maxEvals]: o.maxEvals,
    },
  });
  const id = run.info.runId;
  const holder = await storage.setParentRun(study.id, id);
  if (holder !== id) {
    // another process created the study's parent first: nest under theirs
    await o.client.deleteRun(id);
    return holder;
  }
  await o.client.logBatch(id, {
    params: paramsOf({ sampler: study.sampler, seed: study.seed, direction: study.direction, metric }, 'tuning_'),
  });
  return id;
}

class Search {
  readonly asked: AskRecord[] = [];
  readonly budget: number;
  private readonly owner = `${hostname()}:${process.pid}`;
  private readonly running = new Set<number>();
  private finished = 0;
  private stopped = false;
  private best: TrialRecord | undefined;

  constructor(
    private readonly o: TuneOptions,
    private readonly storage: StudyStorage,
    private readonly study: StudyRecord,
    private readonly sampler: Sampler,
    private readonly parentRunId: string,
    private readonly metric: string,
  ) {
    this.budget = Math.min(o.maxEvals, sampler.capacity);
  }

  async run(): Promise<void> {
    const heartbeat = setInterval(() => {
      this.storage.heartbeat(this.study.id, [...this.running]).catch(() => undefined);
    }, this.o.heartbeatMs ?? 10_000);
    heartbeat.unref();
    try {
      await Promise.all(Array.from({ length: this.o.workers ?? 1 }, () => this.worker()));
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async worker(): Promise<void> {
    for (;;) {
      const staleBefore = Date.now() - (this.o.staleAfterMs ?? 300_000);
      if (this.stopped) return;
      const claim = await this.storage.claimTrial(this.study.id, this.budget, this.owner, staleBefore);
      if (!claim) return;
      this.running.add(claim.number);
      try {
        for (const t of claim.reaped) await recordTrialRun(this.o.client, t, this.metric, this.parentRunId);
        await this.runTrial(claim.number);
      } catch (error) {
        // the tracking store or the study's database failed (the objective's errors never get here):
        // stop claiming, and leave the trial FAILED rather than RUNNING until it goes stale
        this.stopped = true;
        const failed: TrialOutcome = {
          state: 'FAILED',
          value: NaN,
          metrics: {},
          intermediate: [],
          error: String(error),
        };
        await this.storage.finishTrial(this.study.id, claim.number, failed).catch(() => undefined);
        throw error;
      } finally {
        this.running.delete(claim.number);
      }
    }
  }

  private async runTrial(number: number): Promise<void> {
    const history = await this.storage.trials(this.study.id);
    const observed: ObservedTrial[] = [];
    for (const t of history)
      if (t.state === 'COMPLETE' || t.state === 'PRUNED')
        observed.push({ number: t.number, state: t.state, value: t.value, params: t.params });
    this.asked.push({ number, observedTrials: observed.length });
    const params = this.sampler.ask(number, observed, this.study.direction);
    const run = await this.o.client.createRun(this.o.experimentId, {
      runName: `trial-${number}`,
      tags: {
        [TAG.parentRunId]: this.parentRunId,
        [TAG.role]: 'trial',
        [TAG.study]: this.study.name,
        [TAG.trialNumber]: number,
        [TAG.observedTrials]: observed.length,
        [TAG.owner]: this.owner,
      },
    });
    const runId = run.info.runId;
    await this.storage.startTrial(this.study.id, number, params, runId);
    await this.o.client.logBatch(runId, { params: paramsOf(params) });
    const completed = history.filter((t) => t.state === 'COMPLETE').map((t) => new Map(t.intermediate));
    const outcome = await this.evaluate(number, params, runId, completed);
    await this.storage.finishTrial(this.study.id, number, outcome);
    const trial: TrialRecord = {
      ...outcome,
      number,
      params,
      runId,
      owner: this.owner,
      startTime: Number(run.info.startTime ?? Date.now()), // a run this process just created: well within 2^53
      endTime: Date.now(),
    };
    await recordTrialRun(this.o.client, trial, this.metric, this.parentRunId);
    this.finished++;
    this.best = bestOf(
      [trial, ...(this.best ? [this.best] : []), ...history].sort((a, b) => a.number - b.number),
      this.study.direction,
    );
    this.o.onProgress?.({ trial, finished: this.finished, maxEvals: this.budget, best: this.best });
  }

  /** Runs the objective; an error becomes a FAILED outcome (the search goes on), TrialPruned a PRUNED one. */
  private async evaluate(
    number: number,
    params: ParamSet,
    runId: string,
    completed: Map<number, number>[],
  ): Promise<TrialOutcome> {
    const intermediate = new Map<number, number>();
    let lastStep: number | undefined;
    const { pruner } = this.o;
    const direction = this.study.direction;
    const ctx: TrialContext = {
      number,
      runId,
      parentRunId: this.parentRunId,
      report(value, step) {
        if (!Number.isInteger(step) || step < 0)
          throw new RangeError(`trial.report: step must be an integer >= 0, got ${step}`);
        intermediate.set(step, value);
        lastStep = step;
      },
      shouldPrune() {
        if (!pruner || lastStep === undefined) return false;
        return pruner.shouldPrune(intermediate.get(lastStep)!, lastStep, completed, direction);
      },
      pruneIfNeeded() {
        if (this.shouldPrune()) throw new TrialPruned(lastStep);
      },
    };
    const reported = (): [number, number][] => [...intermediate].sort((a, b) => a[0] - b[0]);
    try {
      const result = await this.o.objective({ ...params }, ctx);
      checkResult(result);
      return {
        state: 'COMPLETE',
        value: result.primary,
        metrics: result.metrics,
        intermediate: reported(),
        error: null,
      };
    } catch (error) {
      if (error instanceof TrialPruned || (error as Error)?.name === 'TrialPruned') {
        const value = lastStep === undefined ? NaN : intermediate.get(lastStep)!;
        return { state: 'PRUNED', value, metrics: {}, intermediate: reported(), error: null };
      }
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return { state: 'FAILED', value: NaN, metrics: {}, intermediate: reported(), error: message };
    }
  }
}

function checkResult(result: ObjectiveResult): void {
  if (typeof result !== 'object' || result === null || typeof result.metrics !== 'object' || result.metrics === null)
    throw new TypeError('the objective must return { metrics: Record<string, number>, primary: number }');
  if (typeof result.primary !== 'number' || !Number.isFinite(result.primary))
    throw new TypeError(`the objective's primary value must be a finite number, got ${String(result.primary)}`);
  for (const [k, v] of Object.entries(result.metrics))
    if (typeof v !== 'number') throw new TypeError(`the objective's metric "${k}" must be a number, got ${typeof v}`);
}
