// Charts of a binary classifier's evaluation: confusion matrix, ROC and precision-recall curves
// (one or several overlaid), reliability diagram. Inputs are computed points; see evaluation-plots.ts.
import { type ChartImage, type ChartOption, type ChartSize, renderChart } from './chart-image.js';

export interface ConfusionMatrixInput {
  /** matrix[i][j]: samples of true class labels[i] predicted as labels[j]. */
  matrix: number[][];
  labels: string[];
  title?: string;
}

export interface RocCurveSeries {
  name: string;
  fpr: ArrayLike<number>;
  tpr: ArrayLike<number>;
  auc: number;
}

export interface PrCurveSeries {
  name: string;
  precision: ArrayLike<number>;
  recall: ArrayLike<number>;
  /** Average precision (PR-AUC). */
  averagePrecision: number;
}

export interface CalibrationInput {
  /** Mean predicted probability per non-empty bin. */
  probPred: ArrayLike<number>;
  /** Fraction of positives per non-empty bin. */
  probTrue: ArrayLike<number>;
  nBins: number;
  title?: string;
}

const SQUARE: ChartSize = { width: 560, height: 480 };
const GREY = '#8a8f98';

/** 3 significant decimals, no trailing noise. */
export const fmt3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : String(v));

function points(x: ArrayLike<number>, y: ArrayLike<number>): Array<[number, number]> {
  if (x.length !== y.length) throw new RangeError(`curve has ${x.length} x values but ${y.length} y values`);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i]) && Number.isFinite(y[i])) out.push([x[i], y[i]]);
  return out;
}

const unitAxis = (name: string) => ({
  type: 'value',
  name,
  nameLocation: 'middle',
  nameGap: 30,
  min: 0,
  max: 1,
  interval: 0.2,
});

/**
 * Legend items one per line under the plot: ECharts' server-side text measure underestimates
 * DejaVu Sans, so items laid side by side would overlap.
 */
export const LEGEND_LINE = 20;
export const stackedLegend = () => ({ orient: 'vertical', left: 60, bottom: 4, itemGap: 6 });
const legendHeight = (items: number) => LEGEND_LINE * items;

/** The dashed reference line every curve chart draws. */
const referenceLine = (name: string, data: Array<[number, number]>) => ({
  name,
  type: 'line',
  data,
  showSymbol: false,
  lineStyle: { type: 'dashed', color: GREY, width: 1 },
  itemStyle: { color: GREY },
});

export function confusionMatrixChart(input: ConfusionMatrixInput): ChartImage {
  const { matrix, labels } = input;
  const k = labels.length;
  if (matrix.length !== k || matrix.some((row) => row.length !== k))
    throw new RangeError(`confusion matrix must be ${k}×${k} for ${k} labels`);
  const total = matrix.flat().reduce((a, b) => a + b, 0);
  const max = Math.max(1, ...matrix.flat());
  const data: Array<[number, number, number]> = [];
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) data.push([j, i, matrix[i][j]]);
  const option: ChartOption = {
    title: { text: input.title ?? 'Confusion matrix', left: 'center' },
    grid: { left: 110, right: 30, top: 60, bottom: 70 },
    xAxis: { type: 'category', data: labels, name: 'Predicted label', nameLocation: 'middle', nameGap: 40 },
    // Inverted so the first class is the top row, as scikit-learn's ConfusionMatrixDisplay.
    yAxis: { type: 'category', data: labels, name: 'True label', nameLocation: 'middle', nameGap: 90, inverse: true },
    visualMap: { show: false, min: 0, max, inRange: { color: ['#f2f6fc', '#08306b'] } },
    series: [
      {
        type: 'heatmap',
        data,
        label: {
          show: true,
          fontSize: 16,
          formatter: (p: { value: [number, number, number] }) => {
            const v = p.value[2];
            const pct = total > 0 ? ` (${((100 * v) / total).toFixed(1)}%)` : '';
            return `${v}${pct}`;
          },
          color: '#111111',
          backgroundColor: 'rgba(255,255,255,0.75)',
          padding: [2, 4],
        },
        itemStyle: { borderColor: '#ffffff', borderWidth: 2 },
      },
    ],
  };
  return renderChart(option, SQUARE);
}

export function rocCurveChart(input: { curves: RocCurveSeries[]; title?: string }): ChartImage {
  if (input.curves.length === 0) throw new RangeError('rocCurveChart needs at least one curve');
  const option: ChartOption = {
    title: { text: input.title ?? 'ROC curve', left: 'center' },
    legend: stackedLegend(),
    grid: { left: 60, right: 30, top: 50, bottom: 60 + legendHeight(input.curves.length + 1) },
    xAxis: unitAxis('False positive rate'),
    yAxis: unitAxis('True positive rate'),
    series: [
      ...input.curves.map((c) => ({
        name: `${c.name} (AUC ${fmt3(c.auc)})`,
        type: 'line',
        data: points(c.fpr, c.tpr),
        showSymbol: false,
        lineStyle: { width: 2 },
      })),
      referenceLine('chance (AUC 0.500)', [
        [0, 0],
        [1, 1],
      ]),
    ],
  };
  return renderChart(option, { width: SQUARE.width, height: SQUARE.height + legendHeight(input.curves.length + 1) });
}

export function precisionRecallChart(input: {
  curves: PrCurveSeries[];
  /** Share of positives in the evaluated data: a random classifier's precision. */
  positiveRate: number;
  title?: string;
}): ChartImage {
  if (input.curves.length === 0) throw new RangeError('precisionRecallChart needs at least one curve');
  const option: ChartOption = {
    title: { text: input.title ?? 'Precision-recall curve', left: 'center' },
    legend: stackedLegend(),
    grid: { left: 60, right: 30, top: 50, bottom: 60 + legendHeight(input.curves.length + 1) },
    xAxis: unitAxis('Recall'),
    yAxis: unitAxis('Precision'),
    series: [
      ...input.curves.map((c) => ({
        name: `${c.name} (PR-AUC ${fmt3(c.averagePrecision)})`,
        type: 'line',
        // Precision is a step function of recall (average precision sums rectangles), drawn as such.
        step: 'end',
        data: points(c.recall, c.precision),
        showSymbol: false,
        lineStyle: { width: 2 },
      })),
      referenceLine(`baseline: positive rate ${fmt3(input.positiveRate)}`, [
        [0, input.positiveRate],
        [1, input.positiveRate],
      ]),
    ],
  };
  return renderChart(option, { width: SQUARE.width, height: SQUARE.height + legendHeight(input.curves.length + 1) });
}

export function calibrationChart(input: CalibrationInput): ChartImage {
  const option: ChartOption = {
    title: { text: input.title ?? `Calibration (reliability, ${input.nBins} bins)`, left: 'center' },
    legend: stackedLegend(),
    grid: { left: 60, right: 30, top: 50, bottom: 60 + legendHeight(2) },
    xAxis: unitAxis('Mean predicted probability'),
    yAxis: unitAxis('Fraction of positives'),
    series: [
      {
        name: 'model',
        type: 'line',
        data: points(input.probPred, input.probTrue),
        symbol: 'circle',
        symbolSize: 7,
        lineStyle: { width: 2 },
      },
      referenceLine('perfectly calibrated', [
        [0, 0],
        [1, 1],
      ]),
    ],
  };
  return renderChart(option, { width: SQUARE.width, height: SQUARE.height + legendHeight(2) });
}
