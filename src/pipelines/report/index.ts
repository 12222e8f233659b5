// `cairn report`'s machinery: collect an experiment's runs, rank them, write CSV, Markdown and HTML.
export { writeExperimentReport, defaultReportDir, DEFAULT_REPORT_METRIC } from './experiment-report.js';
export type { ExperimentReport, ExperimentReportOptions } from './experiment-report.js';
export { collectRuns, ReportInputError } from './collect-runs.js';
export type { CollectedRuns, Logged, ReportRun } from './collect-runs.js';
export { rankRuns, metricDirection, metricValue } from './rank-runs.js';
export type { Direction, Ranked } from './rank-runs.js';
export { buildReportData, imbalanceSentence, formatMetric, POSITIVE_RATE_KEYS } from './report-data.js';
export type { ReportData, Imbalance } from './report-data.js';
export { resultsCsv, csvField } from './results-csv.js';
export { summaryMarkdown, paramsOf, metricsOf } from './summary-markdown.js';
export { reportHtml, inlineSvg, numericParams } from './report-html.js';
