// The registry search grammars: what each accepts, the clauses it produces, and what it rejects.
import { describe, expect, it } from 'vitest';
import { InvalidParameter } from '../../core/errors.js';
import {
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
} from './registry-filter.js';

describe('registered model filter', () => {
  it('parses name comparisons and tags joined by AND', () => {
    expect(
      parseRegisteredModelFilter(
        `name = 'heart' AND name ILIKE "%Heart%" AND tags.team != 'x' AND tags.\`a b\` LIKE 'v%'`,
      ),
    ).toEqual([
      { entity: 'attribute', key: 'name', comparator: '=', value: 'heart' },
      { entity: 'attribute', key: 'name', comparator: 'ILIKE', value: '%Heart%' },
      { entity: 'tag', key: 'team', comparator: '!=', value: 'x' },
      { entity: 'tag', key: 'a b', comparator: 'LIKE', value: 'v%' },
    ]);
    expect(parseRegisteredModelFilter(`attribute.name = 'x' AND tag.k = 'v'`)).toEqual([
      { entity: 'attribute', key: 'name', comparator: '=', value: 'x' },
      { entity: 'tag', key: 'k', comparator: '=', value: 'v' },
    ]);
    expect(parseRegisteredModelFilter('')).toEqual([]);
    expect(parseRegisteredModelFilter(undefined)).toEqual([]);
  });

  it.each([
    ["run_id = 'x'", /invalid attribute key 'run_id'/],
    ["name > 'a'", /invalid comparator/],
    ['name = 3', /quoted string/],
    ["name IN ('a')", /invalid comparator/],
    ["tags.k > 'a'", /invalid comparator for tag/],
    ["params.k = 'a'", /invalid entity type 'params'/],
    ["name = 'a' OR name = 'b'", /OR is not supported/],
    ["name = 'a", /unterminated/],
  ])('rejects %s', (filter, message) => {
    expect(() => parseRegisteredModelFilter(filter)).toThrow(InvalidParameter);
    expect(() => parseRegisteredModelFilter(filter)).toThrow(message);
  });

  it('orders by name and the last update (timestamp is its alias), refusing others and duplicates', () => {
    expect(parseRegisteredModelOrderBy(['name DESC', 'timestamp'])).toEqual([
      { key: 'name', ascending: false },
      { key: 'last_updated_timestamp', ascending: true },
    ]);
    expect(() => parseRegisteredModelOrderBy(['creation_timestamp'])).toThrow(/Invalid order by key/);
    expect(() => parseRegisteredModelOrderBy(['timestamp', 'last_updated_timestamp DESC'])).toThrow(/duplicate/);
    expect(() => parseRegisteredModelOrderBy(['name sideways'])).toThrow(InvalidParameter);
  });
});

describe('model version filter', () => {
  it('parses name, run_id (also IN), source_path, version_number and tags', () => {
    expect(
      parseModelVersionFilter(
        `name = 'm' AND run_id IN ('a', 'b') AND source_path LIKE 's3://%' AND version_number >= 2 AND version_number != '3' AND tags.k = 'v'`,
      ),
    ).toEqual([
      { entity: 'attribute', key: 'name', comparator: '=', value: 'm' },
      { entity: 'attribute', key: 'run_id', comparator: 'IN', value: ['a', 'b'] },
      { entity: 'attribute', key: 'source_path', comparator: 'LIKE', value: 's3://%' },
      { entity: 'attribute', key: 'version_number', comparator: '>=', value: 2 },
      { entity: 'attribute', key: 'version_number', comparator: '!=', value: 3 },
      { entity: 'tag', key: 'k', comparator: '=', value: 'v' },
    ]);
  });

  it.each([
    ["name IN ('a')", /invalid comparator for attribute name: IN/],
    ["version_number LIKE '1'", /invalid comparator for attribute version_number/],
    ["version_number = 'one'", /expected a number/],
    ["current_stage = 'Production'", /invalid attribute key 'current_stage'/],
    ["run_id NOT IN ('a')", /invalid comparator/],
  ])('rejects %s', (filter, message) => {
    expect(() => parseModelVersionFilter(filter)).toThrow(message);
  });

  it('orders by name, version_number and the two timestamps', () => {
    expect(
      parseModelVersionOrderBy(['version_number DESC', 'creation_timestamp', 'attribute.last_updated_timestamp ASC']),
    ).toEqual([
      { key: 'version_number', ascending: false },
      { key: 'creation_timestamp', ascending: true },
      { key: 'last_updated_timestamp', ascending: true },
    ]);
    expect(() => parseModelVersionOrderBy(['current_stage'])).toThrow(/Invalid order by key/);
  });
});
