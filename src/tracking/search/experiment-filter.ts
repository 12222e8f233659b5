// Validates the experiment search grammar (MLflow's SearchExperimentsUtils): the attributes
// `name`, `creation_time`, `last_update_time` and `tags.<key>`, joined by AND.
import { searchExpressionError, type IdentifierPart } from './filter-tokenizer.js';
import { parseFilter, parseOrderByClause, type Comparator } from './filter-parser.js';

export type ExperimentAttribute = 'name' | 'creation_time' | 'last_update_time' | 'experiment_id';

export interface ExperimentFilterClause {
  entity: 'attribute' | 'tag';
  key: string;
  comparator: Comparator;
  value: string | number;
}

export interface ExperimentOrderBy {
  key: ExperimentAttribute;
  ascending: boolean;
}

const STRING_COMPARATORS: Comparator[] = ['=', '!=', 'LIKE', 'ILIKE'];
const NUMERIC_COMPARATORS: Comparator[] = ['=', '!=', '<', '<=', '>', '>='];
const NUMERIC_ATTRIBUTES = new Set(['creation_time', 'last_update_time']);
const ATTRIBUTE_PREFIXES = new Set(['attribute', 'attributes', 'attr']);
const TAG_PREFIXES = new Set(['tag', 'tags']);

function fail(input: string, position: number, detail: string): never {
  throw searchExpressionError(input, position, detail);
}

function classify(
  input: string,
  parts: IdentifierPart[],
  position: number,
): { entity: 'attribute' | 'tag'; key: string } {
  if (parts.length === 1) return { entity: 'attribute', key: parts[0].text };
  const prefix = parts[0].text.toLowerCase();
  const key = parts
    .slice(1)
    .map((p) => p.text)
    .join('.');
  if (TAG_PREFIXES.has(prefix)) return { entity: 'tag', key };
  if (ATTRIBUTE_PREFIXES.has(prefix)) return { entity: 'attribute', key };
  return fail(
    input,
    position,
    `invalid entity type '${parts[0].text}'; use an attribute (name, creation_time, last_update_time) or tags.<key>`,
  );
}

export function parseExperimentFilter(filter: string | undefined): ExperimentFilterClause[] {
  return parseFilter(filter).map((c) => {
    const input = filter as string;
    const { entity, key } = classify(input, c.identifier, c.position);
    const isNumeric = entity === 'attribute' && NUMERIC_ATTRIBUTES.has(key);
    if (entity === 'attribute' && key !== 'name' && !isNumeric) {
      fail(input, c.position, `invalid attribute key '${key}'. Valid values are name, creation_time, last_update_time`);
    }
    const allowed = isNumeric ? NUMERIC_COMPARATORS : STRING_COMPARATORS;
    if (!allowed.includes(c.comparator)) {
      fail(
        input,
        c.position,
        `invalid comparator '${c.comparator}' for '${key}', not one of '${allowed.join("', '")}'`,
      );
    }
    if (isNumeric) {
      if (c.value.kind !== 'number') fail(input, c.valuePosition, `expected a numeric value for '${key}'`);
      return { entity, key, comparator: c.comparator, value: c.value.value };
    }
    if (c.value.kind !== 'string') fail(input, c.valuePosition, `value for '${key}' must be a quoted string`);
    return { entity, key, comparator: c.comparator, value: c.value.value };
  });
}

const ORDERABLE = new Set<ExperimentAttribute>(['name', 'experiment_id', 'creation_time', 'last_update_time']);

export function parseExperimentOrderBy(orderBy: string[] | undefined): ExperimentOrderBy[] {
  return (orderBy ?? []).map((clause) => {
    const parsed = parseOrderByClause(clause);
    const { entity, key } = classify(clause, parsed.identifier, parsed.position);
    if (entity !== 'attribute' || !ORDERABLE.has(key as ExperimentAttribute)) {
      fail(
        clause,
        parsed.position,
        `invalid order_by key '${parsed.identifierText}'. Valid values are ${[...ORDERABLE].join(', ')}`,
      );
    }
    return { key: key as ExperimentAttribute, ascending: parsed.ascending };
  });
}
