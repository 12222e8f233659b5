// Server-side charts (ECharts SSR to SVG, resvg to PNG) and the evaluation plots a training run logs.
export { renderChart, renderSvg, svgToPng, CHART_FONT_FAMILY } from './chart-image.js';
export type { ChartImage, ChartOption, ChartSize } from './chart-image.js';
export {
  confusionMatrixChart,
  rocCurveChart,
  precisionRecallChart,
  calibrationChart,
} from './classification-charts.js';
export type { ConfusionMatrixInput, RocCurveSeries, PrCurveSeries, CalibrationInput } from './classification-charts.js';
export { featureImportanceChart, metricByRunChart, paramVsMetricChart, searchProgressChart } from './bar-charts.js';
export type { FeatureImportance, TrialPoint } from './bar-charts.js';
export { renderEvaluationPlots, PLOT_PATHS } from './evaluation-plots.js';
export type {
  EvaluationPlotsInput,
  PlotArtifact,
  RocCurveJson,
  PrCurveJson,
  ConfusionMatrixJson,
} from './evaluation-plots.js';
