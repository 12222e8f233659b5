// Metric histories against step: one run or several, one metric or several, overlaid on one chart,
// smoothed (exponential moving average), on a linear or log scale, as lines or points, zoomable.
import { useMemo } from 'react';
import { getMetricHistory } from '../api/client.js';
import { type HistoryChoices, type HistoryLine, historyOption } from '../lib/chart-options.js';
import { metricValue } from '../lib/columns.js';
import { useAsync } from '../lib/use-async.js';
import { Chart } from './Chart.js';
import { ErrorBox } from './ErrorBox.js';

interface Props {
  runs: Array<{ id: string; name: string }>;
  metricKeys: string[];
  choices?: HistoryChoices;
  height?: number;
}

const PLAIN: HistoryChoices = { smoothing: 0, logScale: false, style: 'line' };

export function MetricHistoryChart({ runs, metricKeys, choices = PLAIN, height }: Props) {
  const metricsKey = metricKeys.join('\n');
  // biome-ignore lint/correctness/useExhaustiveDependencies: metricsKey stands for the metric keys
  const pairs = useMemo(() => runs.flatMap((run) => metricKeys.map((metric) => ({ run, metric }))), [runs, metricsKey]);
  const key = pairs.map((p) => `${p.run.id}\u0000${p.metric}`).join('\u0001');
  const histories = useAsync(
    () => Promise.all(pairs.map((p) => getMetricHistory(p.run.id, p.metric))).then((h) => ({ key, h })),
    [key],
  );
  const built = useMemo(() => {
    // the answer for other runs or metrics, still held while the new one loads, is not drawn
    if (!histories.data || histories.data.key !== key) return null;
    const lines: HistoryLine[] = pairs.map((p, i) => ({
      runName: p.run.name,
      metric: p.metric,
      points: (histories.data?.h[i] ?? []).map((m) => [Number(m.step), metricValue(m.value)]),
    }));
    return historyOption(lines, choices);
  }, [histories.data, key, pairs, choices]);
  const title = metricKeys.join(', ');
  return (
    <>
      <ErrorBox error={histories.error} />
      {built ? (
        <>
          <Chart option={built.option} title={title} height={height} />
          {built.hidden > 0 ? (
            <p className="muted" style={{ margin: 0 }}>
              {built.hidden} value{built.hidden === 1 ? '' : 's'} not drawn (
              {choices.logScale ? 'zero, negative or not finite on a log scale' : 'not finite'}).
            </p>
          ) : null}
        </>
      ) : (
        <p className="muted">Loading {title}…</p>
      )}
    </>
  );
}
