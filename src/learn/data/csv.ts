// CSV text → Frame: header row, per-column type inference, configurable missing markers.
import { parse } from 'csv-parse/sync';
import type { Column, Frame } from '../core/frame.js';
import { categoricalColumn, frame, numericColumn } from '../core/frame.js';

export type ColumnKind = 'numeric' | 'categorical';

/** Markers read as missing, as pandas' defaults minus the rarer ones, plus `?` (UCI files). */
export const DEFAULT_NA_VALUES: readonly string[] = ['', 'NA', 'N/A', '?', 'NaN', 'nan', 'null'];

export interface ParseCsvOptions {
  /** Force a column's kind instead of inferring it. A forced numeric column must parse. */
  columns?: Record<string, ColumnKind>;
  /** Cell texts read as missing (exact match, before trimming). Default DEFAULT_NA_VALUES. */
  naValues?: readonly string[];
  /** Field delimiter, default ','. */
  delimiter?: string;
}

export interface ParseCsvResult {
  frame: Frame;
  /** Non-fatal findings: blank lines skipped, duplicate header names renamed, all-missing columns. */
  warnings: string[];
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses a number the way a CSV reader should: decimal or exponent notation, `inf`, nothing else. */
export function parseNumberCell(text: string): number {
  const t = text.trim();
  if (NUMBER_RE.test(t)) return Number(t);
  const lower = t.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  return NaN;
}

interface RawRecord {
  record: string[];
  info: { lines: number; empty_lines: number };
}

/**
 * Reads CSV text (header row first) into a Frame. A column is numeric when every non-missing
 * cell parses as a number, categorical otherwise (so TRUE/FALSE stay categorical). A UTF-8 BOM
 * and CRLF line ends are accepted. A ragged row or an unclosed quote throws an Error naming the
 * 1-based line and column.
 */
export function parseCsv(text: string, options: ParseCsvOptions = {}): ParseCsvResult {
  const naValues = new Set(options.naValues ?? DEFAULT_NA_VALUES);
  const warnings: string[] = [];
  const rows = readRecords(text, options.delimiter ?? ',');
  if (rows.length === 0) throw new Error('parseCsv: the text has no header row');
  const header = uniqueNames(rows[0].record, warnings);
  const body = rows.slice(1);
  const emptyLines = rows[rows.length - 1].info.empty_lines;
  if (emptyLines > 0) warnings.push(`skipped ${emptyLines} blank line(s)`);

  const forced = options.columns ?? {};
  for (const name of Object.keys(forced)) {
    if (!header.includes(name))
      throw new Error(`parseCsv: options.columns names "${name}", which is not in the header (${header.join(', ')})`);
    if (forced[name] !== 'numeric' && forced[name] !== 'categorical') {
      throw new Error(
        `parseCsv: options.columns["${name}"] must be 'numeric' or 'categorical', got ${JSON.stringify(forced[name])}`,
      );
    }
  }

  const columns: Column[] = header.map((name, j) => {
    const cells = body.map((r) => r.record[j]);
    const kind = forced[name] ?? inferKind(cells, naValues);
    if (cells.every((c) => naValues.has(c)) && cells.length > 0) warnings.push(`column "${name}" is entirely missing`);
    if (kind === 'numeric') {
      const values = new Float64Array(cells.length);
      for (let i = 0; i < cells.length; i++) {
        const c = cells[i];
        if (naValues.has(c)) {
          values[i] = NaN;
          continue;
        }
        const v = parseNumberCell(c);
        if (Number.isNaN(v)) {
          throw new Error(
            `parseCsv: line ${body[i].info.lines}, column "${name}" (${j + 1}): "${c}" is not a number but the column is numeric`,
          );
        }
        values[i] = v;
      }
      return numericColumn(name, values);
    }
    return categoricalColumn(
      name,
      cells.map((c) => (naValues.has(c) ? null : c)),
    );
  });
  return { frame: frame(columns), warnings };
}

function inferKind(cells: string[], naValues: Set<string>): ColumnKind {
  for (const c of cells) {
    if (naValues.has(c)) continue;
    if (Number.isNaN(parseNumberCell(c))) return 'categorical';
  }
  return 'numeric';
}

function readRecords(text: string, delimiter: string): RawRecord[] {
  try {
    return parse(text, { bom: true, info: true, skip_empty_lines: true, delimiter }) as unknown as RawRecord[];
  } catch (err) {
    throw describeCsvError(err, text);
  }
}

interface CsvErrorLike {
  code?: string;
  lines?: number;
  record?: string[];
  message: string;
  column?: number;
}

function describeCsvError(err: unknown, text: string): Error {
  const e = err as CsvErrorLike;
  if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && e.record) {
    const header = firstLineFields(text, e.record.length);
    const got = e.record.length;
    const expected = header;
    const column = got < expected ? got + 1 : expected + 1;
    return new Error(
      `parseCsv: line ${e.lines}, column ${column}: expected ${expected} fields, got ${got} (ragged row)`,
    );
  }
  if (e.code === 'CSV_QUOTE_NOT_CLOSED') {
    const { line, column } = locateUnclosedQuote(text);
    return new Error(`parseCsv: line ${line}, column ${column}: quote opened here is never closed`);
  }
  if (e.code === 'CSV_INVALID_CLOSING_QUOTE' || e.code === 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE') {
    return new Error(`parseCsv: line ${e.lines}, column ${(e.column ?? 0) + 1}: malformed quoted field (${e.message})`);
  }
  return new Error(`parseCsv: ${e.message}`);
}

function firstLineFields(text: string, fallback: number): number {
  try {
    const first = parse(text, { bom: true, to_line: 1, skip_empty_lines: true }) as string[][];
    return first[0]?.length ?? fallback;
  } catch {
    return fallback;
  }
}

/** Scans for the quote that opens the field left open at end of input (1-based line, field). */
function locateUnclosedQuote(text: string): { line: number; column: number } {
  let line = 1;
  let field = 1;
  let inQuote = false;
  let openLine = 1;
  let openField = 1;
  let atFieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuote) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          i++;
          continue;
        }
        inQuote = false;
      } else if (ch === '\n') line++;
      continue;
    }
    if (ch === '"' && atFieldStart) {
      inQuote = true;
      openLine = line;
      openField = field;
      atFieldStart = false;
      continue;
    }
    if (ch === ',') {
      field++;
      atFieldStart = true;
      continue;
    }
    if (ch === '\n') {
      line++;
      field = 1;
      atFieldStart = true;
      continue;
    }
    if (ch !== '\r') atFieldStart = false;
  }
  return { line: openLine, column: openField };
}

/** Renames repeated header names as pandas does (`x`, `x.1`, `x.2`), with a warning. */
function uniqueNames(names: string[], warnings: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((raw, j) => {
    const name = raw.trim() === '' ? `Unnamed: ${j}` : raw;
    const n = seen.get(name) ?? 0;
    seen.set(name, n + 1);
    if (n === 0) return name;
    const renamed = `${name}.${n}`;
    warnings.push(`duplicate column name "${name}" renamed to "${renamed}"`);
    return renamed;
  });
}
