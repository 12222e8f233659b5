// MLflow's basic-auth REST endpoints (mlflow/server/auth/routes.py), so MLflow's AuthServiceClient
// works against Cairn: users, and permissions per experiment and per registered model. Who may call
// each is decided by the auth hooks (access-rules.ts), not here. Plus Cairn's access tokens under
// /api/2.0/cairn/users/tokens/… (a user's own; an admin's for anyone).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessToken, AuthStore, AuthUser } from '../../auth/auth-store.js';
import { parsePermission } from '../../auth/permissions.js';
import { validateUsername } from '../../auth/sql-auth-store.js';
import { S } from '../mlflow-route.js';
import { typedRoute } from '../typed-route.js';

export interface AuthRouteOptions {
  auth: AuthStore;
}

const actor = (request: FastifyRequest) => ({ actor: request.authUser?.username ?? 'unknown' });

async function userToJson(auth: AuthStore, user: AuthUser) {
  const experiments = await auth.listExperimentPermissions(user.username);
  const models = await auth.listRegisteredModelPermissions(user.username);
  return {
    id: user.id,
    username: user.username,
    is_admin: user.isAdmin,
    experiment_permissions: experiments.map((p) => ({
      experiment_id: p.experimentId,
      user_id: p.userId,
      permission: p.permission,
    })),
    registered_model_permissions: models.map((p) => ({ name: p.name, user_id: p.userId, permission: p.permission })),
  };
}

const tokenToJson = (t: AccessToken) => ({
  id: t.id,
  name: t.name,
  creation_time: t.creationTime,
  ...(t.expiryTime === null ? {} : { expiry_time: t.expiryTime }),
});

const USER = { username: S.requiredString };
const EXPERIMENT_PERMISSION = { experiment_id: S.requiredString, username: S.requiredString };
const MODEL_PERMISSION = { name: S.requiredString, username: S.requiredString };

