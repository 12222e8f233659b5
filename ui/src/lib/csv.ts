// "Download CSV": one row per run, the chosen columns, values as the API holds them (RFC 4180 quoting).
import type { Run } from '../api/types.js';
import { type ColumnRef, cellValue, columnId } from './columns.js';

export function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Header `run_id` then each column id (`metrics.accuracy`); times stay epoch milliseconds. */
export function runsToCsv(runs: Run[], columns: ColumnRef[]): string {
  const cols = columns.filter((c) => !(c.kind === 'attributes' && c.key === 'run_id'));
  const lines = [['run_id', ...cols.map(columnId)].map(csvField).join(',')];
  for (const run of runs) {
    lines.push([run.info.run_id, ...cols.map((c) => cellValue(run, c))].map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
