// `cairn server --auth`: who is calling (onRequest: HTTP Basic or a bearer token, verified once and
// then cached, failures rate-limited), may they (preHandler: the endpoint's rule in
// access-rules.ts), and what they may see and own afterwards (preSerialization: searches filtered
// to what they may read, the creator of an experiment or model given MANAGE). Refusals carry
// MLflow's error codes and say nothing about whether a user exists.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AccessResolver } from '../../auth/access-resolver.js';
import type { AuthStore, AuthUser } from '../../auth/auth-store.js';
import { CredentialCache, DEFAULT_CREDENTIAL_TTL_MS } from '../../auth/credential-cache.js';
import { DEFAULT_RATE_LIMIT, LoginRateLimiter, type RateLimitOptions } from '../../auth/login-rate-limiter.js';
import { allows, type PermissionName } from '../../auth/permissions.js';
import { CairnError } from '../../core/errors.js';
import type { TrackingStore } from '../../tracking/store.js';
import type { Input } from '../mlflow-route.js';
import { ACCESS_RULES, type AccessContext, OPEN, OPEN_PATHS, ruleKey } from './access-rules.js';
import { parseAuthorization } from './credentials.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** With --auth, routes that have no rule in access-rules.ts (refused to all but admins). */
    authUnruledRoutes: string[];
  }
  interface FastifyRequest {
    /** The verified caller when the server runs with --auth. */
    authUser?: AuthUser;
  }
}

export interface ServerAuth {
  store: AuthStore;
  /** What a user may do on a resource with no stored permission (MLflow's default_permission). */
  defaultPermission: PermissionName;
  rateLimit?: RateLimitOptions;
  credentialTtlMs?: number;
  permissionTtlMs?: number;
}

export const UNAUTHENTICATED_MESSAGE =
  'You are not authenticated. Send HTTP Basic credentials (MLFLOW_TRACKING_USERNAME and ' +
  'MLFLOW_TRACKING_PASSWORD) or an access token (MLFLOW_TRACKING_TOKEN).';

function unauthenticated(reply: FastifyReply): FastifyReply {
  return reply
    .status(401)
    .header('www-authenticate', 'Basic realm="cairn", charset="UTF-8"')
    .send({ error_code: 'UNAUTHENTICATED', message: UNAUTHENTICATED_MESSAGE });
}

function forbidden(reply: FastifyReply): FastifyReply {
  return reply.status(403).send({ error_code: 'PERMISSION_DENIED', message: 'Permission denied.' });
}

/** The request message: the query of a GET, else the JSON body; a raw upload (a stream body) has it in the query. */
function inputOf(request: FastifyRequest): Input {
  if (request.method === 'GET' || request.method === 'HEAD') return (request.query ?? {}) as Input;
  const body = request.body as Input | undefined;
  const raw = body === undefined || body === null || typeof body !== 'object' || typeof body.pipe === 'function';
  return ((raw ? request.query : body) ?? {}) as Input;
}

/** The rule's key; HEAD is answered by the GET route. */
const keyOf = (request: FastifyRequest): string | undefined => {
  const url = request.routeOptions.url;
  return url === undefined ? undefined : ruleKey(request.method === 'HEAD' ? 'GET' : request.method, url);
};

/**
 * Installs the hooks on the root app, before any route is registered; returns the list, filled as
 * routes are added, of routes that have no rule (refused to all but admins; tests keep it empty).
 */
