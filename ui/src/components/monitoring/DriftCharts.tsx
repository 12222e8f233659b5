// The monitoring page's charts over passes (oldest to newest): a drift heat-map (feature × pass,
// red where the feature drifted, its score in the cell), drift scores per feature, the data set drift
// share, the prediction distribution, and live performance against the policy's minimums.
import { useEffect, useMemo, useState } from 'react';
import { formatNumber, formatTime } from '../../lib/format.js';
import '../../lib/echarts-monitoring.js';
import { type MonitorPass, driftCells, liveMetricKeys, predictionClasses } from '../../lib/monitoring.js';
import { currentTheme } from '../../lib/theme.js';
import { Chart } from '../Chart.js';

interface Props {
  passes: MonitorPass[];
  features: string[];
  /** Policy minimums by live metric key (`live.accuracy` → 0.9), drawn as dashed lines. */
  minimums: Map<string, number>;
}

const DRIFT = '#cf222e';
const NO_DRIFT = '#2da44e';
const UNMEASURED = '#8b949e';

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '—' : formatNumber(v));

interface TooltipParam {
  value: [number, number, number, number];
}

/** The part of ECharts' custom-series API the heat-map's cells use. */
interface RenderApi {
  value(dim: number): number;
  coord(point: number[]): number[];
  size(extent: number[]): number[];
}

/** The rotated time labels set their own axisLabel, so they take the theme's text colour here. */
function useAxisLabelColor(): string {
  const [theme, setTheme] = useState(currentTheme);
  useEffect(() => {
    const onTheme = () => setTheme(currentTheme());
    window.addEventListener('cairn-theme', onTheme);
    return () => window.removeEventListener('cairn-theme', onTheme);
  }, []);
  return theme === 'dark' ? '#e6e8eb' : '#1b1f24';
}

