// Run filter validation: entity prefixes, attribute aliases, comparators and value types per entity.
import { describe, expect, it } from 'vitest';
import { InvalidParameter } from '../../core/errors.js';
import { parseRunFilter, parseRunOrderBy } from './run-filter.js';

function errorOf(fn: () => unknown): InvalidParameter {
  try {
    fn();
  } catch (e) {
    return e as InvalidParameter;
  }
  throw new Error('expected an error');
}

describe('parseRunFilter', () => {
  it('accepts every MLflow entity prefix and alias', () => {
    const out = parseRunFilter(
      "metric.a > 1 AND metrics.b < 2 AND param.c = 'x' AND params.d = 'y' AND tag.e = 'z' " +
        "AND tags.f = 'w' AND attribute.status = 'RUNNING' AND attributes.run_name = 'n' AND run.user_id = 'u' " +
        "AND attr.artifact_uri LIKE 's3%' AND datasets.name = 'd'",
    );
    expect(out.map((c) => `${c.entity}:${c.key}`)).toEqual([
      'metric:a',
      'metric:b',
      'param:c',
      'param:d',
      'tag:e',
      'tag:f',
      'attribute:status',
      'attribute:run_name',
      'attribute:user_id',
      'attribute:artifact_uri',
      'dataset:name',
    ]);
  });
  it('maps alternate attribute names to canonical ones', () => {
    expect(parseRunFilter('attributes.created > 5')[0]).toMatchObject({ key: 'start_time', value: 5 });
    expect(parseRunFilter("attributes.`Run name` = 'a'")[0]).toMatchObject({ key: 'run_name', value: 'a' });
  });
  it('joins dotted keys and keeps quoted keys whole', () => {
    expect(parseRunFilter('metrics.a.b > 1')[0].key).toBe('a.b');
    expect(parseRunFilter('metrics."my metric.x" > 1')[0].key).toBe('my metric.x');
  });
  it.each([
    ["metrics.a = 'x'", 'numeric'],
    ['params.a = 1', 'quoted string'],
    ["metrics.a LIKE 'x'", "invalid comparator 'LIKE'"],
    ["attributes.start_time LIKE '1'", "invalid comparator 'LIKE'"],
    ['attributes.start_time > "1"', 'numeric'],
    ["attributes.nope = 'x'", "invalid attribute key 'nope'"],
    ["foo.a = 'x'", "invalid entity type 'foo'"],
    ["status = 'x'", 'invalid identifier'],
    ["datasets.size = 'x'", "invalid dataset attribute 'size'"],
    ["attributes.start_time IN ('1')", "invalid comparator 'IN'"],
  ])('rejects %j', (filter, detail) => {
    const e = errorOf(() => parseRunFilter(filter));
    expect(e).toBeInstanceOf(InvalidParameter);
    expect(e.message).toContain(detail);
    expect(e.message).toMatch(/at position \d+/);
  });
});

describe('parseRunOrderBy', () => {
  it('parses several keys with directions', () => {
    expect(parseRunOrderBy(['metrics.m1 DESC', 'attributes.start_time ASC', 'params.x', 'tags.`a b`'])).toEqual([
      { entity: 'metric', key: 'm1', ascending: false },
      { entity: 'attribute', key: 'start_time', ascending: true },
      { entity: 'param', key: 'x', ascending: true },
      { entity: 'tag', key: 'a b', ascending: true },
    ]);
  });
  it('rejects unknown attributes and datasets', () => {
    expect(errorOf(() => parseRunOrderBy(['attributes.color'])).message).toContain(
      "invalid order_by attribute 'color'",
    );
    expect(errorOf(() => parseRunOrderBy(['datasets.name'])).message).toContain('datasets cannot be used');
  });
});
