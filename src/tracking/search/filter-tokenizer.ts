// Splits a search filter or order_by clause into tokens that remember their position, so every
// syntax error can say where it happened.
import { InvalidParameter } from '../../core/errors.js';

export type TokenKind = 'identifier' | 'string' | 'number' | 'operator' | 'lparen' | 'rparen' | 'comma' | 'eof';

export interface IdentifierPart {
  text: string;
  quoted: boolean;
}

export interface Token {
  kind: TokenKind;
  /** Source text of the token (for identifiers, the raw text including quotes). */
  text: string;
  /** 0-based character offset into the input. */
  position: number;
  /** Identifier segments split on unquoted dots: `metrics.\`a b\`` → [metrics, a b]. */
  parts?: IdentifierPart[];
  /** Decoded value of a string literal or number. */
  value?: string | number;
}

const OPERATORS = ['<=', '>=', '!=', '<>', '=', '<', '>'];
const WORD = /[\p{L}\p{N}_]/u;

/** Filters longer than this are echoed in part in errors: the reason, not the echo, must reach the user. */
const MAX_ECHOED_FILTER = 200;

/** The filter as an error quotes it: whole when short, else the part around `position`. */
export function echoFilter(input: string, position: number): string {
  if (input.length <= MAX_ECHOED_FILTER) return input;
  const start = Math.max(0, Math.min(position - MAX_ECHOED_FILTER / 2, input.length - MAX_ECHOED_FILTER));
  const end = start + MAX_ECHOED_FILTER;
  return `${start > 0 ? '…' : ''}${input.slice(start, end)}${end < input.length ? '…' : ''}`;
}

/** `Invalid search expression '<filter>': <reason> at position N`, the filter shortened if long. */
export function searchExpressionError(input: string, position: number, detail: string, after = ''): InvalidParameter {
  return new InvalidParameter(
    `Invalid search expression '${echoFilter(input, position)}': ${detail} at position ${position}${after}`,
  );
}

export function syntaxError(input: string, position: number, detail: string): InvalidParameter {
  const near = input.slice(position, position + 20);
  return searchExpressionError(input, position, detail, near ? ` near '${near}'` : '');
}

function readQuoted(input: string, start: number): { text: string; end: number } {
  const quote = input[start];
  let i = start + 1;
  let text = '';
  while (i < input.length) {
    const c = input[i];
    if (c === '\\' && i + 1 < input.length) {
      text += input[i + 1];
      i += 2;
      continue;
    }
    if (c === quote) {
      // SQL style doubled quote stands for one quote character.
      if (input[i + 1] === quote) {
        text += quote;
        i += 2;
        continue;
      }
      return { text, end: i + 1 };
    }
    text += c;
    i += 1;
  }
  throw syntaxError(input, start, `unterminated quoted text starting with ${quote}`);
}

function readWord(input: string, start: number): number {
  let i = start;
  while (i < input.length && WORD.test(input[i])) i += 1;
  return i;
}

function readIdentifier(input: string, start: number): Token {
  const parts: IdentifierPart[] = [];
  let i = readWord(input, start);
  parts.push({ text: input.slice(start, i), quoted: false });
  while (input[i] === '.') {
    const next = input[i + 1];
    if (next === '`' || next === '"') {
      const q = readQuoted(input, i + 1);
      parts.push({ text: q.text, quoted: true });
      i = q.end;
    } else if (next !== undefined && WORD.test(next)) {
      const end = readWord(input, i + 1);
      parts.push({ text: input.slice(i + 1, end), quoted: false });
      i = end;
    } else {
      throw syntaxError(input, i, 'expected a name after "."');
    }
  }
  return { kind: 'identifier', text: input.slice(start, i), position: start, parts };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/;

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    const start = i;
    if (c === '(') {
      tokens.push({ kind: 'lparen', text: c, position: i });
      i += 1;
      continue;
    }
    if (c === ')') {
      tokens.push({ kind: 'rparen', text: c, position: i });
      i += 1;
      continue;
    }
    if (c === ',') {
      tokens.push({ kind: 'comma', text: c, position: i });
      i += 1;
      continue;
    }
    const op = OPERATORS.find((o) => input.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'operator', text: op === '<>' ? '!=' : op, position: i });
      i += op.length;
      continue;
    }
    if (c === "'" || c === '"') {
      const q = readQuoted(input, i);
      tokens.push({ kind: 'string', text: input.slice(start, q.end), position: start, value: q.text });
      i = q.end;
      continue;
    }
    if (c === '`') {
      // A bare backquoted name, e.g. an order_by key written as `run name`.
      const q = readQuoted(input, i);
      tokens.push({
        kind: 'identifier',
        text: input.slice(start, q.end),
        position: start,
        parts: [{ text: q.text, quoted: true }],
      });
      i = q.end;
      continue;
    }
    const num = NUMBER.exec(input.slice(i));
    if (num && /[\d.+-]/.test(c) && !WORD.test(input[i + num[0].length] ?? ' ')) {
      tokens.push({ kind: 'number', text: num[0], position: i, value: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    if (WORD.test(c)) {
      const tok = readIdentifier(input, i);
      tokens.push(tok);
      i = start + tok.text.length;
      continue;
    }
    throw syntaxError(input, i, `unexpected character '${c}'`);
  }
  tokens.push({ kind: 'eof', text: '', position: input.length });
  return tokens;
}

/** True when the token is the given keyword (case-insensitive, unquoted, single part). */
export function isKeyword(token: Token, keyword: string): boolean {
  return (
    token.kind === 'identifier' &&
    token.parts?.length === 1 &&
    !token.parts[0].quoted &&
    token.parts[0].text.toUpperCase() === keyword
  );
}
