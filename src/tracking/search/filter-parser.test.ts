// Tokenizer and parser of the filter grammar: positions, keywords, quoting and syntax errors.
import { describe, expect, it } from 'vitest';
import { InvalidParameter } from '../../core/errors.js';
import { parseFilter, parseOrderByClause } from './filter-parser.js';
import { MAX_FILTER_COMPARISONS } from '../validation.js';
import { tokenize } from './filter-tokenizer.js';

function errorOf(fn: () => unknown): InvalidParameter {
  try {
    fn();
  } catch (e) {
    return e as InvalidParameter;
  }
  throw new Error('expected an error');
}

describe('tokenize', () => {
  it('records positions and splits identifiers on unquoted dots', () => {
    const toks = tokenize('metrics.`my metric` >= -1.5e2');
    expect(toks.map((t) => t.kind)).toEqual(['identifier', 'operator', 'number', 'eof']);
    expect(toks[0].parts).toEqual([
      { text: 'metrics', quoted: false },
      { text: 'my metric', quoted: true },
    ]);
    expect(toks[1].position).toBe(20);
    expect(toks[2].value).toBe(-150);
  });
  it('keeps dots inside quoted keys and decodes string escapes', () => {
    const toks = tokenize(`params."a.b" = 'it''s'`);
    expect(toks[0].parts?.[1]).toEqual({ text: 'a.b', quoted: true });
    expect(toks[2].value).toBe("it's");
  });
  it('rejects unterminated strings with the position of the quote', () => {
    const e = errorOf(() => tokenize("params.a = 'abc"));
    expect(e).toBeInstanceOf(InvalidParameter);
    expect(e.message).toContain('position 11');
  });
  it('rejects unexpected characters', () => {
    expect(errorOf(() => tokenize('metrics.a ~ 1')).message).toMatch(/unexpected character '~' at position 10/);
  });
});

describe('parseFilter', () => {
  it('parses comparisons joined by case-insensitive AND', () => {
    const out = parseFilter('metrics.acc > 0.9 and params.model = \'lr\' AND tags.x != "y"');
    expect(out.map((c) => [c.identifierText, c.comparator])).toEqual([
      ['metrics.acc', '>'],
      ['params.model', '='],
      ['tags.x', '!='],
    ]);
    expect(out[0].value).toEqual({ kind: 'number', value: 0.9, text: '0.9' });
    expect(out[2].value).toEqual({ kind: 'string', value: 'y' });
  });
  it('parses LIKE, ILIKE, IN, NOT IN and IS [NOT] NULL in any case', () => {
    const out = parseFilter(
      "params.a like 'x%' AND params.b ILike '%Y' AND attributes.run_id in ('a', 'b') " +
        "AND attributes.status NOT IN ('FAILED') AND tags.t is null AND tags.u IS NOT NULL",
    );
    expect(out.map((c) => c.comparator)).toEqual(['LIKE', 'ILIKE', 'IN', 'NOT IN', 'IS NULL', 'IS NOT NULL']);
    expect(out[2].value).toEqual({ kind: 'list', values: ['a', 'b'] });
  });
  it('treats an empty or blank filter as no clauses', () => {
    expect(parseFilter('')).toEqual([]);
    expect(parseFilter('   ')).toEqual([]);
    expect(parseFilter(undefined)).toEqual([]);
  });
  it.each([
    ['metrics.a > 1 OR metrics.b > 2', 14, "'OR'"],
    ['metrics.a >', 11, 'end of input'],
    ['metrics.a 1', 10, "'1'"],
    ["attributes.run_id IN 'a'", 21, "got ''a''"],
    ["attributes.run_id IN ('a' 'b')", 26, "got ''b''"],
    ['> 1', 0, "'>'"],
    ['metrics.a > 1 AND', 17, 'end of input'],
    ['metrics. > 1', 7, ''],
  ])('rejects %j at position %i', (filter, position, token) => {
    const e = errorOf(() => parseFilter(filter));
    expect(e).toBeInstanceOf(InvalidParameter);
    expect(e.errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(e.message).toContain(`at position ${position}`);
    if (token) expect(e.message).toContain(token);
  });
});

describe('parseOrderByClause', () => {
  it('defaults to ascending and reads DESC/ASC in any case', () => {
    expect(parseOrderByClause('metrics.m1').ascending).toBe(true);
    expect(parseOrderByClause('metrics.m1 desc').ascending).toBe(false);
    expect(parseOrderByClause('tags.`a b` ASC').identifier[1]).toEqual({ text: 'a b', quoted: true });
  });
  it('rejects trailing garbage', () => {
    expect(errorOf(() => parseOrderByClause('metrics.m1 DESC extra')).message).toContain('position 16');
    expect(errorOf(() => parseOrderByClause('metrics.m1 sideways')).message).toContain("'sideways'");
  });
});

describe('filter size limit', () => {
  it('refuses more comparisons than one SQL join can hold, naming the position', () => {
    const terms = (n: number) => Array.from({ length: n }, (_, i) => `metrics.m${i} > 0`).join(' AND ');
    expect(parseFilter(terms(MAX_FILTER_COMPARISONS))).toHaveLength(MAX_FILTER_COMPARISONS);
    expect(() => parseFilter(terms(MAX_FILTER_COMPARISONS + 1))).toThrow(
      `at most ${MAX_FILTER_COMPARISONS} comparisons`,
    );
  });
});
