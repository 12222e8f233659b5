// Closing a study's parent run once its budget is spent and no trial is running, by whichever
// process sees that first (every such process computes the same best from the study's trials, so
// a second one only repeats the same writes): the best trial tagged on the parent and on its run,
// its params and metrics logged on the parent, and the parent finished.
import type { CairnClient } from '../../client/cairn-client.js';
import { bestOf, type StudyRecord, type StudyStorage, type TrialRecord } from './study-storage.js';
import { metricsOf, paramsOf, TAG, tag } from './trial-runs.js';

export interface StudyState {
  trials: TrialRecord[];
  best: TrialRecord | undefined;
  complete: boolean;
}

export async function finishStudy(
  client: CairnClient,
  storage: StudyStorage,
  study: StudyRecord,
  parentRunId: string,
  budget: number,
): Promise<StudyState> {
  const trials = await storage.trials(study.id);
  const best = bestOf(trials, study.direction);
  const counted = trials.filter((t) => t.state !== 'STALE').length;
  const complete = counted >= budget && !trials.some((t) => t.state === 'RUNNING');
  if (!complete) return { trials, best, complete };
  if (!best) {
    await client.setTag(parentRunId, TAG.error, `every trial failed or was pruned (${trials.length} trials)`);
    await client.setTerminated(parentRunId, 'FAILED');
    return { trials, best, complete };
  }
  await markBest(client, parentRunId, best, study.metric);
  await client.setTerminated(parentRunId, 'FINISHED');
  return { trials, best, complete };
}

async function markBest(client: CairnClient, parentRunId: string, best: TrialRecord, metric: string): Promise<void> {
  const parent = await client.getRun(parentRunId);
  const previous = parent.data.tags.find((t) => t.key === TAG.bestTrialRunId)?.value;
  if (previous && previous !== best.runId) {
    // a resumed study found a better trial: the old one is no longer the best
    await client.deleteTag(previous, TAG.best).catch(() => undefined);
  }
  if (best.runId) await client.setTag(best.runId, TAG.best, 'true');
  // Params cannot change once logged; a resumed study with a new best keeps the tags current instead.
  const logged = new Map(parent.data.params.map((p) => [p.key, p.value]));
  const params = paramsOf(best.params, 'best_').filter((p) => !logged.has(p.key));
  await client.logBatch(parentRunId, {
    params,
    metrics: metricsOf({ ...best.metrics, [metric]: best.value }, 'best_'),
    tags: [
      tag(TAG.bestTrialRunId, best.runId ?? ''),
      tag(TAG.bestTrialNumber, best.number),
      tag(TAG.bestParams, JSON.stringify(best.params)),
    ],
  });
}
