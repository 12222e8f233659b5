// The chart view's state as it lives in the URL (beside the table's filter, sort and columns), so a
// chart can be shared: which chart, the metrics overlaid, smoothing, log scale, line or scatter, the
// param on the x axis and the params of the parallel-coordinates chart.

export type ChartKind = 'step' | 'param' | 'parallel';
export type SeriesStyle = 'line' | 'scatter';

export interface ChartView {
  kind: ChartKind;
  /** Metrics drawn with the primary one (`metric=`) in the metric-vs-step chart. */
  also: string[];
  /** Exponential moving average weight, 0 (raw values) to MAX_SMOOTHING. */
  smoothing: number;
  logScale: boolean;
  style: SeriesStyle;
  /** The param on the x axis of param vs metric; '' picks the first one. */
  xParam: string;
  /** The params of the parallel-coordinates chart, in axis order; empty picks the first few. */
  axes: string[];
}

export const MAX_SMOOTHING = 0.99;
const KEYS = ['chart', 'also', 'smooth', 'log', 'style', 'x', 'axes'];

export const DEFAULT_CHART_VIEW: ChartView = {
  kind: 'step',
  also: [],
  smoothing: 0,
  logScale: false,
  style: 'line',
  xParam: '',
  axes: [],
};

/** Smoothing as the slider sets it: a number in [0, MAX_SMOOTHING] with two decimals; anything else is 0. */
export function clampSmoothing(x: number): number {
  if (!Number.isFinite(x) || x <= 0) return 0;
  return Math.round(Math.min(x, MAX_SMOOTHING) * 100) / 100;
}

export function readChartView(params: URLSearchParams): ChartView {
  const kind = params.get('chart');
  return {
    kind: kind === 'param' || kind === 'parallel' ? kind : 'step',
    also: params.getAll('also').filter((m) => m !== ''),
    smoothing: clampSmoothing(Number(params.get('smooth') ?? 0)),
    logScale: params.get('log') === '1',
    style: params.get('style') === 'scatter' ? 'scatter' : 'line',
    xParam: params.get('x') ?? '',
    axes: params.getAll('axes').filter((p) => p !== ''),
  };
}

/** The view written over `base`, keeping base's other keys; defaults are left out of the URL. */
export function writeChartView(view: ChartView, base?: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of base ?? []) if (!KEYS.includes(k)) out.append(k, v);
  if (view.kind !== 'step') out.set('chart', view.kind);
  for (const m of view.also) out.append('also', m);
  const smoothing = clampSmoothing(view.smoothing);
  if (smoothing > 0) out.set('smooth', String(smoothing));
  if (view.logScale) out.set('log', '1');
  if (view.style === 'scatter') out.set('style', 'scatter');
  if (view.xParam) out.set('x', view.xParam);
  for (const p of view.axes) out.append('axes', p);
  return out;
}
