// The runs table's chart view over the loaded runs, its state in the URL (lib/chart-view.ts):
// - metric vs step: the metric's latest value per run (bar), and its history against step for the
//   selected runs (or the first ten shown), other metrics overlaid, smoothed, log scale, zoom;
// - param vs metric: one point per run, the param on x (numeric or categorical);
// - parallel coordinates over chosen params and the metric.
// Every chart exports PNG and SVG; clicking a run's point or line opens the run.
import { useMemo } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import type { Run } from '../api/types.js';
import { paramScatterOption, parallelOption, runLabel } from '../lib/chart-options.js';
import { type ChartKind, type ChartView, readChartView, writeChartView } from '../lib/chart-view.js';
import { metricValue } from '../lib/columns.js';
import '../lib/echarts-runs.js';
import './charts.css';
import { Chart } from './Chart.js';
import { ChartControls } from './ChartControls.js';
import { MetricHistoryChart } from './MetricHistoryChart.js';

const MAX_BARS = 100;
const MAX_LINES = 10;
const DEFAULT_AXES = 4;

const KINDS: Array<[ChartKind, string]> = [
  ['step', 'Metric vs step'],
  ['param', 'Param vs metric'],
  ['parallel', 'Parallel coordinates'],
];

interface Props {
  runs: Run[];
  metrics: string[];
  metric: string;
  selected: ReadonlySet<string>;
  onMetric: (metric: string) => void;
}

export function RunsChartView({ runs, metrics, metric, selected, onMetric }: Props) {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const view = useMemo(() => readChartView(params), [params]);
  const update = (patch: Partial<ChartView>) =>
    setParams(writeChartView({ ...view, ...patch }, params), { replace: true });
  const paramKeys = useMemo(
    () => [...new Set(runs.flatMap((r) => (r.data.params ?? []).map((p) => p.key)))].sort(),
    [runs],
  );
  const openRun = (data: unknown) => {
    const runId = (data as { runId?: string } | null)?.runId;
    if (runId) void navigate(`/runs/${runId}`);
  };

  if (metrics.length === 0) return <p className="muted">The loaded runs have no metrics.</p>;
  return (
    <div className="chart-view">
      <div className="row">
        <fieldset className="segmented" aria-label="Chart">
          {KINDS.map(([kind, label]) => (
            <button key={kind} type="button" aria-pressed={view.kind === kind} onClick={() => update({ kind })}>
              {label}
            </button>
          ))}
        </fieldset>
        <label htmlFor="chart-metric">Metric</label>
        <select id="chart-metric" value={metric} onChange={(e) => onMetric(e.target.value)}>
          {metrics.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </div>
      {view.kind === 'step' ? (
        <StepCharts runs={runs} metrics={metrics} metric={metric} selected={selected} view={view} update={update} />
      ) : null}
      {view.kind === 'param' ? (
        <ParamChart runs={runs} paramKeys={paramKeys} metric={metric} view={view} update={update} onRun={openRun} />
      ) : null}
      {view.kind === 'parallel' ? (
        <ParallelChart runs={runs} paramKeys={paramKeys} metric={metric} view={view} update={update} onRun={openRun} />
      ) : null}
    </div>
  );
}

interface KindProps {
  runs: Run[];
  metric: string;
  view: ChartView;
  update: (patch: Partial<ChartView>) => void;
}

function StepCharts({
  runs,
  metrics,
  metric,
  selected,
  view,
  update,
}: KindProps & { metrics: string[]; selected: ReadonlySet<string> }) {
  const bars = useMemo(() => {
    const points: Array<{ name: string; value: number }> = [];
    for (const run of runs) {
      const m = run.data.metrics?.find((x) => x.key === metric);
      if (m === undefined) continue;
      points.push({ name: runLabel(run), value: metricValue(m.value) });
      if (points.length >= MAX_BARS) break;
    }
    return points;
  }, [runs, metric]);
  const barOption = useMemo(
    () => ({
      animation: false,
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: bars.map((b) => b.name), axisLabel: { rotate: 45, interval: 0, fontSize: 10 } },
      yAxis: { type: 'value' },
      legend: { show: false },
      grid: { left: 56, right: 20, top: 20, bottom: 90 },
      series: [{ type: 'bar', name: metric, data: bars.map((b) => b.value) }],
    }),
    [bars, metric],
  );
  const also = view.also.filter((m) => m !== metric && metrics.includes(m));
  const alsoKey = also.join('\n');
  // biome-ignore lint/correctness/useExhaustiveDependencies: alsoKey stands for the overlaid metrics
  const metricKeys = useMemo(() => [metric, ...also], [metric, alsoKey]);
  const lineRuns = useMemo(() => {
    const chosen = selected.size > 0 ? runs.filter((r) => selected.has(r.info.run_id)) : runs;
    return chosen
      .filter((r) => r.data.metrics?.some((m) => metricKeys.includes(m.key)))
      .slice(0, MAX_LINES)
      .map((r) => ({ id: r.info.run_id, name: r.info.run_name || r.info.run_id }));
  }, [runs, selected, metricKeys]);
  const choices = useMemo(
    () => ({ smoothing: view.smoothing, logScale: view.logScale, style: view.style }),
    [view.smoothing, view.logScale, view.style],
  );
  const toggleAlso = (m: string, on: boolean) => update({ also: on ? [...also, m] : also.filter((x) => x !== m) });
  return (
    <>
      <p className="muted" style={{ margin: 0 }}>
        {bars.length} run{bars.length === 1 ? '' : 's'} in the bar chart (first {MAX_BARS} in table order);{' '}
        {selected.size > 0 ? 'selected runs' : `the first ${MAX_LINES} runs`} in the history chart.
      </p>
      <div className="card">
        <Chart option={barOption} title={`${metric} per run`} height={300} />
      </div>
      <div className="card">
        <div className="row chart-controls">
          <ChartControls value={choices} onChange={update} />
          {metrics.length > 1 ? (
            <fieldset className="checks">
              <legend>Overlay</legend>
              {metrics
                .filter((m) => m !== metric)
                .map((m) => (
                  <label key={m}>
                    <input
                      type="checkbox"
                      checked={also.includes(m)}
                      onChange={(e) => toggleAlso(m, e.target.checked)}
                    />{' '}
                    {m}
                  </label>
                ))}
            </fieldset>
          ) : null}
        </div>
        {lineRuns.length > 0 ? (
          <MetricHistoryChart runs={lineRuns} metricKeys={metricKeys} choices={choices} height={320} />
        ) : (
          <p className="muted">No run here logged {metric}.</p>
        )}
      </div>
    </>
  );
}

