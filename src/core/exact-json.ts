// JSON.parse that keeps integers beyond 2^53 exact: MLflow's int64 fields (steps, timestamps, run
// times) span the whole int64 range, and JSON.parse would round them. Shared by the server's body
// parser and the client's response reader.
import { int64FromBigInt } from './int64.js';

/**
 * 16 digits following what may precede a JSON number (`:`, `,`, `[`, JSON's whitespace): the only
 * text in which JSON.parse may round an integer (a plain character class: `\d{16}` alone retries
 * every digit run and costs more than JSON.parse). A fraction's digits follow a `.` and an exponent's an `e`,
 * so a metric batch's long floats (0.53274187259376052) keep the fast path; a match inside a
 * string or on a long float's integer part only costs the exact path, which then changes nothing.
 */
const LONG_INTEGER = /[:,[ \t\n\r]-?\d{16}/;
/** The same at the start of the text (a bare number). */
const LEADING_LONG_INTEGER = /^[ \t\n\r]*-?\d{16}/;

/** A string literal (skipped whole) or a long integer token to mark. */
const STRING_OR_LONG_INTEGER = /"[^"\\]*(?:\\[\s\S][^"\\]*)*"|(?<=^|[:,[ \t\n\r])-?\d{16,}(?=[,\]} \t\n\r]|$)/g;

/** Stands for an exact integer while JSON.parse reads the text; random so no client string can match it. */
const EXACT_INTEGER_MARK = `\u0001int64-${Math.random().toString(36).slice(2)}:`;
/** The mark as written inside a JSON string (a raw control character is not valid JSON). */
const EXACT_INTEGER_MARK_JSON = JSON.stringify(EXACT_INTEGER_MARK).slice(1, -1);

/** A marked string as JSON.stringify writes it, around the integer's digits. */
const MARKED_INTEGER_JSON = new RegExp(
  `"${EXACT_INTEGER_MARK_JSON.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}(-?\\d+)"`,
  'g',
);

/** True when `text` may hold an integer JSON.parse would round. */
export function mayHoldLongInteger(text: string): boolean {
  return LONG_INTEGER.test(text) || LEADING_LONG_INTEGER.test(text);
}

/**
 * Long integers (outside strings) become marked strings, read back by the reviver as a number when
 * exact, else a bigint.
 */
function parseMarkingLongIntegers(text: string): unknown {
  let marked = false;
  const rewritten = text.replace(STRING_OR_LONG_INTEGER, (token) => {
    if (token.charCodeAt(0) === 34 /* " */) return token;
    marked = true;
    return `"${EXACT_INTEGER_MARK_JSON}${token}"`;
  });
  if (!marked) return JSON.parse(text);
  return JSON.parse(rewritten, (_key, v: unknown) =>
    typeof v === 'string' && v.startsWith(EXACT_INTEGER_MARK)
      ? int64FromBigInt(BigInt(v.slice(EXACT_INTEGER_MARK.length)))
      : v,
  );
}

/**
 * JSON.parse, except that an integer beyond ±2^53 comes back as an exact bigint (any other number
 * as JSON.parse reads it). Text without a long integer costs one regex scan beside JSON.parse.
 */
export function parseExactJson(text: string): unknown {
  return mayHoldLongInteger(text) ? parseMarkingLongIntegers(text) : JSON.parse(text);
}

/**
 * JSON.stringify, writing a bigint as the exact JSON number it is (JSON.stringify refuses bigints).
 * Values without one take JSON.stringify alone; only a refused value is written again.
 */
export function stringifyExactJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
  const marked = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? `${EXACT_INTEGER_MARK}${v.toString()}` : v,
  );
  return marked.replace(MARKED_INTEGER_JSON, '$1');
}
