// The TypeScript type of a request validated by a JSON schema, derived from the schema itself (type
// level only, nothing at run time), so a handler's input cannot drift from what its route validates.
// Covers the JSON-schema subset Cairn's routes use: string, integer, number, boolean, null, unions of
// those (`type: [...]`), `enum`, arrays with `items`, objects with `properties` and `required`. A schema outside
// it maps to `unknown`, so an unsupported shape is a compile error where it is used, never a silent any.
// json-schema-to-ts's `FromSchema` is a drop-in replacement should the full standard be needed.

type Primitive<N> = N extends 'string'
  ? string
  : N extends 'integer' | 'number'
    ? number
    : N extends 'boolean'
      ? boolean
      : N extends 'null'
        ? null
        : never;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type ObjectOf<P, R> = Simplify<
  { -readonly [K in keyof P as K extends R ? K : never]: FromSchema<P[K]> } & {
    -readonly [K in keyof P as K extends R ? never : K]?: FromSchema<P[K]>;
  }
>;

type RequiredOf<S> = S extends { readonly required: readonly (infer R)[] } ? R : never;

/** What a handler sees for a field checked by the `protoType` keyword (request-types.ts), after normalising. */
type ProtoValue<T> = T extends 'string'
  ? string
  : T extends 'int64'
    ? number | bigint
    : T extends 'int32'
      ? number
      : T extends 'double'
        ? number | string
        : T extends 'bool'
          ? boolean
          : T extends 'enum'
            ? string | number
            : unknown;

/** The value a JSON schema `S` (inferred as a literal, e.g. via `as const`) accepts. */
export type FromSchema<S> = S extends { readonly enum: readonly (infer E)[] }
  ? E
  : S extends { readonly protoType: 'array'; readonly items: infer I }
    ? Array<FromSchema<I>>
    : S extends { readonly protoType: 'object'; readonly properties: infer P }
      ? ObjectOf<P, RequiredOf<S>>
      : S extends { readonly protoType: 'object' }
        ? Record<string, unknown>
        : S extends { readonly protoType: infer T }
          ? ProtoValue<T>
          : S extends { readonly type: 'array'; readonly items: infer I }
            ? Array<FromSchema<I>>
            : S extends { readonly type: 'object'; readonly properties: infer P }
              ? ObjectOf<P, RequiredOf<S>>
              : S extends { readonly type: 'object' }
                ? Record<string, unknown>
                : S extends { readonly type: readonly (infer N)[] }
                  ? Primitive<N>
                  : S extends { readonly type: infer N }
                    ? [Primitive<N>] extends [never]
                      ? unknown
                      : Primitive<N>
                    : unknown;

/** A request message: its `fields` (JSON-schema properties) with the names in `required` present. */
export type MessageOf<F, R> = ObjectOf<F, R>;
