// One ECharts chart that follows the theme and the container's size, with PNG and SVG export.
// The SVG is drawn by a second, server-side-rendering instance, so the on-screen chart stays on canvas.
import { useEffect, useRef, useState } from 'react';
import { downloadBlob, downloadText } from '../lib/download.js';
import { type EChartsOption, echarts } from '../lib/echarts.js';
import { type Theme, currentTheme } from '../lib/theme.js';

interface Props {
  option: EChartsOption;
  /** Accessible name, also the export file name. */
  title: string;
  height?: number;
  /** Called with the data item of a clicked point or line (e.g. to open its run). */
  onItemClick?: (data: unknown) => void;
}

/** The chart's element, carrying the option ECharts holds (read by the browser tests and from devtools). */
export type ChartElement = HTMLDivElement & { echartsOption?: () => unknown };

function themed(option: EChartsOption, theme: Theme): EChartsOption {
  const dark = theme === 'dark';
  const fg = dark ? '#e6e8eb' : '#1b1f24';
  const grid = dark ? '#343b46' : '#e3e7ec';
  const axis = {
    axisLabel: { color: fg },
    axisLine: { lineStyle: { color: grid } },
    splitLine: { lineStyle: { color: grid } },
  };
  const merge = (a: unknown, extra: object = {}) =>
    Array.isArray(a)
      ? a.map((x) => ({ ...axis, ...extra, ...(x as object) }))
      : { ...axis, ...extra, ...((a as object) ?? {}) };
  const out: EChartsOption = {
    backgroundColor: dark ? '#0f1217' : '#ffffff',
    textStyle: { color: fg },
    tooltip: { trigger: 'axis' },
    ...option,
    legend: { textStyle: { color: fg }, type: 'scroll', top: 0, ...((option.legend as object) ?? {}) },
  };
  // a parallel-coordinates chart has no cartesian axes: adding them would draw an empty grid
  if (option.parallelAxis !== undefined) {
    out.parallelAxis = merge(option.parallelAxis, { nameTextStyle: { color: fg } });
  } else {
    out.grid = { left: 56, right: 20, top: 36, bottom: 40, ...((option.grid as object) ?? {}) };
    out.xAxis = merge(option.xAxis, { nameTextStyle: { color: fg } });
    out.yAxis = merge(option.yAxis, { nameTextStyle: { color: fg } });
  }
  if (option.visualMap !== undefined) out.visualMap = { textStyle: { color: fg }, ...(option.visualMap as object) };
  if (option.dataZoom !== undefined) {
    out.dataZoom = (option.dataZoom as object[]).map((z) => ({ textStyle: { color: fg }, ...z }));
  }
  return out;
}

function fileName(title: string, ext: string): string {
  return `${title.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'chart'}.${ext}`;
}

export function Chart({ option, title, height = 260, onItemClick }: Props) {
  const ref = useRef<ChartElement>(null);
  const clickRef = useRef(onItemClick);
  clickRef.current = onItemClick;
  const chartRef = useRef<echarts.ECharts | null>(null);
  const [theme, setTheme] = useState(currentTheme);

  useEffect(() => {
    const onTheme = () => setTheme(currentTheme());
    window.addEventListener('cairn-theme', onTheme);
    return () => window.removeEventListener('cairn-theme', onTheme);
  }, []);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = echarts.init(el, undefined, { renderer: 'canvas' });
    chartRef.current = chart;
    el.echartsOption = () => chart.getOption();
    chart.on('click', (params) => clickRef.current?.(params.data));
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      el.echartsOption = undefined;
      chart.dispose();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    chartRef.current?.setOption(themed(option, theme), { notMerge: true });
  }, [option, theme]);

  const exportPng = () => {
    const chart = chartRef.current;
    if (!chart) return;
    const url = chart.getDataURL({ type: 'png', pixelRatio: 2 });
    void fetch(url)
      .then((r) => r.blob())
      .then((blob) => downloadBlob(fileName(title, 'png'), blob));
  };
  const exportSvg = () => {
    const el = ref.current;
    if (!el) return;
    const ssr = echarts.init(null, undefined, {
      renderer: 'svg',
      ssr: true,
      width: el.clientWidth || 640,
      height: el.clientHeight || height,
    });
    ssr.setOption({ ...themed(option, theme), animation: false });
    const svg = ssr.renderToSVGString();
    ssr.dispose();
    downloadText(fileName(title, 'svg'), svg, 'image/svg+xml');
  };

  return (
    <figure style={{ margin: 0 }}>
      <div className="row">
        <figcaption className="grow" style={{ fontWeight: 600 }}>
          {title}
        </figcaption>
        <button type="button" onClick={exportPng} aria-label={`Export ${title} as PNG`}>
          PNG
        </button>
        <button type="button" onClick={exportSvg} aria-label={`Export ${title} as SVG`}>
          SVG
        </button>
      </div>
      <div ref={ref} className="chart" style={{ height }} role="img" aria-label={`Chart: ${title}`} />
    </figure>
  );
}
