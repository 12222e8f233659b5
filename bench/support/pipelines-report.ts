// Markdown of the pipelines benchmark: wall time per phase (median over repetitions) with the
// anchor ÷ Cairn ratio against the 5× target, and the CV ROC-AUC side by side against the 0.01
// target; misses are flagged, failures shown as failures.
import type { Phase, PhaseOutcome } from './pipelines-runs.js';

export const SPEED_TARGET = 5;
export const AUC_TOLERANCE = 0.01;

export interface ReportInput {
  startedAt: string;
  machine: string;
  reps: number;
  phases: Phase[];
  /** Side labels in table order; the first is the anchor when `hasAnchor`. */
  sides: string[];
  hasAnchor: boolean;
  outcomes: PhaseOutcome[];
  commands: string[];
  notes: string[];
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const f2 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(2));
const f4 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(4));

export function renderPipelines(r: ReportInput): string {
  const L: string[] = [];
  const anchor = r.hasAnchor ? r.sides[0] : '';
  L.push(`## pipelines: \`cairn train\` vs scikit-learn + XGBoost + Optuna + MLflow (${r.startedAt} UTC)`);
  L.push('');
  L.push(`- machine: ${r.machine}; ${r.reps} repetition(s), wall time = median; ROC-AUC from repetition 1`);
  for (const n of r.notes) L.push(`- ${n}`);
  L.push('');
  L.push(`### Wall time, end to end (process start to exit; target: anchor ÷ Cairn ≥ ${SPEED_TARGET}×)`);
  L.push('');
  L.push('| phase | side | wall s (median) | runs (s) | runs in store | anchor ÷ side | target met |');
  L.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const phase of r.phases) {
    const of = (side: string) => r.outcomes.filter((o) => o.phase === phase && o.side === side);
    const anchorOk = of(anchor).filter((o) => o.ok);
    const anchorS = anchorOk.length ? median(anchorOk.map((o) => o.wallS)) : undefined;
    for (const side of r.sides) {
      const all = of(side);
      if (all.length === 0) continue;
      const ok = all.filter((o) => o.ok);
      if (ok.length < all.length) {
        const err = all.find((o) => !o.ok)?.error ?? '';
        L.push(`| ${phase} | ${side} | FAILED | | | | ${err.replace(/\|/g, '/').slice(0, 300)} |`);
        continue;
      }
      const s = median(ok.map((o) => o.wallS));
      const stored = ok[0].runsInStore;
      if (side === anchor) {
        L.push(`| ${phase} | ${side} | ${f2(s)} | ${ok.map((o) => f2(o.wallS)).join(', ')} | ${stored ?? '–'} | | |`);
        continue;
      }
      const ratio = anchorS !== undefined ? anchorS / s : undefined;
      const met = ratio === undefined ? '–' : ratio >= SPEED_TARGET ? 'yes' : '**MISS**';
      L.push(
        `| ${phase} | ${side} | ${f2(s)} | ${ok.map((o) => f2(o.wallS)).join(', ')} | ${stored ?? '–'} | ${ratio === undefined ? '–' : `${ratio.toFixed(1)}×`} | ${met} |`,
      );
    }
  }
  L.push('');
  L.push(`### CV ROC-AUC (5-fold mean; target: |Cairn − anchor| ≤ ${AUC_TOLERANCE})`);
  L.push('');
  const cairnSides = r.hasAnchor ? r.sides.slice(1) : r.sides;
  const trialNotes: string[] = [];
  L.push(`| phase | model | ${r.sides.join(' | ')} | ${cairnSides.map((s) => `Δ ${s}`).join(' | ')} | target met |`);
  L.push(`| --- | --- | ${r.sides.map(() => '---').join(' | ')} | ${cairnSides.map(() => '---').join(' | ')} | --- |`);
  for (const phase of r.phases) {
    const first = (side: string) => r.outcomes.find((o) => o.phase === phase && o.side === side && o.ok);
    const rows: Array<[string, (o: PhaseOutcome | undefined) => number | undefined]> = [];
    const families = new Set<string>();
    for (const side of r.sides) for (const f of Object.keys(first(side)?.rocAuc ?? {})) families.add(f);
    for (const f of families) rows.push([phase === 'stroke' ? `${f} (baseline)` : f, (o) => o?.rocAuc[f]]);
    if (phase === 'stroke') rows.push(['best TPE trial', (o) => o?.bestTrialRocAuc]);
    for (const [label, get] of rows) {
      const a = get(first(anchor));
      const vals = r.sides.map((s) => get(first(s)));
      const deltas = cairnSides.map((s) => {
        const v = get(first(s));
        return a === undefined || v === undefined ? undefined : v - a;
      });
      const known = deltas.filter((d): d is number => d !== undefined);
      const met = known.length === 0 ? '–' : known.every((d) => Math.abs(d) <= AUC_TOLERANCE) ? 'yes' : '**MISS**';
      L.push(
        `| ${phase} | ${label} | ${vals.map(f4).join(' | ')} | ${deltas.map((d) => (d === undefined ? '–' : (d >= 0 ? '+' : '') + d.toFixed(4))).join(' | ')} | ${met} |`,
      );
    }
    if (phase === 'stroke')
      trialNotes.push(
        `Trials read back from each store (runs tagged \`cairn.tuning.role=trial\`): ${r.sides.map((s) => `${s} ${first(s)?.trials ?? '–'}`).join(', ')}. ` +
          'TPE differs between the two (Optuna vs learn), so the best trial is compared loosely: same space, same budget, same seed.',
      );
  }
  L.push('');
  for (const n of trialNotes) L.push(n, '');
  const inner = r.outcomes.filter((o) => o.side === anchor && o.ok && o.inner);
  if (inner.length) {
    L.push(
      'Anchor inside the process (repetition 1): ' +
        r.phases
          .map((p) => {
            const o = inner.find((x) => x.phase === p);
            return o
              ? `${p}: imports ${f2(o.inner!.import_s)} s, work ${f2(o.inner!.phase_s)} s` +
                  (o.inner!.tuning_s !== undefined ? ` (of which tuning ${f2(o.inner!.tuning_s)} s)` : '')
              : '';
          })
          .filter(Boolean)
          .join('; ') +
        '.',
    );
    L.push('');
  }
  L.push('Commands (re-run by hand):');
  L.push('');
  L.push('```');
  for (const c of r.commands) L.push(c);
  L.push('```');
  L.push('');
  return `${L.join('\n')}\n`;
}
