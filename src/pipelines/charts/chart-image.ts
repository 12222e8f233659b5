// Renders an ECharts option on the server: SVG with ECharts' SSR renderer, PNG from that SVG with resvg
// (rasterised on first access, so callers that only inline SVG never pay for it).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import * as echarts from 'echarts';

/** The font every chart asks for; resvg is given its files (see fontOptions). */
export const CHART_FONT_FAMILY = 'DejaVu Sans';

/** An ECharts option object (the library's own type, kept loose so callers build plain literals). */
export type ChartOption = echarts.EChartsCoreOption;

export interface ChartSize {
  width: number;
  height: number;
}

/** One rendered chart: the SVG text and its PNG rendering. */
export interface ChartImage {
  readonly svg: string;
  readonly png: Buffer;
}

// Where Debian (fonts-dejavu-core), Fedora, Arch and Homebrew put DejaVu Sans.
const FONT_DIRS = [
  '/usr/share/fonts/truetype/dejavu',
  '/usr/share/fonts/dejavu-sans-fonts',
  '/usr/share/fonts/TTF',
  '/usr/share/fonts/dejavu',
  '/usr/local/share/fonts',
  '/opt/homebrew/share/fonts',
];
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];

let cachedFontOptions: ResvgRenderOptions['font'] | undefined;

/**
 * resvg draws no text at all without a font. Loading the two DejaVu files directly takes ~10 ms;
 * scanning every system font takes ~100 ms per render, so that is only the fallback.
 * CAIRN_CHART_FONT_DIR points at another directory holding DejaVuSans.ttf.
 */
export function fontOptions(): ResvgRenderOptions['font'] {
  if (cachedFontOptions) return cachedFontOptions;
  const dirs = process.env.CAIRN_CHART_FONT_DIR ? [process.env.CAIRN_CHART_FONT_DIR, ...FONT_DIRS] : FONT_DIRS;
  const dir = dirs.find((d) => existsSync(path.join(d, FONT_FILES[0])));
  cachedFontOptions = dir
    ? {
        loadSystemFonts: false,
        fontFiles: FONT_FILES.map((f) => path.join(dir, f)).filter((f) => existsSync(f)),
        defaultFontFamily: CHART_FONT_FAMILY,
        sansSerifFamily: CHART_FONT_FAMILY,
      }
    : { loadSystemFonts: true, sansSerifFamily: CHART_FONT_FAMILY };
  return cachedFontOptions;
}

/** Options shared by every chart: no animation (SSR draws the first frame), white background, one font. */
function withDefaults(option: ChartOption): ChartOption {
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: CHART_FONT_FAMILY },
    // matplotlib's tab10: distinct on white, readable when several curves overlay.
    color: ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22'],
    ...option,
  };
}

/** The chart as SVG text. The instance is disposed, or ECharts' timers would keep Node alive. */
export function renderSvg(option: ChartOption, size: ChartSize): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption(withDefaults(option));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** SVG text rasterised at its own size. */
export function svgToPng(svg: string): Buffer {
  return new Resvg(svg, { font: fontOptions(), background: '#ffffff' }).render().asPng();
}

class RenderedChart implements ChartImage {
  private pngCache: Buffer | undefined;
  constructor(readonly svg: string) {}
  get png(): Buffer {
    this.pngCache ??= svgToPng(this.svg);
    return this.pngCache;
  }
}

export function renderChart(option: ChartOption, size: ChartSize): ChartImage {
  return new RenderedChart(renderSvg(option, size));
}
