// Parses a filter string into a list of comparisons joined by AND. The grammar is shared by the
// run and experiment filters; which identifiers and comparators are allowed is decided later.
import { MAX_FILTER_COMPARISONS } from '../validation.js';
import { isKeyword, syntaxError, tokenize, type IdentifierPart, type Token } from './filter-tokenizer.js';

export type Comparator =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'LIKE'
  | 'ILIKE'
  | 'IN'
  | 'NOT IN'
  | 'IS NULL'
  | 'IS NOT NULL';

export type FilterValue =
  | { kind: 'number'; value: number; text: string }
  | { kind: 'string'; value: string }
  | { kind: 'list'; values: string[] }
  | { kind: 'none' };

export interface ParsedComparison {
  identifier: IdentifierPart[];
  identifierText: string;
  comparator: Comparator;
  value: FilterValue;
  /** Offsets of the identifier and of the value, for error messages. */
  position: number;
  valuePosition: number;
}

class Cursor {
  private index = 0;
  constructor(
    readonly input: string,
    private readonly tokens: Token[],
  ) {}
  peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }
  next(): Token {
    const t = this.peek();
    this.index += 1;
    return t;
  }
  fail(token: Token, detail: string): never {
    throw syntaxError(
      this.input,
      token.position,
      `${detail}, got ${token.kind === 'eof' ? 'end of input' : `'${token.text}'`}`,
    );
  }
}

function parseComparator(cur: Cursor): Comparator {
  const t = cur.next();
  if (t.kind === 'operator') return t.text as Comparator;
  if (isKeyword(t, 'LIKE')) return 'LIKE';
  if (isKeyword(t, 'ILIKE')) return 'ILIKE';
  if (isKeyword(t, 'IN')) return 'IN';
  if (isKeyword(t, 'NOT')) {
    const n = cur.next();
    if (isKeyword(n, 'IN')) return 'NOT IN';
    cur.fail(n, 'expected IN after NOT');
  }
  if (isKeyword(t, 'IS')) {
    const n = cur.next();
    if (isKeyword(n, 'NULL')) return 'IS NULL';
    if (isKeyword(n, 'NOT') && isKeyword(cur.peek(), 'NULL')) {
      cur.next();
      return 'IS NOT NULL';
    }
    cur.fail(n, 'expected NULL or NOT NULL after IS');
  }
  return cur.fail(t, 'expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL)');
}

function parseList(cur: Cursor): FilterValue {
  const open = cur.next();
  if (open.kind !== 'lparen') cur.fail(open, 'expected "(" starting a list of quoted strings');
  const values: string[] = [];
  for (;;) {
    const t = cur.next();
    if (t.kind !== 'string') cur.fail(t, 'expected a quoted string in the list');
    values.push(t.value as string);
    const sep = cur.next();
    if (sep.kind === 'rparen') break;
    if (sep.kind !== 'comma') cur.fail(sep, 'expected "," or ")" in the list');
  }
  return { kind: 'list', values };
}

function parseValue(cur: Cursor, comparator: Comparator): FilterValue {
  if (comparator === 'IS NULL' || comparator === 'IS NOT NULL') return { kind: 'none' };
  if (comparator === 'IN' || comparator === 'NOT IN') return parseList(cur);
  const t = cur.next();
  if (t.kind === 'string') return { kind: 'string', value: t.value as string };
  if (t.kind === 'number') return { kind: 'number', value: t.value as number, text: t.text };
  return cur.fail(t, 'expected a number or a quoted string');
}

/** Parses `expr (AND expr)*`; an empty or blank filter yields no comparisons. */
export function parseFilter(input: string | undefined): ParsedComparison[] {
  if (input === undefined || input.trim() === '') return [];
  const cur = new Cursor(input, tokenize(input));
  const out: ParsedComparison[] = [];
  for (;;) {
    const id = cur.next();
    if (id.kind !== 'identifier' || isKeyword(id, 'AND')) cur.fail(id, 'expected an identifier such as metrics.<key>');
    if (out.length === MAX_FILTER_COMPARISONS)
      cur.fail(id, `a filter may hold at most ${MAX_FILTER_COMPARISONS} comparisons`);
    const comparator = parseComparator(cur);
    const valuePosition = cur.peek().position;
    const value = parseValue(cur, comparator);
    out.push({
      identifier: id.parts!,
      identifierText: id.text,
      comparator,
      value,
      position: id.position,
      valuePosition,
    });
    const sep = cur.next();
    if (sep.kind === 'eof') return out;
    if (!isKeyword(sep, 'AND')) cur.fail(sep, 'expected AND or end of filter (OR is not supported)');
  }
}

export interface ParsedOrderBy {
  identifier: IdentifierPart[];
  identifierText: string;
  ascending: boolean;
  position: number;
}

/** Parses one order_by clause: `<identifier> [ASC|DESC]`. */
export function parseOrderByClause(input: string): ParsedOrderBy {
  const cur = new Cursor(input, tokenize(input));
  const id = cur.next();
  if (id.kind !== 'identifier') cur.fail(id, 'expected an order_by key such as metrics.<key>');
  let ascending = true;
  const dir = cur.next();
  if (isKeyword(dir, 'DESC')) ascending = false;
  else if (!isKeyword(dir, 'ASC') && dir.kind !== 'eof') cur.fail(dir, 'expected ASC or DESC');
  if (dir.kind !== 'eof') {
    const end = cur.next();
    if (end.kind !== 'eof') cur.fail(end, 'expected end of order_by clause');
  }
  return { identifier: id.parts!, identifierText: id.text, ascending, position: id.position };
}
