// ECharts options for the run charts, built from the API's runs and metric histories by pure
// functions: metric vs step (smoothing, log scale, zoom, line or scatter, several metrics overlaid),
// param vs metric (scatter) and parallel coordinates over params and a metric.
import type { Run } from '../api/types.js';
import type { SeriesStyle } from './chart-view.js';
import { metricValue } from './columns.js';

/** ECharts' default palette: a smoothed series and its raw values share their colour. */
export const PALETTE = [
  '#5470c6',
  '#91cc75',
  '#fac858',
  '#ee6666',
  '#73c0de',
  '#3ba272',
  '#fc8452',
  '#9a60b4',
  '#ea7ccc',
];

type Option = Record<string, unknown>;

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * TensorBoard's (and MLflow's) smoothing: an exponential moving average with weight `weight`,
 * debiased so the first points are not pulled towards zero. NaN and infinities are passed through
 * and do not enter the average.
 */
export function smoothEma(values: readonly number[], weight: number): number[] {
  if (weight <= 0) return [...values];
  let last = 0;
  let count = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    count++;
    return last / (1 - weight ** count);
  });
}

export interface HistoryLine {
  runName: string;
  metric: string;
  /** [step, value] in step order. */
  points: Array<[number, number]>;
}

export interface HistoryChoices {
  smoothing: number;
  logScale: boolean;
  style: SeriesStyle;
}

export interface BuiltOption {
  option: Option;
  /** Points left out: non-finite values, and values ≤ 0 on a log scale. */
  hidden: number;
}

function lineName(line: HistoryLine, manyRuns: boolean, manyMetrics: boolean): string {
  if (manyRuns && manyMetrics) return `${line.runName} · ${line.metric}`;
  return manyMetrics ? line.metric : line.runName;
}

/** Metric against step for each (run, metric) line, overlaid on one chart with zoom on the steps. */
export function historyOption(lines: readonly HistoryLine[], choices: HistoryChoices): BuiltOption {
  const manyRuns = new Set(lines.map((l) => l.runName)).size > 1;
  const manyMetrics = new Set(lines.map((l) => l.metric)).size > 1;
  const smoothing = Math.max(0, choices.smoothing);
  let hidden = 0;
  const drawable = (v: number) => Number.isFinite(v) && (!choices.logScale || v > 0);
  const series: Option[] = [];
  const legend: string[] = [];
  // a run that never logged one of the metrics gets no empty entry in the legend
  lines
    .filter((line) => line.points.length > 0)
    .forEach((line, i) => {
      const name = lineName(line, manyRuns, manyMetrics);
      const color = PALETTE[i % PALETTE.length];
      const steps = line.points.map((p) => p[0]);
      const values = line.points.map((p) => p[1]);
      hidden += values.filter((v) => !drawable(v)).length;
      const pairs = (ys: number[]) => steps.map((s, j) => [s, drawable(ys[j] as number) ? ys[j] : null]);
      const scatter = choices.style === 'scatter';
      const few = line.points.length < 50;
      legend.push(name);
      if (smoothing > 0) {
        // the raw values stay visible, faint, behind the smoothed line (as TensorBoard draws them)
        series.push({
          name: `${name} (raw)`,
          type: scatter ? 'scatter' : 'line',
          data: pairs(values),
          color,
          symbolSize: 4,
          showSymbol: false,
          itemStyle: { opacity: scatter ? 0.5 : 0.25 },
          lineStyle: { opacity: 0.25 },
          connectNulls: false,
          silent: true,
          z: 1,
        });
        series.push({
          name,
          type: 'line',
          data: pairs(smoothEma(values, smoothing)),
          color,
          showSymbol: few,
          connectNulls: false,
          z: 2,
        });
      } else if (scatter) {
        series.push({ name, type: 'scatter', data: pairs(values), color, symbolSize: 6 });
      } else {
        series.push({ name, type: 'line', data: pairs(values), color, showSymbol: few, connectNulls: false });
      }
    });
  return {
    hidden,
    option: {
      animation: false,
      tooltip: { trigger: 'axis' },
      grid: { left: 64, right: 24, top: 36, bottom: 64 },
      legend: { show: legend.length > 1, data: legend },
      xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 24, minInterval: 1, scale: true },
      yAxis: choices.logScale ? { type: 'log', scale: true } : { type: 'value', scale: true },
      dataZoom: [
        { type: 'inside', xAxisIndex: 0, filterMode: 'none' },
        { type: 'slider', xAxisIndex: 0, filterMode: 'none', height: 16, bottom: 6 },
      ],
      series,
    },
  };
}

export type ParamKind = 'numeric' | 'categorical';

/** Numeric when every value given is a finite number (as MLflow's UI decides a param's axis). */
export function paramKind(values: readonly string[]): ParamKind {
  const present = values.filter((v) => v !== undefined);
  if (present.length === 0) return 'categorical';
  return present.every((v) => v.trim() !== '' && Number.isFinite(Number(v))) ? 'numeric' : 'categorical';
}

