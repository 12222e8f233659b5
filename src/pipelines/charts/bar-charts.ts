// Bar and scatter charts over named values: feature importance, a metric by run, a param against a
// metric, and a tuning search's progress.
import { type ChartImage, type ChartOption, renderChart } from './chart-image.js';
import { fmt3, stackedLegend } from './classification-charts.js';

export interface FeatureImportance {
  name: string;
  importance: number;
}

const HIGHLIGHT = '#d9480f';
const BAR = '#4c72b0';

/** Long labels are cut so the plot keeps its width; the full name stays in the data. */
const shorten = (s: string, n = 28) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Horizontal bars of the topN largest importances (by absolute value), largest at the top. */
export function featureImportanceChart(input: {
  features: FeatureImportance[];
  topN?: number;
  title?: string;
}): ChartImage {
  const topN = input.topN ?? 20;
  if (!Number.isInteger(topN) || topN < 1) throw new RangeError(`topN must be an integer >= 1; got ${topN}`);
  const top = input.features
    .filter((f) => Number.isFinite(f.importance))
    .sort((a, b) => Math.abs(b.importance) - Math.abs(a.importance) || a.name.localeCompare(b.name))
    .slice(0, topN);
  const shown = top.length < input.features.length ? ` (top ${top.length} of ${input.features.length})` : '';
  const option: ChartOption = {
    title: { text: `${input.title ?? 'Feature importance'}${shown}`, left: 'center' },
    grid: { left: 200, right: 60, top: 50, bottom: 50 },
    xAxis: { type: 'value', name: 'Importance', nameLocation: 'middle', nameGap: 30 },
    yAxis: { type: 'category', data: top.map((f) => shorten(f.name)), inverse: true },
    series: [
      {
        type: 'bar',
        data: top.map((f) => f.importance),
        itemStyle: { color: BAR },
        label: { show: true, position: 'right', formatter: (p: { value: number }) => fmt3(p.value) },
      },
    ],
  };
  return renderChart(option, { width: 720, height: 110 + 26 * Math.max(top.length, 1) });
}

/** One bar per run; the best run (index `best`) drawn in another colour. */
export function metricByRunChart(input: {
  runs: Array<{ name: string; value: number }>;
  metric: string;
  best?: number;
  title?: string;
}): ChartImage {
  const rotate = input.runs.length > 6 ? 35 : 0;
  const option: ChartOption = {
    title: { text: input.title ?? `${input.metric} by run`, left: 'center' },
    grid: { left: 70, right: 30, top: 50, bottom: rotate ? 140 : 60, containLabel: false },
    xAxis: {
      type: 'category',
      data: input.runs.map((r) => shorten(r.name, 24)),
      axisLabel: { rotate, interval: 0 },
    },
    yAxis: { type: 'value', name: input.metric, nameLocation: 'middle', nameGap: 50 },
    series: [
      {
        type: 'bar',
        data: input.runs.map((r, i) => ({ value: r.value, itemStyle: { color: i === input.best ? HIGHLIGHT : BAR } })),
        label: { show: input.runs.length <= 20, position: 'top', formatter: (p: { value: number }) => fmt3(p.value) },
      },
    ],
  };
  return renderChart(option, { width: Math.max(560, 60 * input.runs.length + 120), height: rotate ? 460 : 400 });
}

/** A scatter of a numeric param against a metric, one point per run. */
export function paramVsMetricChart(input: {
  points: Array<{ x: number; y: number; name: string }>;
  param: string;
  metric: string;
  logX?: boolean;
  title?: string;
}): ChartImage {
  const option: ChartOption = {
    title: { text: input.title ?? `${input.metric} vs ${input.param}`, left: 'center' },
    grid: { left: 70, right: 40, top: 50, bottom: 60 },
    xAxis: {
      type: input.logX ? 'log' : 'value',
      name: input.param,
      nameLocation: 'middle',
      nameGap: 30,
      scale: true,
    },
    yAxis: { type: 'value', name: input.metric, nameLocation: 'middle', nameGap: 50, scale: true },
    series: [
      {
        type: 'scatter',
        symbolSize: 9,
        itemStyle: { color: BAR },
        data: input.points.map((p) => ({ value: [p.x, p.y], name: p.name })),
      },
    ],
  };
  return renderChart(option, { width: 480, height: 380 });
}

export interface TrialPoint {
  /** Trial number, in the order trials were started. */
  number: number;
  /** The objective; null for a failed or pruned trial (not drawn). */
  value: number | null;
}

/** Objective per trial (points) and the best value so far (a step line) of a tuning search. */
export function searchProgressChart(input: {
  trials: TrialPoint[];
  objective: string;
  direction: 'maximize' | 'minimize';
  title?: string;
}): ChartImage {
  const trials = [...input.trials].sort((a, b) => a.number - b.number);
  const better = (a: number, b: number) => (input.direction === 'maximize' ? a > b : a < b);
  const bestSoFar: Array<[number, number]> = [];
  let best: number | undefined;
  for (const t of trials) {
    if (t.value !== null && Number.isFinite(t.value) && (best === undefined || better(t.value, best))) best = t.value;
    if (best !== undefined) bestSoFar.push([t.number, best]);
  }
  const option: ChartOption = {
    title: { text: input.title ?? `Search progress (${input.direction} ${input.objective})`, left: 'center' },
    legend: stackedLegend(),
    grid: { left: 70, right: 30, top: 50, bottom: 100 },
    xAxis: { type: 'value', name: 'Trial', nameLocation: 'middle', nameGap: 30, minInterval: 1 },
    yAxis: { type: 'value', name: input.objective, nameLocation: 'middle', nameGap: 50, scale: true },
    series: [
      {
        name: 'trial',
        type: 'scatter',
        symbolSize: 7,
        itemStyle: { color: BAR },
        data: trials.filter((t) => t.value !== null && Number.isFinite(t.value)).map((t) => [t.number, t.value]),
      },
      {
        name: 'best so far',
        type: 'line',
        step: 'end',
        showSymbol: false,
        lineStyle: { color: HIGHLIGHT, width: 2 },
        itemStyle: { color: HIGHLIGHT },
        data: bestSoFar,
      },
    ],
  };
  return renderChart(option, { width: 640, height: 420 });
}
