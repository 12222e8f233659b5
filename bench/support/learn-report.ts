// Markdown for BENCHMARKS.md from the learn benchmark's Cairn results and the anchor's results.
import type { AnchorResults } from './learn-anchor.js';
import type { CvSummary } from './learn-cv.js';
import { MODEL_NAMES, MODEL_SPECS } from './learn-models.js';

export interface CairnResults {
  environment: { node: string; cpu: string; nproc: number; mem_gib: number; platform: string };
  started_at: string;
  finished_at?: string;
  datasets: Record<
    string,
    {
      rows: number;
      positives: number;
      foldsMatchSklearn?: boolean;
      models: Record<string, { summary?: CvSummary; loadavg_1m?: number[]; error?: string }>;
    }
  >;
  scaled?: {
    rows: number;
    positives: number;
    models: Record<
      string,
      {
        fit_s?: { median: number; runs: number[] };
        predict_proba_all_rows_s?: { median: number; runs: number[] };
        error?: string;
      }
    >;
  };
}

/** Single-record pipeline latency target (impute + one-hot + RF-100), ms. */
export const SINGLE_RECORD_TARGET_MS = 0.1;

const f3 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(3));
const ms = (s: number | undefined, d = 1) => (s === undefined ? '–' : (s * 1000).toFixed(d));
const speedup = (anchor: number | undefined, cairn: number | undefined) =>
  anchor === undefined || cairn === undefined || cairn <= 0 ? '–' : `${(anchor / cairn).toFixed(2)}×`;
const pm = (m: { mean: number; std: number } | undefined) => (m ? `${f3(m.mean)} ± ${f3(m.std)}` : '–');

export interface RenderOptions {
  repeats: number;
  loadGuard: string;
  anchorSource?: string;
  /** The shared, idle-machine anchor results (shared/anchors/ml/results.json), for context. */
  reference?: AnchorResults;
}

