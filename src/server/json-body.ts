// Parses MLflow request bodies: JSON objects, tolerating what MLflow's Flask server tolerates.
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { CairnError, InvalidParameter } from '../core/errors.js';
import { parseExactJson } from '../core/exact-json.js';

/**
 * Bodies over the route limit are read to the end and discarded (not buffered) before the 413 goes
 * out, so the client sees the error instead of a connection reset mid-upload; past this size the
 * connection is simply closed.
 */
export const DRAIN_LIMIT = 256 * 1024 * 1024;

function bodyTooLarge(limit: number): Error {
  return Object.assign(new Error(`Request body is larger than the ${limit} bytes this endpoint accepts.`), {
    code: 'FST_ERR_CTP_BODY_TOO_LARGE',
    statusCode: 413,
  });
}

/** Reads a request body as UTF-8 text, up to `limit` bytes. */
export function readBodyText(
  payload: IncomingMessage,
  limit: number,
  done: (err: Error | null, text?: string) => void,
): void {
  const declared = Number(payload.headers['content-length']);
  if (declared > DRAIN_LIMIT) {
    done(bodyTooLarge(limit));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  payload.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      chunks.length = 0;
      if (size > DRAIN_LIMIT) payload.destroy();
      return;
    }
    chunks.push(chunk);
  });
  payload.on('end', () => {
    if (size > limit) {
      done(bodyTooLarge(limit));
      return;
    }
    const bytes = Buffer.concat(chunks, size);
    const text = bytes.toString('utf8');
    // decoding replaces bad bytes with U+FFFD: refuse them rather than store a different text
    if (text.includes('\uFFFD') && !isUtf8(bytes)) {
      done(new InvalidParameter('Request body is not valid UTF-8 text; send JSON encoded as UTF-8.'));
      return;
    }
    done(null, text);
  });
  payload.on('error', (err) => done(err));
}

/**
 * Rewrites JSON text outside its strings: at each position `rewrite` claims `length` characters and
 * may give their replacement. Returns the text itself when nothing was rewritten.
 */
function rewriteOutsideStrings(text: string, rewrite: (at: number) => { length: number; by?: string }): string {
  let out = '';
  let i = 0;
  let last = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    const { length, by } = rewrite(i);
    if (by !== undefined) {
      out += text.slice(last, i) + by;
      last = i + length;
    }
    i += length;
  }
  return last === 0 ? text : out + text.slice(last);
}

/**
 * Python's json.dumps writes bare NaN / Infinity / -Infinity; MLflow's server accepts them.
 * Rewrites those tokens (outside strings) into the string forms protobuf JSON uses.
 */
const NON_FINITE_TOKENS = ['-Infinity', 'Infinity', 'NaN'];

export function quoteNonFiniteTokens(text: string): string {
  return rewriteOutsideStrings(text, (at) => {
    const token = NON_FINITE_TOKENS.find((t) => text.startsWith(t, at));
    return token ? { length: token.length, by: `"${token}"` } : { length: 1 };
  });
}

/** Returns the request object; an empty body is `{}` and a JSON string holding JSON is decoded again. */
export function parseJsonBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = parseExactJson(text);
  } catch {
    try {
      value = parseExactJson(quoteNonFiniteTokens(text));
    } catch (err) {
      throw new CairnError('MALFORMED_REQUEST', `Malformed JSON request body: ${(err as Error).message}`);
    }
  }
  // older MLflow clients post their JSON double-encoded as a string
  if (typeof value === 'string') return parseJsonBody(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidParameter('Request body must be a JSON object');
  }
  if (MAY_HOLD_REFUSED_FIELD.test(text)) refuseFields(value, { nul: true, prototype: true });
  if (text.includes('null')) bodiesWithNull.add(value);
  return value as Record<string, unknown>;
}

/** Parsed bodies whose text held `null`: only these may hold a null field (an unset one, to drop). */
const bodiesWithNull = new WeakSet<object>();

/** False when the body cannot hold a null anywhere, so a walk looking for one can be skipped. */
export function mayHoldNull(body: object): boolean {
  return bodiesWithNull.has(body);
}

/**
 * The fast path: one scan of the text, and a walk of the parsed body only when it may hold a field
 * to refuse. U+0000 can only arrive as the escape \u0000; a `__proto__` or `constructor` key appears
 * literally or with an escaped letter (`_` and lowercase letters escape as \u005x–\u007x; Python's
 * ensure_ascii escapes of accented text, \u00e9, do not match).
 */
const MAY_HOLD_REFUSED_FIELD = /__proto__|constructor|\\u00(?:00|[5-7])/;

/**
 * Text holding U+0000 is refused on every store: PostgreSQL cannot store it, and a name or value
 * that works on SQLite but not after a move to PostgreSQL would be a trap. Throws
 * INVALID_PARAMETER_VALUE naming the first field (MLflow style: `metrics[0].key`) that holds one.
 */
export function refuseNulCharacters(value: unknown): void {
  refuseFields(value, { nul: true, prototype: false });
}

/**
 * Prototype poisoning is refused as Fastify's default parser refuses it (secure-json-parse with
 * `onProtoPoisoning` and `onConstructorPoisoning` 'error'), but as MLflow's 400 naming the field: an
 * own `__proto__` key (JSON.parse keeps it as a plain property, which a later merge or spread may
 * turn into the prototype), or a `constructor` key holding an object with a `prototype`.
 */
function refuseFields(value: unknown, rules: Rules): void {
  const found = firstRefused(value, '', rules);
  if (found === null) return;
  const field = found.at || 'request';
  if (found.why === 'nul') {
    throw new InvalidParameter(
      `Invalid value for parameter '${field}': text may not contain the NUL character (\\u0000).`,
    );
  }
  throw new InvalidParameter(
    `Invalid value for parameter '${field}': a key may not be '__proto__', nor 'constructor' ` +
      "holding an object with a 'prototype' (prototype poisoning).",
  );
}

interface Rules {
  nul: boolean;
  prototype: boolean;
}
interface Refused {
  at: string;
  why: 'nul' | 'prototype';
}

const isObject = (v: unknown): v is object => v !== null && typeof v === 'object';

function isPoisonKey(key: string, value: unknown): boolean {
  if (key === '__proto__') return true;
  return key === 'constructor' && isObject(value) && Object.hasOwn(value, 'prototype');
}

/** The first field (depth first) a rule refuses, with its path in MLflow's style (`metrics[0].key`). */
function firstRefused(value: unknown, path: string, rules: Rules): Refused | null {
  if (typeof value === 'string') return rules.nul && value.includes('\0') ? { at: path, why: 'nul' } : null;
  if (!isObject(value)) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstRefused(value[i], `${path}[${i}]`, rules);
      if (found !== null) return found;
    }
    return null;
  }
  for (const [key, v] of Object.entries(value)) {
    const field = path ? `${path}.${key}` : key;
    if (rules.nul && key.includes('\0')) return { at: field, why: 'nul' };
    if (rules.prototype && isPoisonKey(key, v)) return { at: field, why: 'prototype' };
    const found = firstRefused(v, field, rules);
    if (found !== null) return found;
  }
  return null;
}
