// `mlflowRoute` with the handler's input typed from the route's own schema (schema-types.ts). The
// `const` type parameters infer the inline `fields` and `required` literally, so a route reads like
// an untyped one and a handler that reads a field the schema lacks, or treats an optional one as
// present, does not compile. To move a route over: call `typedRoute` instead of `mlflowRoute`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mlflowRoute, type MlflowRouteSpec } from './mlflow-route.js';
import type { MessageOf } from './schema-types.js';

export interface TypedRouteSpec<F, R> extends Omit<MlflowRouteSpec, 'fields' | 'required' | 'handler'> {
  fields: F;
  required?: readonly R[];
  handler: (input: MessageOf<F, R>, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

export function typedRoute<const F extends Record<string, object>, const R extends keyof F & string = never>(
  app: FastifyInstance,
  spec: TypedRouteSpec<F, R>,
): void {
  // the schema validated the input before the handler runs, so the input has the derived type
  mlflowRoute(app, { ...spec, required: spec.required ? [...spec.required] : undefined } as MlflowRouteSpec);
}
