// Nested runs: children (tag mlflow.parentRunId) are shown under their parent when both are loaded;
// a child whose parent is not among the loaded rows stays a top-level row.
import type { Run } from '../api/types.js';

export const PARENT_TAG = 'mlflow.parentRunId';

export interface TreeRow {
  run: Run;
  depth: number;
  childCount: number;
}

export function parentOf(run: Run): string | undefined {
  return run.data.tags?.find((t) => t.key === PARENT_TAG)?.value;
}

/** Rows in server order, children right after their parent unless the parent is collapsed. */
export function flattenRunTree(runs: Run[], collapsed: ReadonlySet<string>): TreeRow[] {
  const ids = new Set(runs.map((r) => r.info.run_id));
  const children = new Map<string, Run[]>();
  const roots: Run[] = [];
  for (const run of runs) {
    const parent = parentOf(run);
    if (parent !== undefined && parent !== run.info.run_id && ids.has(parent)) {
      const list = children.get(parent);
      if (list) list.push(run);
      else children.set(parent, [run]);
    } else {
      roots.push(run);
    }
  }
  // runs whose parents form a cycle have no root above them: they become roots, never dropped
  const reached = new Set<string>();
  const reach = (run: Run) => {
    if (reached.has(run.info.run_id)) return;
    reached.add(run.info.run_id);
    for (const kid of children.get(run.info.run_id) ?? []) reach(kid);
  };
  for (const root of roots) reach(root);
  for (const run of runs) {
    if (reached.has(run.info.run_id)) continue;
    roots.push(run);
    reach(run);
  }

  const out: TreeRow[] = [];
  const seen = new Set<string>();
  const visit = (run: Run, depth: number) => {
    if (seen.has(run.info.run_id)) return; // a parent cycle cannot loop forever
    seen.add(run.info.run_id);
    const kids = children.get(run.info.run_id) ?? [];
    out.push({ run, depth, childCount: kids.length });
    if (!collapsed.has(run.info.run_id)) for (const kid of kids) visit(kid, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  return out;
}
