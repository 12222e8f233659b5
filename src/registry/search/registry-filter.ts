// The registry's search grammars (MLflow's SearchModelUtils / SearchModelVersionUtils): parse with
// the tracking filter parser, then validate which identifiers, comparators and values each allows.
import { InvalidParameter } from '../../core/errors.js';
import {
  parseFilter,
  parseOrderByClause,
  type Comparator,
  type ParsedComparison,
} from '../../tracking/search/filter-parser.js';
import type { IdentifierPart } from '../../tracking/search/filter-tokenizer.js';

export type StringAttribute = 'name' | 'run_id' | 'source_path';

export type RegistryFilterClause =
  | { entity: 'attribute'; key: StringAttribute; comparator: Comparator; value: string | string[] }
  | { entity: 'attribute'; key: 'version_number'; comparator: Comparator; value: number }
  | { entity: 'tag'; key: string; comparator: Comparator; value: string };

export type RegisteredModelOrderKey = 'name' | 'last_updated_timestamp';
export type ModelVersionOrderKey = 'name' | 'version_number' | 'creation_timestamp' | 'last_updated_timestamp';
export interface OrderByKey<K extends string> {
  key: K;
  ascending: boolean;
}

const STRING_COMPARATORS: Comparator[] = ['=', '!=', 'LIKE', 'ILIKE'];
const NUMERIC_COMPARATORS: Comparator[] = ['=', '!=', '<', '<=', '>', '>='];
const TAG_PREFIXES = new Set(['tag', 'tags']);

function fail(input: string, position: number, detail: string): never {
  throw new InvalidParameter(`Invalid search expression '${input}': ${detail} at position ${position}`);
}

function classify(
  input: string,
  parts: IdentifierPart[],
  position: number,
): { entity: 'attribute' | 'tag'; key: string } {
  if (parts.length === 1) return { entity: 'attribute', key: parts[0].text };
  const prefix = parts[0].text;
  const key = parts
    .slice(1)
    .map((p) => p.text)
    .join('.');
  if (TAG_PREFIXES.has(prefix)) return { entity: 'tag', key };
  if (prefix === 'attribute') return { entity: 'attribute', key };
  return fail(input, position, `invalid entity type '${prefix}'. Valid entity types are ('attribute', 'tag', 'tags')`);
}

function tagClause(input: string, c: ParsedComparison, key: string): RegistryFilterClause {
  if (!STRING_COMPARATORS.includes(c.comparator))
    fail(input, c.position, `invalid comparator for tag: ${c.comparator}`);
  if (c.value.kind !== 'string')
    fail(input, c.valuePosition, `expected a quoted string value for tag '${key}' (e.g. 'my-value')`);
  return { entity: 'tag', key, comparator: c.comparator, value: c.value.value };
}

function stringClause(
  input: string,
  c: ParsedComparison,
  key: StringAttribute,
  allowIn: boolean,
): RegistryFilterClause {
  const allowed = allowIn ? [...STRING_COMPARATORS, 'IN'] : STRING_COMPARATORS;
  if (!allowed.includes(c.comparator))
    fail(input, c.position, `invalid comparator for attribute ${key}: ${c.comparator}`);
  if (c.comparator === 'IN') {
    if (c.value.kind !== 'list') fail(input, c.valuePosition, `expected a list of quoted strings for '${key}'`);
    return { entity: 'attribute', key, comparator: 'IN', value: c.value.values };
  }
  if (c.value.kind !== 'string') fail(input, c.valuePosition, `expected a quoted string value for attribute '${key}'`);
  return { entity: 'attribute', key, comparator: c.comparator, value: c.value.value };
}

function versionClause(input: string, c: ParsedComparison): RegistryFilterClause {
  if (!NUMERIC_COMPARATORS.includes(c.comparator))
    fail(input, c.position, `invalid comparator for attribute version_number: ${c.comparator}`);
  let value: number;
  if (c.value.kind === 'number') value = c.value.value;
  else if (c.value.kind === 'string' && /^\s*[+-]?\d+\s*$/.test(c.value.value)) value = Number(c.value.value);
  else return fail(input, c.valuePosition, "expected a number for 'version_number'");
  return { entity: 'attribute', key: 'version_number', comparator: c.comparator, value };
}

/** `name`, `name LIKE/ILIKE`, `tags.<key>`, joined by AND. */
export function parseRegisteredModelFilter(filter: string | undefined): RegistryFilterClause[] {
  return parseFilter(filter).map((c) => {
    const input = filter as string;
    const { entity, key } = classify(input, c.identifier, c.position);
    if (entity === 'tag') return tagClause(input, c, key);
    if (key !== 'name') fail(input, c.position, `invalid attribute key '${key}' specified. Valid keys are 'name'`);
    return stringClause(input, c, 'name', false);
  });
}

const VERSION_STRING_ATTRIBUTES = new Set<string>(['name', 'run_id', 'source_path']);

/** `name`, `run_id` (also `IN (…)`), `source_path`, `version_number`, `tags.<key>`, joined by AND. */
export function parseModelVersionFilter(filter: string | undefined): RegistryFilterClause[] {
  return parseFilter(filter).map((c) => {
    const input = filter as string;
    const { entity, key } = classify(input, c.identifier, c.position);
    if (entity === 'tag') return tagClause(input, c, key);
    if (key === 'version_number') return versionClause(input, c);
    if (!VERSION_STRING_ATTRIBUTES.has(key)) {
      fail(
        input,
        c.position,
        `invalid attribute key '${key}' specified. Valid keys are 'name', 'run_id', 'source_path', 'version_number'`,
      );
    }
    return stringClause(input, c, key as StringAttribute, key === 'run_id');
  });
}

function parseOrderBy<K extends string>(orderBy: string[] | undefined, keys: Record<string, K>): OrderByKey<K>[] {
  const seen = new Set<K>();
  return (orderBy ?? []).map((clause) => {
    const parsed = parseOrderByClause(clause);
    const parts =
      parsed.identifier[0]?.text === 'attribute' && parsed.identifier.length === 2
        ? parsed.identifier.slice(1)
        : parsed.identifier;
    const key = parts.length === 1 ? keys[parts[0].text] : undefined;
    if (key === undefined) {
      throw new InvalidParameter(
        `Invalid order by key '${parsed.identifierText}' specified. Valid keys are '${Object.keys(keys).join("', '")}'`,
      );
    }
    if (seen.has(key)) throw new InvalidParameter(`\`order_by\` contains duplicate fields: ${JSON.stringify(orderBy)}`);
    seen.add(key);
    return { key, ascending: parsed.ascending };
  });
}

/** `name`, `timestamp` / `last_updated_timestamp` (both the last update), as MLflow's SQL store. */
export function parseRegisteredModelOrderBy(orderBy: string[] | undefined): OrderByKey<RegisteredModelOrderKey>[] {
  return parseOrderBy(orderBy, {
    name: 'name',
    timestamp: 'last_updated_timestamp',
    last_updated_timestamp: 'last_updated_timestamp',
  });
}

export function parseModelVersionOrderBy(orderBy: string[] | undefined): OrderByKey<ModelVersionOrderKey>[] {
  return parseOrderBy(orderBy, {
    name: 'name',
    version_number: 'version_number',
    creation_timestamp: 'creation_timestamp',
    last_updated_timestamp: 'last_updated_timestamp',
  });
}