export function renderMarkdown(c: CairnResults, a: AnchorResults | undefined, opts: RenderOptions): string {
  const L: string[] = [];
  const env = c.environment;
  L.push(`## learn: Cairn vs scikit-learn / XGBoost (${c.started_at.slice(0, 16).replace('T', ' ')} UTC)`);
  L.push('');
  L.push(`- machine: ${env.nproc} CPUs \`${env.cpu}\`, ${env.mem_gib} GiB, ${env.platform}; Node ${env.node}`);
  if (a?.environment) {
    const e = a.environment as Record<string, string>;
    L.push(
      `- anchor: python ${e.python}, scikit-learn ${e.sklearn}, xgboost ${e.xgboost}, pandas ${e.pandas}, numpy ${e.numpy}; ` +
        `${opts.anchorSource === 'run' ? 'run in this invocation' : `read from ${opts.anchorSource}`} (${a.generated_at ?? '?'} UTC)` +
        `${opts.anchorSource === 'run' ? `, load guard ${opts.loadGuard}` : ''}`,
    );
  } else L.push('- anchor: not run (--skip-anchor); Cairn figures only');
  L.push(
    '- protocol: shared/anchors/ml/sklearn_baselines.py — same drops, numeric (median impute, + StandardScaler for LR/KNN) and categorical (most-frequent impute + one-hot, unknown ignored) columns; ' +
      "StratifiedKFold(5, shuffle, seed 42) with **the same fold indices as scikit-learn** (Cairn reproduces numpy's RandomState shuffle); class-1 metrics at proba > 0.5; " +
      `metrics from the first repeat; timings = median over ${opts.repeats} repeat(s) of the per-fold mean (anchor: 3).`,
  );
  L.push(
    '- speed-up = anchor time ÷ Cairn time (> 1: Cairn faster). single-row = one predictProba call on a 1-row Frame (anchor: 1-row DataFrame); ' +
      'fast path = serving-style record → `recordToRowInto` → `Pipeline.predictProbaRow`, mean per call.',
  );
  if (opts.reference) {
    L.push(
      `- "ref" columns: the anchor's published figures (shared/anchors/ml/results.json, ${opts.reference.generated_at ?? '?'} UTC, measured on an idle machine); ` +
        "when other processes loaded the CPUs during this run's anchor blocks (share shown under each table), the ref speed-up is the fairer one.",
    );
  }
  L.push('');
  for (const [ds, d] of Object.entries(c.datasets)) {
    const ad = a?.baselines?.[ds];
    L.push(
      `### ${ds} (${d.rows} rows, ${d.positives} positives; test folds identical to scikit-learn's: ${d.foldsMatchSklearn === undefined ? 'not checked' : d.foldsMatchSklearn ? 'yes' : 'NO'})`,
    );
    L.push('');
    L.push(
      '| model | ROC-AUC Cairn | ROC-AUC anchor | accuracy Cairn | accuracy anchor | F1(1) Cairn | F1(1) anchor |',
    );
    L.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const m of MODEL_NAMES) {
      const r = d.models[m];
      if (!r) continue;
      const am = ad?.models?.[m];
      if (r.error) {
        L.push(
          `| ${m} | ${r.error} | ${am ? pm(am.roc_auc) : '–'} |  | ${am ? pm(am.accuracy) : '–'} |  | ${am ? pm(am.f1) : '–'} |`,
        );
        continue;
      }
      const s = r.summary!;
      L.push(
        `| ${m} | ${pm(s.metrics.roc_auc)} | ${am ? pm(am.roc_auc) : '–'} | ${pm(s.metrics.accuracy)} | ${am ? pm(am.accuracy) : '–'} | ${pm(s.metrics.f1)} | ${am ? pm(am.f1) : '–'} |`,
      );
    }
    L.push('');
    const rd = opts.reference?.baselines?.[ds];
    L.push(
      '| model | fit ms Cairn | fit ms anchor | fit speed-up | fit ms ref | fit speed-up vs ref | batch predict ms Cairn | anchor | speed-up | per row µs Cairn | anchor | single-row ms Cairn | anchor | speed-up | single-row speed-up vs ref | fast path ms (p50 / p99) |',
    );
    L.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const m of MODEL_NAMES) {
      const r = d.models[m];
      if (!r?.summary) continue;
      const t = r.summary.timings;
      const am = ad?.models?.[m];
      const rm = rd?.models?.[m];
      L.push(
        `| ${m} | ${ms(t.fit_s.median_of_repeats)} | ${ms(am?.fit_s.median_of_repeats)} | ${speedup(am?.fit_s.median_of_repeats, t.fit_s.median_of_repeats)} ` +
          `| ${ms(rm?.fit_s.median_of_repeats)} | ${speedup(rm?.fit_s.median_of_repeats, t.fit_s.median_of_repeats)} ` +
          `| ${ms(t.predict_batch_s.median_of_repeats, 2)} | ${ms(am?.predict_batch_s.median_of_repeats, 2)} | ${speedup(am?.predict_batch_s.median_of_repeats, t.predict_batch_s.median_of_repeats)} ` +
          `| ${t.per_row_batch_us.median_of_repeats.toFixed(2)} | ${am ? am.per_row_batch_us.median_of_repeats.toFixed(1) : '–'} ` +
          `| ${t.single_row_ms.median_of_repeats.toFixed(3)} | ${am ? am.single_row_ms.median_of_repeats.toFixed(3) : '–'} | ${speedup(am?.single_row_ms.median_of_repeats, t.single_row_ms.median_of_repeats)} ` +
          `| ${speedup(rm?.single_row_ms.median_of_repeats, t.single_row_ms.median_of_repeats)} ` +
          `| ${r.summary.fastPath.p50_ms.toFixed(4)} / ${r.summary.fastPath.p99_ms.toFixed(4)} |`,
      );
    }
    if (ad) {
      const loads = Object.entries(ad.models).map(
        ([m, x]) => `${m} ${x.machine_load?.foreign_share_of_all_cpus?.toFixed(2) ?? '?'}`,
      );
      L.push('');
      L.push(
        `Anchor blocks' other-process CPU share: ${loads.join(', ')}. Cairn 1-min load average per model: ` +
          Object.entries(d.models)
            .filter(([, x]) => x.loadavg_1m)
            .map(([m, x]) => `${m} ${x.loadavg_1m![0].toFixed(2)}`)
            .join(', ') +
          '.',
      );
    }
    L.push('');
  }
  if (c.scaled) {
    const as = a?.scaled_stroke;
    L.push(
      `### Scaled: stroke tiled to ${c.scaled.rows.toLocaleString('en-US')} rows (${c.scaled.positives} positives), full pipeline fit on all rows, median of 3`,
    );
    L.push('');
    const rs = opts.reference?.scaled_stroke;
    L.push(
      '| model | fit s Cairn (runs) | fit s anchor | fit speed-up | fit s ref | fit speed-up vs ref | predict_proba all rows s Cairn | anchor | speed-up |',
    );
    L.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const [m, r] of Object.entries(c.scaled.models)) {
      const am = as?.models?.[m];
      const rm = rs?.models?.[m];
      if (r.error) {
        L.push(`| ${m} | ${r.error} | ${am ? f3(am.fit_s.median) : '–'} |  |  |  |  |  |  |`);
        continue;
      }
      L.push(
        `| ${m} (${MODEL_SPECS[m as keyof typeof MODEL_SPECS].className}) | ${f3(r.fit_s!.median)} (${r.fit_s!.runs.map(f3).join(', ')}) | ${am ? f3(am.fit_s.median) : '–'} | ${speedup(am?.fit_s.median, r.fit_s!.median)} ` +
          `| ${rm ? f3(rm.fit_s.median) : '–'} | ${speedup(rm?.fit_s.median, r.fit_s!.median)} ` +
          `| ${f3(r.predict_proba_all_rows_s!.median)} | ${am ? f3(am.predict_proba_all_rows_s.median) : '–'} | ${speedup(am?.predict_proba_all_rows_s.median, r.predict_proba_all_rows_s!.median)} |`,
      );
    }
    L.push('');
    L.push(
      "Jitter: N(0, (0.01·sd)²) on age / avg_glucose_level / bmi from Cairn's Rng(42) (the anchor uses numpy's default_rng(42)): same distribution, different draws.",
    );
    L.push('');
  }
  L.push(`### Single-record pipeline latency (impute + one-hot + RF-100, target ≤ ${SINGLE_RECORD_TARGET_MS} ms)`);
  L.push('');
  L.push('| data set | model | calls | p50 ms | p99 ms | mean ms | anchor single-row ms | target met (p50) |');
  L.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [ds, d] of Object.entries(c.datasets)) {
    for (const m of ['RandomForest_n_jobs1', 'RandomForest_n_jobs2']) {
      const s = d.models[m]?.summary;
      if (!s) continue;
      const am = a?.baselines?.[ds]?.models?.[m];
      L.push(
        `| ${ds} | ${m} | ${s.fastPath.calls} | ${s.fastPath.p50_ms.toFixed(4)} | ${s.fastPath.p99_ms.toFixed(4)} | ${s.fastPath.mean_ms.toFixed(4)} | ${am ? am.single_row_ms.median_of_repeats.toFixed(3) : '–'} | ${s.fastPath.p50_ms <= SINGLE_RECORD_TARGET_MS ? 'yes' : 'no'} |`,
      );
    }
  }
  L.push('');
  return L.join('\n') + '\n';
}
