// The runs table's chart view: one metric's latest value per run (bar), and its history against
// step for the selected runs (or the first ten shown), overlaid. Both export PNG and SVG.
import { useMemo } from 'react';
import type { Run } from '../api/types.js';
import { metricValue } from '../lib/columns.js';
import { Chart } from './Chart.js';
import { MetricHistoryChart } from './MetricHistoryChart.js';

const MAX_BARS = 100;
const MAX_LINES = 10;

interface Props {
  runs: Run[];
  metrics: string[];
  metric: string;
  selected: ReadonlySet<string>;
  onMetric: (metric: string) => void;
}

export function RunsChartView({ runs, metrics, metric, selected, onMetric }: Props) {
  const bars = useMemo(() => {
    const points: Array<{ name: string; value: number }> = [];
    for (const run of runs) {
      const m = run.data.metrics?.find((x) => x.key === metric);
      if (m === undefined) continue;
      points.push({ name: run.info.run_name || run.info.run_id.slice(0, 8), value: metricValue(m.value) });
      if (points.length >= MAX_BARS) break;
    }
    return points;
  }, [runs, metric]);
  const option = useMemo(
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
  const lineRuns = useMemo(() => {
    const chosen = selected.size > 0 ? runs.filter((r) => selected.has(r.info.run_id)) : runs;
    return chosen
      .filter((r) => r.data.metrics?.some((m) => m.key === metric))
      .slice(0, MAX_LINES)
      .map((r) => ({ id: r.info.run_id, name: r.info.run_name || r.info.run_id }));
  }, [runs, selected, metric]);

  if (metrics.length === 0) return <p className="muted">The loaded runs have no metrics.</p>;
  return (
    <div style={{ overflow: 'auto', display: 'flex', flexDirection: 'column', gap: 12 }}>
      <div className="row">
        <label htmlFor="chart-metric">Metric</label>
        <select id="chart-metric" value={metric} onChange={(e) => onMetric(e.target.value)}>
          {metrics.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
        <span className="muted">
          {bars.length} run{bars.length === 1 ? '' : 's'} in the bar chart (first {MAX_BARS} in table order);{' '}
          {selected.size > 0 ? 'selected runs' : `the first ${MAX_LINES} runs`} in the history chart.
        </span>
      </div>
      <div className="card">
        <Chart option={option} title={`${metric} per run`} height={300} />
      </div>
      <div className="card">
        {lineRuns.length > 0 ? (
          <MetricHistoryChart runs={lineRuns} metricKey={metric} />
        ) : (
          <p className="muted">No run here logged {metric}.</p>
        )}
      </div>
    </div>
  );
}
