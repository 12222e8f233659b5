// The `protoType` schema keyword: a request field is exactly the type service.proto gives it, as
// protobuf's JSON parser reads it, with no coercion ("0x10" is not a double, ["a"] is not a string,
// 31 is not a run id). int64 fields take the whole int64 range as numbers or decimal strings and are
// normalised to a number when safe, else a bigint (see core/exact-json.ts for numbers beyond 2^53).
import { decimalInt64 } from '../core/int64.js';
import { pythonJsonDumps } from '../core/python-json.js';
import { createRequire } from 'node:module';
import type { Code, CodeKeywordDefinition, Name } from 'ajv';

/**
 * Ajv's code generator, from the copy of Ajv that Fastify's validator compiler loads (a keyword's
 * code must be built with that copy's classes; Ajv is Fastify's dependency, not Cairn's).
 */
const ajvCodegen = (() => {
  const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
  const fromCompiler = createRequire(fromFastify.resolve('@fastify/ajv-compiler'));
  return fromCompiler('ajv') as typeof import('ajv');
})();
const { _, str } = ajvCodegen;

export type ProtoType = 'string' | 'int64' | 'int32' | 'double' | 'bool' | 'enum' | 'array' | 'object';

/** What a failed check reports: the offending value and, when the type is right but the value is not, why. */
export interface ProtoTypeIssue {
  value: unknown;
  reason?: string;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_REASON = 'it must be a 64-bit integer (between -2^63 and 2^63-1).';
const INT32_REASON = 'it must be a 32-bit integer.';
/** protobuf JSON's double forms: a decimal number or one of its three special strings. */
const DOUBLE_TEXT = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|NaN|-?Infinity)$/;

/** True when `text` is one of the string forms of a double that protobuf's JSON parser accepts. */
export function isDoubleText(text: string): boolean {
  return DOUBLE_TEXT.test(text);
}

type Normalised = { ok: true; value: unknown } | { ok: false; reason?: string };

function int64Of(value: unknown): Normalised {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return { ok: true, value };
    if (!Number.isInteger(value)) return { ok: false, reason: Number.isFinite(value) ? INT64_REASON : undefined };
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') {
    const n = decimalInt64(value);
    return n === null
      ? { ok: false, reason: typeof value === 'string' ? undefined : INT64_REASON }
      : { ok: true, value: n };
  }
  return { ok: false };
}

function int32Of(value: unknown): Normalised {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number') return { ok: false };
  if (!Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) return { ok: false, reason: INT32_REASON };
  return { ok: true, value: n };
}

/** Checks `value` against `type`; int64, int32 and bigint doubles come back normalised. */
export function checkProtoType(type: ProtoType, value: unknown): Normalised {
  switch (type) {
    case 'string':
      return { ok: typeof value === 'string', value };
    case 'int64':
      return int64Of(value);
    case 'int32':
      return int32Of(value);
    case 'double':
      if (typeof value === 'number') return { ok: true, value };
      if (typeof value === 'bigint') return { ok: true, value: Number(value) };
      return { ok: typeof value === 'string' && isDoubleText(value), value };
    case 'bool':
      return { ok: typeof value === 'boolean', value };
    case 'enum':
      return { ok: typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)), value };
    case 'array':
      return { ok: Array.isArray(value), value };
    case 'object':
      return { ok: value !== null && typeof value === 'object' && !Array.isArray(value), value };
    default:
      return { ok: false };
  }
}

/**
 * The keyword is compiled into the validator (ajv `code`), not called per field: a log-batch holds
 * some 450 typed fields, and a function keyword costs a call, a context object and an instance path
 * string for each. The inline test is the common case of each type (a string, a safe integer, a
 * number); anything else (numeric strings, bigints, wrong types) goes to `checkProtoType`, which
 * decides, normalises in place, and supplies the reason a failure reports.
 */
const FAST_CHECK: Record<ProtoType, (data: Name) => Code> = {
  string: (d) => _`typeof ${d} == "string"`,
  int64: (d) => _`typeof ${d} == "number" && Number.isSafeInteger(${d})`,
  int32: (d) => _`typeof ${d} == "number" && (${d} | 0) === ${d}`,
  double: (d) => _`typeof ${d} == "number"`,
  bool: (d) => _`typeof ${d} == "boolean"`,
  enum: (d) => _`typeof ${d} == "string" || (typeof ${d} == "number" && Number.isInteger(${d}))`,
  array: (d) => _`Array.isArray(${d})`,
  object: (d) => _`${d} && typeof ${d} == "object" && !Array.isArray(${d})`,
};

/** Types whose non-fast values may still be accepted (and normalised) by `checkProtoType`. */
const HAS_SLOW_PATH: ReadonlySet<ProtoType> = new Set(['int64', 'int32', 'double']);

const protoTypeKeyword: CodeKeywordDefinition = {
  keyword: 'protoType',
  schemaType: 'string',
  error: {
    message: ({ schema }) => str`must be ${schema}`,
    params: ({ data, params }) => _`{value: ${data}, reason: ${params.reason ?? _`undefined`}}`,
  },
  code(cxt) {
    const { gen, data, it } = cxt;
    const type = cxt.schema as ProtoType;
    const fast = FAST_CHECK[type];
    if (fast === undefined) throw new Error(`protoType: unknown type '${type}'`);
    gen.if(_`!(${fast(data)})`, () => {
      if (!HAS_SLOW_PATH.has(type)) {
        cxt.error();
        return;
      }
      const check = gen.scopeValue('func', { ref: checkProtoType });
      const result = gen.const('protoResult', _`${check}(${type}, ${data})`);
      gen.if(
        _`${result}.ok`,
        () => {
          // a normalised value (an int64 string, a bigint double) replaces the one in the body
          if (it.dataLevel > 0) gen.assign(_`${it.parentData}[${it.parentDataProperty}]`, _`${result}.value`);
        },
        () => cxt.error(false, { reason: _`${result}.reason` }),
      );
    });
  },
};

/** The one Ajv method used (Ajv itself is Fastify's, not a dependency of Cairn). */
interface AjvLike {
  addKeyword(definition: CodeKeywordDefinition): unknown;
}

/** Fastify `ajv.plugins` entry: registers `protoType` on the server's validator. */
export function protoTypePlugin<A extends AjvLike>(ajv: A): A {
  ajv.addKeyword(protoTypeKeyword);
  return ajv;
}

export const DOCS_HINT = 'See the API docs for more information about request parameters.';

/** Python's type name for a JSON value, as MLflow's hint names it. */
function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return Array.isArray(value) ? 'list' : 'dict';
}

/** `json.dumps(value, sort_keys=True, separators=(",", ":"))`, as MLflow's invalid_value echoes a value. */
function pythonCompactJson(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(pythonCompactJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${pythonCompactJson(k)}:${pythonCompactJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return pythonJsonDumps(value);
}

/**
 * MLflow's wording for a value of the wrong type or out of range (handlers.py
 * _validate_param_against_schema): `Invalid value 31 for parameter 'run_id' supplied:  Hint: …`.
 */
export function invalidValueMessage(field: string, value: unknown, reason?: string): string {
  const why = reason ?? ` Hint: Value was of type '${pythonTypeName(value)}'.`;
  return `Invalid value ${pythonCompactJson(value)} for parameter '${field}' supplied: ${why} ${DOCS_HINT}`;
}