const collator = new Intl.Collator(undefined, { numeric: true });

function paramOf(run: Run, key: string): string | undefined {
  return run.data.params?.find((p) => p.key === key)?.value;
}

function metricOf(run: Run, key: string): number | undefined {
  const m = run.data.metrics?.find((x) => x.key === key);
  if (m === undefined) return undefined;
  const v = metricValue(m.value);
  return Number.isFinite(v) ? v : undefined;
}

export const runLabel = (run: Run): string => run.info.run_name || run.info.run_id.slice(0, 8);

export interface PlottedOption {
  option: Option;
  /** Runs drawn (those with the metric and every chosen param). */
  plotted: number;
  kinds: ParamKind[];
}

/** One point per run: the param on x (a value or a category axis) and the metric's latest value on y. */
export function paramScatterOption(runs: readonly Run[], param: string, metric: string): PlottedOption {
  const rows: Array<{ run: Run; x: string; y: number }> = [];
  for (const run of runs) {
    const x = paramOf(run, param);
    const y = metricOf(run, metric);
    if (x !== undefined && y !== undefined) rows.push({ run, x, y });
  }
  const kind = paramKind(rows.map((r) => r.x));
  const categories = kind === 'categorical' ? [...new Set(rows.map((r) => r.x))].sort(collator.compare) : [];
  const data = rows.map((r) => ({
    name: runLabel(r.run),
    runId: r.run.info.run_id,
    value: [kind === 'numeric' ? Number(r.x) : r.x, r.y],
  }));
  return {
    plotted: rows.length,
    kinds: [kind],
    option: {
      animation: false,
      tooltip: {
        trigger: 'item',
        formatter: (p: { name: string; value: [number | string, number] }) =>
          `${escapeHtml(p.name)}<br/>${escapeHtml(param)}: ${escapeHtml(String(p.value[0]))}` +
          `<br/>${escapeHtml(metric)}: ${p.value[1]}`,
      },
      grid: { left: 64, right: 24, top: 24, bottom: 48 },
      legend: { show: false },
      xAxis:
        kind === 'numeric'
          ? { type: 'value', name: param, nameLocation: 'middle', nameGap: 28, scale: true }
          : { type: 'category', name: param, nameLocation: 'middle', nameGap: 28, data: categories },
      yAxis: { type: 'value', name: metric, scale: true },
      series: [{ type: 'scatter', name: metric, data, symbolSize: 9, itemStyle: { opacity: 0.8 } }],
    },
  };
}

/** One line per run across an axis per param (value or category) and the metric, coloured by the metric. */
export function parallelOption(runs: readonly Run[], params: readonly string[], metric: string): PlottedOption {
  const rows: Array<{ run: Run; values: string[]; y: number }> = [];
  for (const run of runs) {
    const y = metricOf(run, metric);
    const values = params.map((p) => paramOf(run, p));
    if (y === undefined || values.some((v) => v === undefined)) continue;
    rows.push({ run, values: values as string[], y });
  }
  const kinds = params.map((_, i) => paramKind(rows.map((r) => r.values[i] as string)));
  const axes: Option[] = params.map((p, i) =>
    kinds[i] === 'numeric'
      ? { dim: i, name: p, type: 'value', scale: true }
      : { dim: i, name: p, type: 'category', data: [...new Set(rows.map((r) => r.values[i]))].sort(collator.compare) },
  );
  axes.push({ dim: params.length, name: metric, type: 'value', scale: true });
  const ys = rows.map((r) => r.y);
  const min = ys.length ? Math.min(...ys) : 0;
  const max = ys.length ? Math.max(...ys) : 1;
  const data = rows.map((r) => ({
    name: runLabel(r.run),
    runId: r.run.info.run_id,
    value: [...r.values.map((v, i) => (kinds[i] === 'numeric' ? Number(v) : v)), r.y],
  }));
  return {
    plotted: rows.length,
    kinds,
    option: {
      animation: false,
      tooltip: { trigger: 'item', formatter: (p: { name: string }) => escapeHtml(p.name) },
      legend: { show: false },
      parallel: { left: 64, right: 150, top: 48, bottom: 32 },
      parallelAxis: axes,
      visualMap: {
        type: 'continuous',
        dimension: params.length,
        min,
        max: max > min ? max : min + 1,
        calculable: true,
        precision: 3,
        right: 8,
        top: 'middle',
        itemHeight: 140,
        text: [metric, ''],
        inRange: { color: ['#313695', '#4575b4', '#74add1', '#fdae61', '#f46d43', '#d73027'] },
      },
      series: [{ type: 'parallel', name: metric, data, lineStyle: { width: 1.5, opacity: 0.7 }, smooth: false }],
    },
  };
}