export function installAuth(app: FastifyInstance, auth: ServerAuth, tracking: TrackingStore): string[] {
  const { store } = auth;
  const unruled: string[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' && route.url.startsWith('/assets/')) continue;
      const key = ruleKey(method === 'HEAD' ? 'GET' : method, route.url);
      if (!(key in ACCESS_RULES) && !OPEN_PATHS.has(route.url)) unruled.push(key);
    }
  });
  const cache = new CredentialCache(() => store.generation, auth.credentialTtlMs ?? DEFAULT_CREDENTIAL_TTL_MS);
  const limiter = new LoginRateLimiter(auth.rateLimit ?? DEFAULT_RATE_LIMIT);
  const access = new AccessResolver(store, auth.defaultPermission, auth.permissionTtlMs);

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0];
    if (OPEN_PATHS.has(path)) return;
    const header = request.headers.authorization;
    if (header === undefined) return unauthenticated(reply);
    const key = CredentialCache.keyOf(header);
    const cached = cache.get(key);
    if (cached) {
      request.authUser = cached;
      return;
    }
    const credential = parseAuthorization(header);
    const username = credential?.kind === 'basic' ? credential.username : undefined;
    const wait = limiter.retryAfter(username, request.ip);
    if (wait > 0) {
      return reply
        .status(429)
        .header('retry-after', String(Math.ceil(wait / 1000)))
        .send({ error_code: 'REQUEST_LIMIT_EXCEEDED', message: 'Too many failed logins; retry later.' });
    }
    const generation = store.generation;
    let user: AuthUser | undefined;
    if (credential?.kind === 'basic') user = await store.verifyPassword(credential.username, credential.password);
    else if (credential?.kind === 'bearer') user = await store.verifyToken(credential.token);
    if (!user) {
      limiter.recordFailure(username, request.ip);
      request.log.info({ ip: request.ip }, 'authentication failed');
      return unauthenticated(reply);
    }
    if (username !== undefined) limiter.recordSuccess(username);
    cache.set(key, user, generation);
    request.authUser = user;
  });

  app.addHook('preHandler', async (request, reply) => {
    const user = request.authUser;
    const key = keyOf(request);
    if (user === undefined || key === undefined) return; // an open path, or a 404
    const rule = ACCESS_RULES[key];
    if (rule === OPEN || user.isAdmin) return;
    if (rule === undefined) return forbidden(reply);
    const ctx: AccessContext = {
      user,
      input: inputOf(request),
      params: (request.params ?? {}) as Record<string, string | undefined>,
      permissionOn: (type, id) => access.permissionOn(user, type, id),
      experimentOfRun: async (runId) => {
        try {
          return (await tracking.getRun(runId)).info.experimentId;
        } catch (err) {
          if (err instanceof CairnError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
          throw err;
        }
      },
      experimentIdByName: async (name) => {
        try {
          return (await tracking.getExperimentByName(name)).experimentId;
        } catch (err) {
          if (err instanceof CairnError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
          throw err;
        }
      },
    };
    const decision = await rule(ctx);
    if (decision === false) return forbidden(reply);
    if (decision === 'empty') return reply.send({});
  });

  app.addHook('preSerialization', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const user = request.authUser;
    const key = keyOf(request);
    if (user === undefined || key === undefined || reply.statusCode !== 200 || typeof payload !== 'object') {
      return payload;
    }
    const body = (payload ?? {}) as Record<string, any>;
    const change = { actor: user.username };
    const canRead = async (type: 'experiment' | 'registered_model', id: string) =>
      user.isAdmin || allows(await access.permissionOn(user, type, id), 'read');
    switch (key) {
      case 'POST /experiments/create':
        await grantManage(store, 'experiment', String(body.experiment_id), user, change);
        break;
      case 'POST /registered-models/create':
        await grantManage(store, 'registered_model', String(body.registered_model?.name), user, change);
        break;
      case 'POST /registered-models/rename': {
        const input = inputOf(request);
        await store.renameRegisteredModelPermissions(String(input.name), String(input.new_name), change);
        break;
      }
      case 'DELETE /registered-models/delete':
        await store.dropRegisteredModelPermissions(String(inputOf(request).name), change);
        break;
      case 'GET /experiments/search':
      case 'POST /experiments/search':
        if (Array.isArray(body.experiments)) {
          body.experiments = await keep(body.experiments, (e) => canRead('experiment', String(e.experiment_id)));
        }
        break;
      case 'GET /registered-models/search':
        if (Array.isArray(body.registered_models)) {
          body.registered_models = await keep(body.registered_models, (m) => canRead('registered_model', m.name));
        }
        break;
      case 'GET /model-versions/search':
        if (Array.isArray(body.model_versions)) {
          body.model_versions = await keep(body.model_versions, (v) => canRead('registered_model', v.name));
        }
        break;
    }
    // protobuf's JSON leaves an empty repeated field out, as the unfiltered answer does
    for (const field of ['experiments', 'registered_models', 'model_versions']) {
      if (Array.isArray(body[field]) && body[field].length === 0) delete body[field];
    }
    return payload;
  });
  return unruled;
}

async function keep<T>(items: T[], predicate: (item: T) => Promise<boolean>): Promise<T[]> {
  const out: T[] = [];
  for (const item of items) if (await predicate(item)) out.push(item);
  return out;
}

/** The creator of an experiment or a model gets MANAGE on it (MLflow's after-request rule). */
async function grantManage(
  store: AuthStore,
  type: 'experiment' | 'registered_model',
  id: string,
  user: AuthUser,
  change: { actor: string },
): Promise<void> {
  const existing =
    type === 'experiment'
      ? await store.experimentPermissionOf(user.id, id)
      : await store.registeredModelPermissionOf(user.id, id);
  if (existing === 'MANAGE') return;
  if (type === 'experiment') {
    if (existing) await store.updateExperimentPermission(id, user.username, 'MANAGE', change);
    else await store.createExperimentPermission(id, user.username, 'MANAGE', change);
  } else if (existing) await store.updateRegisteredModelPermission(id, user.username, 'MANAGE', change);
  else await store.createRegisteredModelPermission(id, user.username, 'MANAGE', change);
}
