// Validates parsed run filters and order_by clauses against MLflow's rules (search_utils.py):
// which entity types, attribute names and comparators exist, and what type each value must have.
import { InvalidParameter } from '../../core/errors.js';
import { MAX_ORDER_BY_CLAUSES } from '../validation.js';
import { searchExpressionError, type IdentifierPart } from './filter-tokenizer.js';
import { parseFilter, parseOrderByClause, type Comparator, type ParsedComparison } from './filter-parser.js';

export type RunEntity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';
export type RunStringAttribute = 'run_id' | 'run_name' | 'status' | 'artifact_uri' | 'user_id';
export type RunNumericAttribute = 'start_time' | 'end_time';
export type RunAttribute = RunStringAttribute | RunNumericAttribute;
export type DatasetField = 'name' | 'digest' | 'context';

export interface RunFilterClause {
  entity: RunEntity;
  /** For attributes the canonical attribute name; for datasets the dataset field. */
  key: string;
  comparator: Comparator;
  /** number for metrics and numeric attributes, string or string[] otherwise, null for IS [NOT] NULL. */
  value: number | string | string[] | null;
}

export interface RunOrderBy {
  entity: Exclude<RunEntity, 'dataset'>;
  key: string;
  ascending: boolean;
}

const ENTITY_ALIASES: Record<string, RunEntity> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

const ATTRIBUTE_ALIASES: Record<string, RunAttribute> = {
  run_id: 'run_id',
  run_name: 'run_name',
  status: 'status',
  artifact_uri: 'artifact_uri',
  user_id: 'user_id',
  start_time: 'start_time',
  end_time: 'end_time',
  created: 'start_time',
  Created: 'start_time',
  'run name': 'run_name',
  'Run name': 'run_name',
  'Run Name': 'run_name',
};
const ORDERABLE_ATTRIBUTES = new Set([
  'run_name',
  'status',
  'artifact_uri',
  'user_id',
  'start_time',
  'end_time',
  'run_id',
]);
export const NUMERIC_ATTRIBUTES: ReadonlySet<string> = new Set(['start_time', 'end_time']);

const NUMERIC_COMPARATORS: Comparator[] = ['=', '!=', '<', '<=', '>', '>='];
const METRIC_COMPARATORS: Comparator[] = [...NUMERIC_COMPARATORS, 'IS NULL', 'IS NOT NULL'];
// MLflow allows = != LIKE ILIKE on params and tags; IN / NOT IN and IS [NOT] NULL are supersets Cairn adds.
const KEY_VALUE_COMPARATORS: Comparator[] = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN', 'IS NULL', 'IS NOT NULL'];
const STRING_ATTRIBUTE_COMPARATORS: Comparator[] = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];
const DATASET_COMPARATORS: Comparator[] = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];

function fail(input: string, position: number, detail: string): never {
  throw searchExpressionError(input, position, detail);
}

function splitIdentifier(
  input: string,
  parts: IdentifierPart[],
  text: string,
  position: number,
): { entity: RunEntity; key: string } {
  if (parts.length < 2 || parts[0].quoted) {
    fail(
      input,
      position,
      `invalid identifier '${text}'. Columns should be specified as 'attribute.<key>', 'metric.<key>', 'tag.<key>', 'dataset.<key>', or 'param.<key>'`,
    );
  }
  const entity = ENTITY_ALIASES[parts[0].text.toLowerCase()];
  if (!entity) {
    fail(
      input,
      position,
      `invalid entity type '${parts[0].text}'. Valid values are ${Object.keys(ENTITY_ALIASES).join(', ')}`,
    );
  }
  return {
    entity,
    key: parts
      .slice(1)
      .map((p) => p.text)
      .join('.'),
  };
}

function checkComparator(input: string, c: ParsedComparison, allowed: Comparator[], what: string): void {
  if (!allowed.includes(c.comparator)) {
    fail(input, c.position, `invalid comparator '${c.comparator}' for ${what}, not one of '${allowed.join("', '")}'`);
  }
}

