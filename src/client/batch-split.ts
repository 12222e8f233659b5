// MLflow's log-batch limits applied to a client-side batch: how many metrics fit beside the params
// and tags of one request, and a whole batch split into requests that each fit, order kept.
import type { Metric, Param, Tag } from '../tracking/entities.js';
import { MAX_ENTITIES_PER_BATCH, MAX_METRICS_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH } from '../tracking/validation.js';

export interface BatchParts {
  metrics: Metric[];
  params: Param[];
  tags: Tag[];
}

/** Metrics that still fit in a request already holding `params` params and `tags` tags. */
export function metricRoom(params: number, tags: number): number {
  return Math.min(MAX_METRICS_PER_BATCH, MAX_ENTITIES_PER_BATCH - params - tags);
}

/** Requests within the limits; params and tags go first, metrics fill the remaining room. */
export function splitBatch(parts: Partial<BatchParts>): BatchParts[] {
  const { metrics = [], params = [], tags = [] } = parts;
  const out: BatchParts[] = [];
  let [m, p, t] = [0, 0, 0];
  while (m < metrics.length || p < params.length || t < tags.length) {
    const ps = params.slice(p, p + MAX_PARAMS_TAGS_PER_BATCH);
    const ts = tags.slice(t, t + MAX_PARAMS_TAGS_PER_BATCH);
    const ms = metrics.slice(m, m + metricRoom(ps.length, ts.length));
    [m, p, t] = [m + ms.length, p + ps.length, t + ts.length];
    out.push({ metrics: ms, params: ps, tags: ts });
  }
  return out;
}
