// scikit-learn's classification_report: per-label and averaged precision/recall/F1, as a dict and as text.
import type { Labels } from '../core/estimator.js';
import { precisionRecallFscoreSupport, uniqueLabels, type PrfResult, type ZeroDivision } from './classification.js';

export interface ReportRow {
  precision: number;
  recall: number;
  'f1-score': number;
  support: number;
}

/** Keys: each target name, then 'accuracy' (a number, when micro average equals accuracy) or 'micro avg', 'macro avg', 'weighted avg'. */
export type ClassificationReport = Record<string, ReportRow | number>;

export interface ReportOptions {
  labels?: readonly number[];
  targetNames?: readonly string[];
  sampleWeight?: ArrayLike<number>;
  /** Digits in the text form (default 2). */
  digits?: number;
  zeroDivision?: ZeroDivision;
}

function reportParts(yTrue: Labels, yPred: Labels, options: ReportOptions) {
  const present = uniqueLabels(yTrue, yPred);
  const labelsGiven = options.labels !== undefined;
  const labels = labelsGiven ? [...options.labels!] : present;
  const names = options.targetNames ? [...options.targetNames] : labels.map((l) => String(l));
  if (names.length !== labels.length) {
    throw new RangeError(`targetNames has ${names.length} names but there are ${labels.length} labels`);
  }
  const microIsAccuracy = !labelsGiven || present.every((l) => labels.includes(l));
  const zeroDivision = options.zeroDivision ?? 'warn';
  const per = precisionRecallFscoreSupport(yTrue, yPred, {
    labels,
    average: null,
    sampleWeight: options.sampleWeight,
    zeroDivision,
  });
  const totalSupport = per.support.reduce((a, b) => a + b, 0);
  const averages = (['micro', 'macro', 'weighted'] as const).map((average) => {
    const r = precisionRecallFscoreSupport(yTrue, yPred, {
      labels,
      average,
      sampleWeight: options.sampleWeight,
      zeroDivision,
    }) as PrfResult;
    const heading = average === 'micro' && microIsAccuracy ? 'accuracy' : `${average} avg`;
    return { heading, row: { precision: r.precision, recall: r.recall, 'f1-score': r.fScore, support: totalSupport } };
  });
  return { names, per, averages };
}

/** The report as a dict, keyed as scikit-learn's output_dict=True. */
export function classificationReportDict(
  yTrue: Labels,
  yPred: Labels,
  options: ReportOptions = {},
): ClassificationReport {
  const { names, per, averages } = reportParts(yTrue, yPred, options);
  const out: ClassificationReport = {};
  names.forEach((n, k) => {
    out[n] = { precision: per.precision[k], recall: per.recall[k], 'f1-score': per.fScore[k], support: per.support[k] };
  });
  for (const a of averages) out[a.heading] = a.heading === 'accuracy' ? a.row['f1-score'] : a.row;
  return out;
}

/** The report as scikit-learn's text table (same widths and rounding). */
export function classificationReportText(yTrue: Labels, yPred: Labels, options: ReportOptions = {}): string {
  const digits = options.digits ?? 2;
  const { names, per, averages } = reportParts(yTrue, yPred, options);
  const width = Math.max(...names.map((n) => n.length), 'weighted avg'.length, digits);
  const num = (x: number) => formatFixed(x, digits).padStart(9);
  const sup = (x: number) => formatSupport(x).padStart(9);
  let report =
    `${''.padStart(width)} ` +
    ['precision', 'recall', 'f1-score', 'support'].map((h) => ` ${h.padStart(9)}`).join('') +
    '\n\n';
  const line = (heading: string, cells: string[]) =>
    `${heading.padStart(width)} ${cells.map((c) => ` ${c}`).join('')}\n`;
  names.forEach((n, k) => {
    report += line(n, [num(per.precision[k]), num(per.recall[k]), num(per.fScore[k]), sup(per.support[k])]);
  });
  report += '\n';
  for (const a of averages) {
    const r = a.row;
    report +=
      a.heading === 'accuracy'
        ? line(a.heading, [''.padStart(9), ''.padStart(9), num(r['f1-score']), sup(r.support)])
        : line(a.heading, [num(r.precision), num(r.recall), num(r['f1-score']), sup(r.support)]);
  }
  return report;
}

/** Python's '{:.Nf}': round half to even on the exact binary value (JS toFixed rounds ties up). */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const fixed = x.toFixed(digits);
  const exact = Math.abs(x).toFixed(Math.min(100, digits + 60));
  const tail = exact.slice(exact.indexOf('.') + 1 + digits);
  if (/^50*$/.test(tail)) {
    const down = (Math.sign(x) * (Math.floor(Math.abs(x) * 10 ** digits) / 10 ** digits)).toFixed(digits);
    const lastDigit = Number(down[down.length - 1]);
    return lastDigit % 2 === 0 ? down : fixed;
  }
  return fixed;
}

function formatSupport(x: number): string {
  return Number.isInteger(x) ? String(x) : formatPythonFloat(x);
}

function formatPythonFloat(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : String(x);
}
