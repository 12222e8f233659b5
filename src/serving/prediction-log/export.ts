// `cairn predictions export`: the prediction log as CSV (the reference projects' prediction_log.csv
// shape — a timestamp, the input fields, the prediction, its probability and confidence — plus the
// request id, model, risk level, latency and ground truth) or as JSON lines.
import type { Writable } from 'node:stream';
import type { LoggedPrediction, PredictionLogStore } from './prediction-log-store.js';

export type ExportFormat = 'csv' | 'jsonl';

const LEADING = ['timestamp', 'request_id', 'model_name', 'model_version'];
const TRAILING = ['prediction', 'probability', 'confidence', 'risk_level', 'latency_ms', 'label', 'out_of_range'];

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s =
    typeof v === 'string'
      ? v
      : typeof v === 'boolean'
        ? v
          ? 'TRUE'
          : 'FALSE'
        : typeof v === 'number'
          ? String(v)
          : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function jsonLine(p: LoggedPrediction): Record<string, unknown> {
  return {
    timestamp: new Date(p.ts).toISOString(),
    request_id: p.requestId,
    model_name: p.modelName,
    model_version: p.modelVersion,
    endpoint: p.endpoint,
    inputs: p.inputs,
    prediction: p.prediction,
    probability: p.probability,
    confidence: p.confidence,
    risk_level: p.riskLevel,
    latency_ms: p.latencyMs,
    label: p.label,
    out_of_range: p.outOfRange,
  };
}

/** Writes one awaited chunk (respecting back-pressure). */
function write(out: Writable, text: string): Promise<void> | undefined {
  if (out.write(text)) return undefined;
  return new Promise((resolve) => out.once('drain', resolve));
}

/** Writes every prediction since `sinceMs`; returns how many. CSV reads the log twice (input columns first). */
export async function exportPredictions(
  store: PredictionLogStore,
  out: Writable,
  format: ExportFormat,
  sinceMs = 0,
): Promise<number> {
  let n = 0;
  if (format === 'jsonl') {
    for await (const p of store.read(sinceMs)) {
      await write(out, `${JSON.stringify(jsonLine(p))}\n`);
      n++;
    }
    return n;
  }
  const fields: string[] = [];
  const seen = new Set<string>();
  for await (const p of store.read(sinceMs)) {
    for (const k of Object.keys(p.inputs ?? {})) {
      if (!seen.has(k)) {
        seen.add(k);
        fields.push(k);
      }
    }
  }
  await write(out, `${[...LEADING, ...fields, ...TRAILING].map(csvCell).join(',')}\n`);
  for await (const p of store.read(sinceMs)) {
    const cells = [
      new Date(p.ts).toISOString(),
      p.requestId,
      p.modelName,
      p.modelVersion,
      ...fields.map((f) => p.inputs?.[f]),
      p.prediction,
      p.probability,
      p.confidence,
      p.riskLevel,
      p.latencyMs,
      p.label,
      p.outOfRange && p.outOfRange.length > 0 ? p.outOfRange : null,
    ];
    await write(out, `${cells.map(csvCell).join(',')}\n`);
    n++;
  }
  return n;
}

/** `--since`: an ISO date/time, or a duration back from now (`30m`, `24h`, `7d`). */
export function parseSince(text: string, now = Date.now()): number {
  const rel = /^(\d+(?:\.\d+)?)([mhd])$/.exec(text.trim());
  if (rel) return now - Number(rel[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 'm' | 'h' | 'd'];
  const t = /^\d{4}-\d{2}-\d{2}/.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (Number.isNaN(t))
    throw new Error(
      `--since must be an ISO date/time (2026-12-01, 2026-12-01T08:00:00Z) or a duration (30m, 24h, 7d), got '${text}'`,
    );
  return t;
}
