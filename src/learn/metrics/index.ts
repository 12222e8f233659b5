// Public surface of the metrics: plain functions on label and score arrays.
export * from './classification.js';
export * from './classification-report.js';
export * from './ranking.js';
export * from './probabilistic.js';
