// Builds a forest's trees by index: tree t depends only on (data, weights, params, seeds[t]), so
// the forest is the same whichever thread builds which tree. Threads take the next unbuilt tree
// from a shared counter, so a thread slowed by other load simply builds fewer trees.
import { Rng } from '../core/random.js';
import type { FlatTree } from '../tree/flat-tree.js';
import { SklearnRandR } from '../tree/sklearn-rng.js';
import { buildTree, TreeWorkspace, type TreeBuildParams } from '../tree/tree-builder.js';
import type { TreeTrainingData } from '../tree/training-data.js';

export interface ForestJob {
  data: TreeTrainingData;
  /** Class and sample weights per row (before bootstrap counts). */
  baseWeights: Float64Array;
  params: TreeBuildParams;
  bootstrap: boolean;
  /** One seed per tree of the forest. */
  seeds: number[];
  /** Shared counter of the next tree to build (threads claim trees with Atomics.add); absent = build all. */
  next?: Int32Array;
}

export interface BuiltTrees {
  indices: number[];
  trees: FlatTree[];
}

/** Bootstrap counts of n draws with replacement, seeded per tree. */
export function bootstrapWeights(baseWeights: Float64Array, seed: number, out: Float64Array): Float64Array {
  const n = baseWeights.length;
  out.fill(0);
  const rng = new Rng(seed);
  for (let k = 0; k < n; k++) out[rng.int(n)] += 1;
  for (let i = 0; i < n; i++) out[i] *= baseWeights[i];
  return out;
}

export function buildForestTrees(job: ForestJob): BuiltTrees {
  const ws = new TreeWorkspace(job.data);
  const weights = new Float64Array(job.data.nRows);
  const out: BuiltTrees = { indices: [], trees: [] };
  let local = 0;
  for (;;) {
    const t = job.next ? Atomics.add(job.next, 0, 1) : local++;
    if (t >= job.seeds.length) break;
    const seed = job.seeds[t];
    const w = job.bootstrap ? bootstrapWeights(job.baseWeights, seed, weights) : job.baseWeights;
    out.indices.push(t);
    out.trees.push(buildTree(ws, w, job.params, SklearnRandR.fromSeed(seed)));
  }
  return out;
}
