// FromSchema is checked by the compiler (`tsc --noEmit` covers this file): each assertion below fails
// the type check, not the test run, when the derived type drifts from what the schema validates.
import { describe, expectTypeOf, it } from 'vitest';
import { S } from './mlflow-route.js';
import type { FromSchema, MessageOf } from './schema-types.js';

describe('FromSchema', () => {
  it('maps scalars, unions, enums, arrays and objects with required properties', () => {
    expectTypeOf<FromSchema<typeof S.requiredString>>().toEqualTypeOf<string>();
    expectTypeOf<FromSchema<typeof S.int64>>().toEqualTypeOf<number | bigint>();
    expectTypeOf<FromSchema<typeof S.double>>().toEqualTypeOf<number | string>();
    expectTypeOf<FromSchema<{ type: readonly ['string', 'null'] }>>().toEqualTypeOf<string | null>();
    expectTypeOf<FromSchema<{ type: 'string'; enum: readonly ['A', 'B'] }>>().toEqualTypeOf<'A' | 'B'>();
    expectTypeOf<FromSchema<typeof S.tags>>().toEqualTypeOf<Array<{ key?: string; value?: string }>>();
    const body = {
      type: 'object',
      properties: { id: { type: 'string' }, n: { type: 'integer' } },
      required: ['id'],
    } as const;
    expectTypeOf<FromSchema<typeof body>>().toEqualTypeOf<{ id: string; n?: number }>();
    expectTypeOf<FromSchema<{ type: 'object' }>>().toEqualTypeOf<Record<string, unknown>>();
  });

  it('gives an unknown schema `unknown`, never `any`', () => {
    expectTypeOf<FromSchema<{ type: 'mystery' }>>().toEqualTypeOf<unknown>();
    expectTypeOf<FromSchema<{ type: string }>>().toEqualTypeOf<unknown>();
  });

  it('types a route message from its fields and required names', () => {
    const fields = { name: S.requiredString, version: S.string, max_results: S.int64 };
    expectTypeOf<MessageOf<typeof fields, 'name'>>().toEqualTypeOf<{
      name: string;
      version?: string;
      max_results?: number | bigint;
    }>();
  });
});