interface ParamProps extends KindProps {
  paramKeys: string[];
  onRun: (data: unknown) => void;
}

function ParamChart({ runs, paramKeys, metric, view, update, onRun }: ParamProps) {
  const param = paramKeys.includes(view.xParam) ? view.xParam : (paramKeys[0] ?? '');
  const built = useMemo(() => paramScatterOption(runs, param, metric), [runs, param, metric]);
  if (paramKeys.length === 0) return <p className="muted">The loaded runs have no params.</p>;
  return (
    <div className="card">
      <div className="row">
        <label htmlFor="chart-x-param">Param</label>
        <select id="chart-x-param" value={param} onChange={(e) => update({ xParam: e.target.value })}>
          {paramKeys.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
        <span className="muted">
          {built.plotted} run{built.plotted === 1 ? '' : 's'} with both; {param} read as {built.kinds[0]}. Click a point
          to open its run.
        </span>
      </div>
      <Chart option={built.option} title={`${metric} by ${param}`} height={380} onItemClick={onRun} />
    </div>
  );
}

function ParallelChart({ runs, paramKeys, metric, view, update, onRun }: ParamProps) {
  const chosen =
    view.axes.length > 0 ? view.axes.filter((p) => paramKeys.includes(p)) : paramKeys.slice(0, DEFAULT_AXES);
  const key = chosen.join('\n');
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the chosen params
  const built = useMemo(() => parallelOption(runs, chosen, metric), [runs, key, metric]);
  const toggle = (p: string, on: boolean) => update({ axes: on ? [...chosen, p] : chosen.filter((x) => x !== p) });
  if (paramKeys.length === 0) return <p className="muted">The loaded runs have no params.</p>;
  return (
    <div className="card">
      <div className="row">
        <fieldset className="checks">
          <legend>Params</legend>
          {paramKeys.map((p) => (
            <label key={p}>
              <input type="checkbox" checked={chosen.includes(p)} onChange={(e) => toggle(p, e.target.checked)} /> {p}
            </label>
          ))}
        </fieldset>
        <span className="muted">
          {built.plotted} of the {runs.length} loaded runs have every chosen param and {metric}. Click a line to open
          its run.
        </span>
      </div>
      <Chart
        option={built.option}
        title={`${metric} over ${chosen.join(', ') || 'no params'}`}
        height={400}
        onItemClick={onRun}
      />
    </div>
  );
}
