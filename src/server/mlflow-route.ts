// Declares an MLflow RPC endpoint once: its fields become the querystring schema for GET and the
// body schema for POST, so both forms validate and coerce the same way (protobuf-style leniency).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidParameter } from '../core/errors.js';

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

export const S = {
  string: { type: 'string' },
  requiredString: { type: 'string', minLength: 1 },
  int64: { type: 'integer' },
  int32: { type: 'integer', minimum: -2147483648, maximum: 2147483647 },
  /** a double, or one of protobuf's strings 'NaN' / 'Infinity' / '-Infinity' */
  double: { type: ['number', 'string'] },
  enumName: { type: ['string', 'integer'] },
  bool: { type: 'boolean' },
  stringList: { type: 'array', items: { type: 'string' } },
  tags: {
    type: 'array',
    items: { type: 'object', properties: { key: { type: 'string' }, value: { type: 'string' } } },
  },
} as const;

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
      // a bodiless POST (PATCH, DELETE) is an empty message, as MLflow reads it
      preValidation: method !== 'GET'
        ? async (request) => { if (request.body === undefined || request.body === null) request.body = {}; }
        : undefined,
      handler: async (request, reply) => {
        const input = (method === 'GET' ? request.query : request.body) as Input;
        return spec.handler(input ?? {}, request, reply);
      },
    });
  }
}

/** MLflow accepts the run id as `run_id` or the deprecated `run_uuid`. */
export function runIdOf(input: Input): string {
  const id = input.run_id || input.run_uuid;
  if (typeof id !== 'string' || id === '') {
    throw new InvalidParameter("Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.");
  }
  return id;
}

export function has(input: Input, field: string): boolean {
  return input[field] !== undefined && input[field] !== null;
}
