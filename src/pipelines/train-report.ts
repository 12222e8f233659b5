// What `cairn train` and `cairn quickstart` print: the machine-readable document of --json, and the
// human summary (data notes, a table of models with CV mean ± std, what was registered and why it
// went or did not go to Production). On an imbalanced target class-1 metrics come first.
import { ACCURACY_WARNING } from './train-pipeline.js';
import { METRICS, type MetricName } from './evaluate.js';
import type { RegistrationResult } from './register-best.js';
import type { TrainResult } from './train-types.js';

const IMBALANCED_ORDER: MetricName[] = ['pr_auc', 'recall_1', 'precision_1', 'f1_1', 'roc_auc', 'accuracy'];
const BALANCED_ORDER: MetricName[] = ['roc_auc', 'accuracy', 'precision_1', 'recall_1', 'f1_1', 'pr_auc'];

export function metricOrder(imbalanced: boolean): MetricName[] {
  return imbalanced ? IMBALANCED_ORDER : BALANCED_ORDER;
}

const r4 = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(4)) : null);

export function registrationJson(reg: RegistrationResult | null): Record<string, unknown> | null {
  if (!reg) return null;
  return {
    name: reg.name,
    version: reg.version,
    run_id: reg.runId,
    model_family: reg.family,
    stage: reg.stage,
    policy_passed: reg.passed,
    policy_source: reg.policySource,
    failing_criteria: reg.failures,
    archived_versions: reg.archived,
    champion: reg.champion,
    message: reg.message,
    warnings: reg.warnings,
  };
}

/** The one document `--json` prints. */
export function trainJson(result: TrainResult, reg: RegistrationResult | null): Record<string, unknown> {
  return {
    dataset: {
      name: result.dataset.name,
      file: result.dataset.file,
      sha256: result.dataset.digest,
      rows: result.dataset.rows,
      file_rows: result.dataset.fileRows,
      positives: result.dataset.positives,
      target: result.dataset.target,
      positive_rule: result.dataset.positiveRule,
      numeric: result.dataset.numeric,
      categorical: result.dataset.categorical,
      inferred_columns: result.dataset.inferred,
      notes: result.dataset.notes,
    },
    experiment: { id: result.experimentId, name: result.experimentName },
    cv_folds: result.cvFolds,
    seed: result.seed,
    imbalanced: result.imbalanced,
    selection_metric: result.selectionMetric,
    reused_existing_runs: result.reused,
    models: result.models.map((m) => ({
      family: m.family,
      tuned: m.tuned === true,
      run_id: m.runId,
      run_name: m.runName,
      imbalance_handling: m.imbalance,
      decision_threshold: r4(m.threshold.value),
      cv: Object.fromEntries(METRICS.map((k) => [k, { mean: r4(m.cv[k].mean), std: r4(m.cv[k].std) }])),
      holdout: Object.fromEntries(METRICS.map((k) => [k, r4(m.holdout[k])])),
    })),
    best: { family: result.best.family, run_id: result.best.runId, tuned: result.best.tuned === true },
    tuning: tuningJson(result),
    registered: registrationJson(reg),
  };
}

/** The `tuning` section of --json: the search, its best trial, and whether it beat the baseline. */
export function tuningJson(result: TrainResult): Record<string, unknown> | null {
  const t = result.tuning;
  if (!t) return null;
  return {
    method: t.method,
    max_evals: t.maxEvals,
    workers: t.workers,
    study: t.study,
    family: t.family,
    metric: t.metric,
    trials: { finished: t.finished, failed: t.failed, pruned: t.pruned },
    parent_run_id: t.parentRunId,
    best_trial_run_id: t.bestTrialRunId,
    best_value: t.bestValue,
    best_params: t.bestParams,
    baseline_run_id: t.baselineRunId,
    baseline_value: t.baselineValue,
    won: t.won,
    tuned_run_id: t.tunedRunId,
    reused: t.reused,
  };
}