export function DriftCharts({ passes, features, minimums }: Props) {
  const labelColor = useAxisLabelColor();
  // month-day hour:minute: the year and seconds only crowd the axis (the tooltip and table have them)
  const labels = useMemo(() => passes.map((p) => formatTime(p.time).slice(5, 16)), [passes]);

  const heatmap = useMemo(() => {
    const cells = driftCells(passes, features);
    const showScores = passes.length <= 16;
    return {
      animation: false,
      grid: { left: 130, right: 16, top: 10, bottom: 56 },
      legend: { show: false },
      tooltip: {
        trigger: 'item',
        formatter: (p: TooltipParam) => {
          const [x, y] = p.value;
          const pass = passes[x];
          const feature = features[y] ?? '';
          const d = pass?.features.get(feature);
          const state = d?.detected === null ? 'not decided' : d?.detected ? 'drift detected' : 'no drift';
          const method = d?.method ? ` (${d.method}${d.threshold ? `, threshold ${d.threshold}` : ''})` : '';
          const when = pass ? formatTime(pass.time) : '';
          return `${feature} · ${when}<br/>${state}<br/>score ${fmt(d?.score)}${method}<br/>PSI ${fmt(d?.psi)}`;
        },
      },
      xAxis: { type: 'category', data: labels, axisLabel: { rotate: 30, color: labelColor } },
      // the most drifting feature on top
      yAxis: { type: 'category', data: features, inverse: true },
      series: [
        {
          type: 'custom',
          name: 'drift',
          data: cells.map((c) => [...c.value, c.score ?? Number.NaN]),
          encode: { x: 0, y: 1 },
          renderItem: (_params: unknown, api: RenderApi) => {
            const center = api.coord([api.value(0), api.value(1)]);
            const [w, h] = api.size([1, 1]);
            const state = api.value(2);
            const score = api.value(3);
            return {
              type: 'rect',
              shape: { x: center[0] - w / 2, y: center[1] - h / 2, width: w, height: h },
              style: {
                fill: state === 1 ? DRIFT : state === 0 ? NO_DRIFT : UNMEASURED,
                stroke: 'rgba(128,128,128,0.35)',
              },
              textContent:
                showScores && Number.isFinite(score)
                  ? { style: { text: formatNumber(Number(score.toPrecision(2))), fill: '#ffffff', fontSize: 11 } }
                  : undefined,
              textConfig: { position: 'inside' },
            };
          },
        },
      ],
    };
  }, [passes, features, labels, labelColor]);

  const scores = useMemo(
    () => ({
      animation: false,
      xAxis: { type: 'time' },
      yAxis: { type: 'value', scale: true, name: 'drift score', nameLocation: 'middle', nameGap: 42 },
      dataZoom: [{ type: 'inside' }],
      series: features.map((f) => ({
        name: f,
        type: 'line',
        showSymbol: passes.length < 60,
        data: passes.flatMap((p) => {
          const s = p.features.get(f)?.score;
          return s === null || s === undefined ? [] : [[p.time, s]];
        }),
      })),
    }),
    [passes, features],
  );

  const share = useMemo(
    () => ({
      animation: false,
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: labels, axisLabel: { rotate: 30, color: labelColor } },
      yAxis: { type: 'value', min: 0, max: 1, name: 'share', nameLocation: 'middle', nameGap: 42 },
      grid: { left: 64, right: 16, top: 16, bottom: 56 },
      legend: { show: false },
      series: [
        {
          name: 'drift share',
          type: 'bar',
          data: passes.map((p) => ({
            value: p.driftShare ?? 0,
            itemStyle: { color: p.datasetDrift ? DRIFT : p.datasetDrift === false ? NO_DRIFT : UNMEASURED },
          })),
        },
      ],
    }),
    [passes, labels, labelColor],
  );

  const classes = useMemo(() => predictionClasses(passes), [passes]);
  const predictions = useMemo(
    () => ({
      animation: false,
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: labels, axisLabel: { rotate: 30, color: labelColor } },
      yAxis: { type: 'value', min: 0, max: 1, name: 'share', nameLocation: 'middle', nameGap: 42 },
      grid: { left: 64, right: 16, top: 36, bottom: 56 },
      series: [
        ...classes.map((c) => ({
          name: `class ${c}`,
          type: 'bar',
          stack: 'share',
          data: passes.map((p) => p.predictionShares.get(c) ?? null),
        })),
        {
          name: 'mean P(class 1)',
          type: 'line',
          data: passes.map((p) => p.predictionMean),
        },
      ],
    }),
    [passes, labels, classes, labelColor],
  );

  const liveKeys = useMemo(() => liveMetricKeys(passes), [passes]);
  const live = useMemo(
    () => ({
      animation: false,
      xAxis: { type: 'time' },
      yAxis: { type: 'value', scale: true },
      dataZoom: [{ type: 'inside' }],
      series: liveKeys.map((k) => {
        const min = minimums.get(k);
        return {
          name: k,
          type: 'line',
          showSymbol: passes.length < 60,
          data: passes.flatMap((p) => (p.live.has(k) ? [[p.time, p.live.get(k)]] : [])),
          markLine:
            min === undefined
              ? undefined
              : {
                  symbol: 'none',
                  lineStyle: { type: 'dashed' },
                  label: { formatter: `policy ${k.slice(5)} ≥ ${min}`, position: 'insideEndTop' },
                  data: [{ yAxis: min }],
                },
        };
      }),
    }),
    [passes, liveKeys, minimums],
  );

  return (
    <div className="stack">
      <section className="card" aria-label="Drift per feature">
        <Chart option={heatmap} title="Drift per feature" height={Math.max(160, features.length * 30 + 90)} />
        <p className="muted small">
          One column per monitoring pass; red: drift detected, green: none, grey: not decided. The number is the
          feature's drift score (a p-value or a distance, per its method; hover for the method and threshold).
        </p>
      </section>
      <div className="cards">
        <section className="card" aria-label="Drift scores over time">
          <Chart option={scores} title="Drift score per feature" />
        </section>
        <section className="card" aria-label="Data set drift">
          <Chart option={share} title="Data set drift (share of features drifting)" />
        </section>
        {classes.length > 0 || passes.some((p) => p.predictionMean !== null) ? (
          <section className="card" aria-label="Prediction distribution">
            <Chart option={predictions} title="Prediction distribution" />
          </section>
        ) : null}
        <section className="card" aria-label="Live performance">
          {liveKeys.length > 0 ? (
            <Chart option={live} title="Live performance" />
          ) : (
            <p className="muted">
              No live performance yet: it appears once feedback labels for the logged predictions exist (
              <code>live.accuracy</code> and the others are logged from then on).
            </p>
          )}
        </section>
      </div>
    </div>
  );
}
