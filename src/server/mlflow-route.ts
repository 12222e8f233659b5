// Declares an MLflow RPC endpoint once: its fields become the querystring schema for GET and the
// body schema for POST. Field types are service.proto's, checked as protobuf's JSON parser checks
// them (the `protoType` keyword, request-types.ts): no coercion in bodies; a query string's values
// are text, read as protobuf reads MLflow's GET arguments.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidParameter } from '../core/errors.js';
import { mayHoldNull } from './json-body.js';
import type { ProtoType } from './request-types.js';

/** A decoded request message: values are validated by the route's schema before a handler reads them. */
export type Input = Record<string, any>;

export interface MlflowRouteSpec {
  /** PATCH and DELETE (model_registry.proto) carry their message in a JSON body, like POST. */
  methods: Array<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'>;
  url: string;
  /** JSON-schema properties of the request message (snake_case, as the proto). */
  fields: Record<string, object>;
  required?: string[];
  bodyLimit?: number;
  /** The 200 response body's schema (see response-schemas.ts). */
  response?: object;
  handler: (input: Input, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

const proto = <T extends ProtoType>(protoType: T) => ({ protoType }) as { readonly protoType: T };

export const S = {
  string: proto('string'),
  requiredString: { ...proto('string'), minLength: 1 },
  /** a number or decimal string in [-2^63, 2^63-1]; the handler sees a number, or a bigint beyond 2^53 */
  int64: proto('int64'),
  int32: proto('int32'),
  /** a double, a decimal string, or one of protobuf's strings 'NaN' / 'Infinity' / '-Infinity' */
  double: proto('double'),
  /** an enum value by name or by number */
  enumName: proto('enum'),
  bool: proto('bool'),
  stringList: { ...proto('array'), items: proto('string') },
  tags: {
    ...proto('array'),
    items: { ...proto('object'), properties: { key: proto('string'), value: proto('string') } },
  },
} as const;

/** A nested message with these fields (e.g. log-inputs' dataset). */
export function message<const P extends Record<string, object>, const R extends readonly string[] = []>(
  properties: P,
  required: R = [] as unknown as R,
): { readonly protoType: 'object'; readonly properties: P; readonly required: R } {
  return { ...proto('object'), properties, required };
}

/** A repeated message field (e.g. log-batch's metrics). */
export function messageList<const P extends Record<string, object>, const R extends readonly string[] = []>(
  properties: P,
  required: R = [] as unknown as R,
) {
  return { ...proto('array'), items: message(properties, required) };
}

/** protobuf's JSON parser reads `null` as "not set": drop such fields so `required` sees them missing. */
function dropNulls(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) dropNulls(item);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (record[key] === null) delete record[key];
    else if (typeof record[key] === 'object') dropNulls(record[key]);
  }
}

/** A GET argument given once is one value: repeated fields take it as a list of one, bools as JSON's. */
function readQueryArguments(query: Record<string, unknown>, fields: Record<string, object>): void {
  for (const [name, schema] of Object.entries(fields)) {
    const value = query[name];
    if (value === undefined) continue;
    const type = (schema as { protoType?: ProtoType }).protoType;
    if (type === 'array' && !Array.isArray(value)) query[name] = [value];
    else if (type === 'bool' && (value === 'true' || value === 'false')) query[name] = value === 'true';
  }
}

export function mlflowRoute(app: FastifyInstance, spec: MlflowRouteSpec): void {
  const messageSchema = { type: 'object', properties: spec.fields, required: spec.required ?? [] };
  for (const method of spec.methods) {
    app.route({
      method,
      url: spec.url,
      bodyLimit: spec.bodyLimit,
      schema: {
        ...(method === 'GET' ? { querystring: messageSchema } : { body: messageSchema }),
        ...(spec.response ? { response: { 200: spec.response } } : {}),
      },
      preValidation:
        method !== 'GET'
          ? async (request) => {
              // a bodiless POST (PATCH, DELETE) is an empty message, as MLflow reads it
              if (request.body === undefined || request.body === null) request.body = {};
              else if (mayHoldNull(request.body)) dropNulls(request.body);
            }
          : async (request) => {
              readQueryArguments(request.query as Record<string, unknown>, spec.fields);
            },
      handler: async (request, reply) => {
        const input = (method === 'GET' ? request.query : request.body) as Input;
        return spec.handler(input ?? {}, request, reply);
      },
    });
  }
}

/** MLflow accepts the run id as `run_id` or the deprecated `run_uuid` (the schema checked both are strings). */
export function runIdOf(input: Input): string {
  const id = input.run_id || input.run_uuid;
  if (typeof id !== 'string' || id === '') {
    throw new InvalidParameter(
      "Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.",
    );
  }
  return id;
}

export function has(input: Input, field: string): boolean {
  return input[field] !== undefined && input[field] !== null;
}