export function tuningText(result: TrainResult): string | null {
  const t = result.tuning;
  if (!t) return null;
  const f = (v: number | null) => (v === null || !Number.isFinite(v) ? '-' : v.toFixed(4));
  const lines = [
    `Tuning: ${t.family}, ${t.method}${t.study ? ` (study ${t.study})` : ''}, ${t.maxEvals} trials asked: ` +
      `${t.finished} finished, ${t.failed} failed, ${t.pruned} pruned${t.reused ? ' (found in the store)' : ''}; ` +
      `parent run ${t.parentRunId}`,
    `  best trial: CV ${t.metric} ${f(t.bestValue)} (run ${t.bestTrialRunId ?? '-'}) vs baseline ${f(t.baselineValue)} (run ${t.baselineRunId})`,
    t.won
      ? `  The tuned ${t.family} wins: fitted on the training split as run ${t.tunedRunId}, the candidate for registration.`
      : `  The baseline ${t.family} stays the best: no trial beat it.`,
  ];
  return lines.join('\n');
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}%`;

export function dataText(result: TrainResult): string {
  const d = result.dataset;
  const lines = [
    `Data: ${d.name} (${d.file}), ${d.rows} rows, ${d.positives} positive (${pct(d.positives, d.rows)}), ` +
      `target ${d.positiveRule}, sha256 ${d.digest.slice(0, 12)}…`,
  ];
  if (d.inferred.length > 0)
    lines.push(`  column types inferred: ${d.inferred.map((c) => `${c.column}=${c.kind}`).join(', ')}`);
  for (const n of d.notes) lines.push(`  - ${n}`);
  return lines.join('\n');
}

export function modelsText(result: TrainResult): string {
  const order = metricOrder(result.imbalanced);
  const cell = (mean: number, std: number) => `${mean.toFixed(3)} ± ${std.toFixed(3)}`;
  const rows = result.models.map((m) => [
    `${m.family}${m.tuned ? ' (tuned)' : ''}${m.runId === result.best.runId ? ' *' : ''}`,
    ...order.map((k) => cell(m.cv[k].mean, m.cv[k].std)),
    m.threshold.value.toFixed(3),
    m.runId,
  ]);
  const head = `Models (${result.cvFolds}-fold CV, mean ± std; * = best by ${result.selectionMetric}):`;
  const out = [head, table(['MODEL', ...order.map((k) => k.toUpperCase()), 'THRESHOLD', 'RUN ID'], rows)];
  if (result.imbalanced) {
    out.push(
      `Class-1 metrics are at each model's decision threshold, tuned on out-of-fold predictions for recall >= ${result.models[0]?.threshold.targetRecall ?? ''}.`,
    );
    out.push(ACCURACY_WARNING);
  }
  return out.join('\n');
}

export function registrationText(reg: RegistrationResult): string {
  const policy =
    reg.policySource === 'none'
      ? 'no Production policy'
      : `${reg.policySource === 'default' ? 'the default' : reg.policySource === 'file' ? 'the --policy' : 'its'} Production policy`;
  const lines = [
    `Registered: ${reg.name} v${reg.version} (${reg.family}, run ${reg.runId}) → ${reg.stage}, checked against ${policy}.`,
    `  ${reg.message}`,
  ];
  if (reg.policy && reg.passed === false) {
    lines.push('  Failing criteria (recorded on the version as tag cairn.promotion and in its description):');
    for (const f of reg.failures) lines.push(`    FAIL ${f}`);
  }
  if (reg.champion) lines.push(`  @champion → v${reg.version}`);
  for (const w of reg.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

export function trainText(result: TrainResult, reg: RegistrationResult | null): string {
  const parts = [dataText(result), modelsText(result)];
  const tuning = tuningText(result);
  if (tuning) parts.push(tuning);
  if (reg) parts.push(registrationText(reg));
  return parts.join('\n\n');
}
