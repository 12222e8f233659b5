// The `protoType` schema keyword: a request field is exactly the type service.proto gives it, as
// protobuf's JSON parser reads it, with no coercion ("0x10" is not a double, ["a"] is not a string,
// 31 is not a run id). int64 fields take the whole int64 range as numbers or decimal strings and are
// normalised to a number when safe, else a bigint (see json-body.ts for numbers beyond 2^53).
import { InvalidParameter } from '../core/errors.js';
import { decimalInt64 } from '../core/int64.js';
import { pythonJsonDumps } from '../core/python-json.js';

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

interface DataContext {
  parentData?: Record<string | number, unknown>;
  parentDataProperty?: string | number;
}

type KeywordValidate = ((schema: ProtoType, data: unknown, parentSchema: unknown, cxt?: DataContext) => boolean) & {
  errors?: Array<{ keyword: string; message: string; params: ProtoTypeIssue }>;
};

const validateProtoType: KeywordValidate = (type, data, _parentSchema, cxt) => {
  const result = checkProtoType(type, data);
  if (!result.ok) {
    validateProtoType.errors = [
      { keyword: 'protoType', message: `must be ${type}`, params: { value: data, reason: result.reason } },
    ];
    return false;
  }
  if (result.value !== data && cxt?.parentData && cxt.parentDataProperty !== undefined) {
    cxt.parentData[cxt.parentDataProperty] = result.value;
  }
  return true;
};

/** The one Ajv method used (Ajv itself is Fastify's, not a dependency of Cairn). */
interface AjvLike {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  addKeyword(definition: any): unknown;
}

/** Fastify `ajv.plugins` entry: registers `protoType` on the server's validator. */
export function protoTypePlugin<A extends AjvLike>(ajv: A): A {
  ajv.addKeyword({
    keyword: 'protoType',
    modifying: true,
    errors: true,
    schemaType: 'string',
    validate: validateProtoType,
  });
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
/** An int64 a store keeps as a JS number: a bigint (beyond ±2^53) is refused with `reason`, never rounded. */
export function safeInt64(value: number | bigint, field: string, reason: string): number {
  if (typeof value === 'bigint') throw new InvalidParameter(invalidValueMessage(field, value, reason));
  return value;
}

export function invalidValueMessage(field: string, value: unknown, reason?: string): string {
  const why = reason ?? ` Hint: Value was of type '${pythonTypeName(value)}'.`;
  return `Invalid value ${pythonCompactJson(value)} for parameter '${field}' supplied: ${why} ${DOCS_HINT}`;
}