function stringValue(input: string, c: ParsedComparison, what: string): string | string[] | null {
  if (c.value.kind === 'string') return c.value.value;
  if (c.value.kind === 'list') return c.value.values;
  if (c.value.kind === 'none') return null;
  return fail(
    input,
    c.valuePosition,
    `${what} value must be a quoted string (single or double quotes), got ${c.value.text}`,
  );
}

function numberValue(input: string, c: ParsedComparison, what: string): number | null {
  if (c.value.kind === 'number') return c.value.value;
  if (c.value.kind === 'none') return null;
  return fail(input, c.valuePosition, `expected a numeric value for ${what}`);
}

function validateClause(input: string, c: ParsedComparison): RunFilterClause {
  const { entity, key } = splitIdentifier(input, c.identifier, c.identifierText, c.position);
  switch (entity) {
    case 'metric':
      checkComparator(input, c, METRIC_COMPARATORS, 'metrics');
      return { entity, key, comparator: c.comparator, value: numberValue(input, c, `metric '${key}'`) };
    case 'param':
    case 'tag':
      checkComparator(input, c, KEY_VALUE_COMPARATORS, `${entity}s`);
      return { entity, key, comparator: c.comparator, value: stringValue(input, c, `${entity} '${key}'`) };
    case 'dataset': {
      if (!['name', 'digest', 'context'].includes(key)) {
        fail(input, c.position, `invalid dataset attribute '${key}'. Valid values are name, digest, context`);
      }
      checkComparator(input, c, DATASET_COMPARATORS, 'datasets');
      return { entity, key, comparator: c.comparator, value: stringValue(input, c, `dataset ${key}`) };
    }
    case 'attribute': {
      const attr = ATTRIBUTE_ALIASES[key];
      if (!attr) {
        fail(
          input,
          c.position,
          `invalid attribute key '${key}'. Valid values are ${Object.keys(ATTRIBUTE_ALIASES).join(', ')}`,
        );
      }
      if (NUMERIC_ATTRIBUTES.has(attr)) {
        checkComparator(input, c, NUMERIC_COMPARATORS, `numeric attribute '${attr}'`);
        return { entity, key: attr, comparator: c.comparator, value: numberValue(input, c, `attribute '${attr}'`) };
      }
      checkComparator(input, c, STRING_ATTRIBUTE_COMPARATORS, `string attribute '${attr}'`);
      return { entity, key: attr, comparator: c.comparator, value: stringValue(input, c, `attribute '${attr}'`) };
    }
  }
}

/** Parses and validates a run filter; an empty filter gives no clauses. */
export function parseRunFilter(filter: string | undefined): RunFilterClause[] {
  return parseFilter(filter).map((c) => validateClause(filter as string, c));
}

/** Parses and validates run order_by clauses such as `metrics.m1 DESC` or `tags.\`a b\``. */
export function parseRunOrderBy(orderBy: string[] | undefined): RunOrderBy[] {
  if (orderBy && orderBy.length > MAX_ORDER_BY_CLAUSES) {
    throw new InvalidParameter(
      `Invalid order_by: at most ${MAX_ORDER_BY_CLAUSES} clauses are allowed, got ${orderBy.length}`,
    );
  }
  return (orderBy ?? []).map((clause) => {
    const parsed = parseOrderByClause(clause);
    const { entity, key } = splitIdentifier(clause, parsed.identifier, parsed.identifierText, parsed.position);
    if (entity === 'dataset') fail(clause, parsed.position, 'datasets cannot be used in order_by');
    if (entity === 'attribute') {
      const attr = ATTRIBUTE_ALIASES[key];
      if (!attr || !ORDERABLE_ATTRIBUTES.has(attr)) {
        fail(
          clause,
          parsed.position,
          `invalid order_by attribute '${key}'. Valid values are ${[...ORDERABLE_ATTRIBUTES].join(', ')}`,
        );
      }
      return { entity, key: attr, ascending: parsed.ascending };
    }
    return { entity, key, ascending: parsed.ascending };
  });
}
