// The experiment filter and order_by grammar: allowed keys, comparators and value types.
import { describe, expect, it } from 'vitest';
import { parseExperimentFilter, parseExperimentOrderBy } from './experiment-filter.js';

describe('parseExperimentFilter', () => {
  it('accepts name, numeric attributes and tags', () => {
    expect(
      parseExperimentFilter(
        "name LIKE 'heart%' AND creation_time > 10 AND tags.team = 'ml' AND attributes.last_update_time <= 5",
      ),
    ).toEqual([
      { entity: 'attribute', key: 'name', comparator: 'LIKE', value: 'heart%' },
      { entity: 'attribute', key: 'creation_time', comparator: '>', value: 10 },
      { entity: 'tag', key: 'team', comparator: '=', value: 'ml' },
      { entity: 'attribute', key: 'last_update_time', comparator: '<=', value: 5 },
    ]);
  });
  it.each([
    ["name > 'a'", "invalid comparator '>'"],
    ["creation_time LIKE '1'", "invalid comparator 'LIKE'"],
    ["creation_time = '1'", 'numeric'],
    ['name = 1', 'quoted string'],
    ["owner = 'x'", "invalid attribute key 'owner'"],
    ["metrics.a = 'x'", "invalid entity type 'metrics'"],
  ])('rejects %j', (filter, detail) => {
    expect(() => parseExperimentFilter(filter)).toThrow(detail);
  });
});

describe('parseExperimentOrderBy', () => {
  it('parses the orderable attributes', () => {
    expect(parseExperimentOrderBy(['name DESC', 'attributes.creation_time', 'experiment_id'])).toEqual([
      { key: 'name', ascending: false },
      { key: 'creation_time', ascending: true },
      { key: 'experiment_id', ascending: true },
    ]);
    expect(() => parseExperimentOrderBy(['tags.a'])).toThrow("invalid order_by key 'tags.a'");
  });
});