/** Registered under each tracking prefix. */
export async function authRoutes(app: FastifyInstance, { auth }: AuthRouteOptions): Promise<void> {
  typedRoute(app, {
    methods: ['POST'],
    url: '/users/create',
    fields: { ...USER, password: S.requiredString },
    required: ['username', 'password'],
    handler: async (input, request) => {
      const user = await auth.createUser(validateUsername(input.username), input.password, actor(request));
      return { user: await userToJson(auth, user) };
    },
  });
  typedRoute(app, {
    methods: ['GET'],
    url: '/users/get',
    fields: USER,
    required: ['username'],
    handler: async (input) => ({ user: await userToJson(auth, await auth.getUser(input.username)) }),
  });
  typedRoute(app, {
    methods: ['PATCH'],
    url: '/users/update-password',
    fields: { ...USER, password: S.requiredString },
    required: ['username', 'password'],
    handler: async (input, request) => {
      await auth.setPassword(input.username, input.password, actor(request));
      return {};
    },
  });
  typedRoute(app, {
    methods: ['PATCH'],
    url: '/users/update-admin',
    fields: { ...USER, is_admin: S.bool },
    required: ['username', 'is_admin'],
    handler: async (input, request) => {
      await auth.setAdmin(input.username, input.is_admin, actor(request));
      return {};
    },
  });
  typedRoute(app, {
    methods: ['DELETE'],
    url: '/users/delete',
    fields: USER,
    required: ['username'],
    handler: async (input, request) => {
      await auth.deleteUser(input.username, actor(request));
      return {};
    },
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/experiments/permissions/create',
    fields: { ...EXPERIMENT_PERMISSION, permission: S.requiredString },
    required: ['experiment_id', 'username', 'permission'],
    handler: async (input, request) => {
      const p = await auth.createExperimentPermission(
        input.experiment_id,
        input.username,
        parsePermission(input.permission),
        actor(request),
      );
      return { experiment_permission: { experiment_id: p.experimentId, user_id: p.userId, permission: p.permission } };
    },
  });
  typedRoute(app, {
    methods: ['GET'],
    url: '/experiments/permissions/get',
    fields: EXPERIMENT_PERMISSION,
    required: ['experiment_id', 'username'],
    handler: async (input) => {
      const p = await auth.getExperimentPermission(input.experiment_id, input.username);
      return { experiment_permission: { experiment_id: p.experimentId, user_id: p.userId, permission: p.permission } };
    },
  });
  typedRoute(app, {
    methods: ['PATCH'],
    url: '/experiments/permissions/update',
    fields: { ...EXPERIMENT_PERMISSION, permission: S.requiredString },
    required: ['experiment_id', 'username', 'permission'],
    handler: async (input, request) => {
      const permission = parsePermission(input.permission);
      await auth.updateExperimentPermission(input.experiment_id, input.username, permission, actor(request));
      return {};
    },
  });
  typedRoute(app, {
    methods: ['DELETE'],
    url: '/experiments/permissions/delete',
    fields: EXPERIMENT_PERMISSION,
    required: ['experiment_id', 'username'],
    handler: async (input, request) => {
      await auth.deleteExperimentPermission(input.experiment_id, input.username, actor(request));
      return {};
    },
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/registered-models/permissions/create',
    fields: { ...MODEL_PERMISSION, permission: S.requiredString },
    required: ['name', 'username', 'permission'],
    handler: async (input, request) => {
      const p = await auth.createRegisteredModelPermission(
        input.name,
        input.username,
        parsePermission(input.permission),
        actor(request),
      );
      return { registered_model_permission: { name: p.name, user_id: p.userId, permission: p.permission } };
    },
  });
  typedRoute(app, {
    methods: ['GET'],
    url: '/registered-models/permissions/get',
    fields: MODEL_PERMISSION,
    required: ['name', 'username'],
    handler: async (input) => {
      const p = await auth.getRegisteredModelPermission(input.name, input.username);
      return { registered_model_permission: { name: p.name, user_id: p.userId, permission: p.permission } };
    },
  });
  typedRoute(app, {
    methods: ['PATCH'],
    url: '/registered-models/permissions/update',
    fields: { ...MODEL_PERMISSION, permission: S.requiredString },
    required: ['name', 'username', 'permission'],
    handler: async (input, request) => {
      const permission = parsePermission(input.permission);
      await auth.updateRegisteredModelPermission(input.name, input.username, permission, actor(request));
      return {};
    },
  });
  typedRoute(app, {
    methods: ['DELETE'],
    url: '/registered-models/permissions/delete',
    fields: MODEL_PERMISSION,
    required: ['name', 'username'],
    handler: async (input, request) => {
      await auth.deleteRegisteredModelPermission(input.name, input.username, actor(request));
      return {};
    },
  });
}

/** Registered under /api/2.0/cairn. */
export async function tokenRoutes(app: FastifyInstance, { auth }: AuthRouteOptions): Promise<void> {
  typedRoute(app, {
    methods: ['POST'],
    url: '/users/tokens/create',
    fields: { ...USER, name: S.requiredString, expiry_time: S.int64 },
    required: ['username', 'name'],
    handler: async (input, request) => {
      const expiry = input.expiry_time === undefined ? null : Number(input.expiry_time);
      const { token, secret } = await auth.createToken(input.username, input.name, actor(request), expiry);
      return { token: tokenToJson(token), secret };
    },
  });
  typedRoute(app, {
    methods: ['GET'],
    url: '/users/tokens/list',
    fields: USER,
    required: ['username'],
    handler: async (input) => ({ tokens: (await auth.listTokens(input.username)).map(tokenToJson) }),
  });
  typedRoute(app, {
    methods: ['POST'],
    url: '/users/tokens/revoke',
    fields: { ...USER, token_id: S.requiredString },
    required: ['username', 'token_id'],
    handler: async (input, request) => {
      await auth.revokeToken(input.username, input.token_id, actor(request));
      return {};
    },
  });
}
