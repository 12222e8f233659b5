// A metric's history over steps, for one run or several overlaid (compare view).
import { useMemo } from 'react';
import { getMetricHistory } from '../api/client.js';
import { metricValue } from '../lib/columns.js';
import { useAsync } from '../lib/use-async.js';
import { Chart } from './Chart.js';
import { ErrorBox } from './ErrorBox.js';

interface Props {
  runs: Array<{ id: string; name: string }>;
  metricKey: string;
}

export function MetricHistoryChart({ runs, metricKey }: Props) {
  const ids = runs.map((r) => r.id).join(',');
  const histories = useAsync(() => Promise.all(runs.map((r) => getMetricHistory(r.id, metricKey))), [ids, metricKey]);
  const option = useMemo(() => {
    if (!histories.data) return null;
    const series = runs.map((r, i) => {
      const points = (histories.data?.[i] ?? []).map((m) => [Number(m.step), metricValue(m.value)]);
      return {
        name: r.name,
        type: 'line',
        showSymbol: points.length < 50,
        data: points,
      };
    });
    return {
      animation: false,
      xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 26, minInterval: 1 },
      yAxis: { type: 'value', scale: true },
      legend: { show: runs.length > 1 },
      dataZoom: [{ type: 'inside' }],
      series,
    };
  }, [histories.data, runs]);
  return (
    <>
      <ErrorBox error={histories.error} />
      {option ? <Chart option={option} title={metricKey} /> : <p className="muted">Loading {metricKey}…</p>}
    </>
  );
}
