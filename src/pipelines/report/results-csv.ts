// experiment_results.csv: one row per run — run_id, run_name, status, then params.* and metrics.*
// (latest values), keys sorted; RFC 4180 quoting.
import type { Run } from '../../tracking/entities.js';

/** Quotes a field holding a comma, quote, line break or edge whitespace (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const keys = (runs: readonly Run[], pick: (r: Run) => Array<{ key: string }>) =>
  [...new Set(runs.flatMap((r) => pick(r).map((e) => e.key)))].sort();

export function resultsCsv(runs: readonly Run[]): string {
  const paramKeys = keys(runs, (r) => r.data.params);
  const metricKeys = keys(runs, (r) => r.data.metrics);
  const header = [
    'run_id',
    'run_name',
    'status',
    ...paramKeys.map((k) => `params.${k}`),
    ...metricKeys.map((k) => `metrics.${k}`),
  ];
  const rows = runs.map((r) => {
    const params = new Map(r.data.params.map((p) => [p.key, p.value]));
    const metrics = new Map(r.data.metrics.map((m) => [m.key, m.value]));
    return [
      r.info.runId,
      r.info.runName ?? '',
      r.info.status,
      ...paramKeys.map((k) => params.get(k) ?? ''),
      ...metricKeys.map((k) => (metrics.has(k) ? String(metrics.get(k)) : '')),
    ];
  });
  return `${[header, ...rows].map((cells) => cells.map(csvField).join(',')).join('\r\n')}\r\n`;
}
