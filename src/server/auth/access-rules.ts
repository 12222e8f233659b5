// Which permission each endpoint needs, and where the resource id comes from: the table MLflow's
// basic-auth app keeps as BEFORE_REQUEST_VALIDATORS, for every route Cairn serves (tracking,
// registry, artifacts, Cairn's registry extensions and webhooks, the auth endpoints, the UI).
// Keys are `METHOD path` with the path as registered, less its API prefix. A route missing from
// the table is refused to everyone but admins (app-auth.test.ts checks every route has a rule).
import type { AuthUser } from '../../auth/auth-store.js';
import type { ResourceType } from '../../auth/access-resolver.js';
import { allows, type Capability, type PermissionName } from '../../auth/permissions.js';
import { ARTIFACT_PREFIXES, TRACKING_PREFIXES } from '../app-prefixes.js';
import { UI_CLIENT_ROUTES } from '../ui-plugin.js';
import type { Input } from '../mlflow-route.js';

export interface AccessContext {
  user: AuthUser;
  /** The decoded request message (query for GET, body otherwise); a rule may narrow it (runs/search). */
  input: Input;
  params: Record<string, string | undefined>;
  permissionOn(type: ResourceType, id: string): Promise<PermissionName>;
  /** The experiment of a run, or undefined when there is no such run (the handler then answers 404). */
  experimentOfRun(runId: string): Promise<string | undefined>;
  experimentIdByName(name: string): Promise<string | undefined>;
}

/** true: go on; false: 403; 'empty': answer an empty result (a search over nothing readable). */
export type AccessDecision = boolean | 'empty';
export type AccessRule = (ctx: AccessContext) => Promise<AccessDecision>;

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Any signed-in user: creating (they get MANAGE), searching (results filtered), the UI. */
const signedIn: AccessRule = async () => true;
/** Admins only (they never reach a rule). */
const adminOnly: AccessRule = async () => false;
/** Open without credentials (load-balancer checks). */
export const OPEN: AccessRule = async () => true;

function experiment(need: Capability, field = 'experiment_id'): AccessRule {
  return async (ctx) => {
    const id = text(ctx.input[field]);
    if (id === undefined) return true; // the route's own validation answers 400
    return allows(await ctx.permissionOn('experiment', id), need);
  };
}

function experimentByName(need: Capability): AccessRule {
  return async (ctx) => {
    const name = text(ctx.input.experiment_name);
    const id = name === undefined ? undefined : await ctx.experimentIdByName(name);
    return id === undefined ? true : allows(await ctx.permissionOn('experiment', id), need);
  };
}

async function runAllows(ctx: AccessContext, runId: string, need: Capability): Promise<boolean> {
  const experimentId = await ctx.experimentOfRun(runId);
  return experimentId === undefined ? true : allows(await ctx.permissionOn('experiment', experimentId), need);
}

/** Runs inherit their experiment's permission (MLflow's rule). */
function run(need: Capability): AccessRule {
  return async (ctx) => {
    const id = text(ctx.input.run_id) ?? text(ctx.input.run_uuid);
    return id === undefined ? true : runAllows(ctx, id, need);
  };
}

function runList(field: string, need: Capability): AccessRule {
  return async (ctx) => {
    const ids = ctx.input[field];
    if (!Array.isArray(ids)) return true;
    for (const id of ids) if (typeof id === 'string' && !(await runAllows(ctx, id, need))) return false;
    return true;
  };
}

function model(need: Capability, field = 'name'): AccessRule {
  return async (ctx) => {
    const name = text(ctx.input[field]);
    return name === undefined ? true : allows(await ctx.permissionOn('registered_model', name), need);
  };
}

/** runs/search: only the listed experiments the user may read are searched. */
const searchRuns: AccessRule = async (ctx) => {
  const ids = ctx.input.experiment_ids;
  if (!Array.isArray(ids) || ids.length === 0) return true;
  const readable: string[] = [];
  for (const id of ids) {
    if (typeof id === 'string' && allows(await ctx.permissionOn('experiment', id), 'read')) readable.push(id);
  }
  if (readable.length === 0) return 'empty';
  ctx.input.experiment_ids = readable;
  return true;
};

/** The auth endpoints a user may call about themself (get, update-password). */
const self: AccessRule = async (ctx) => ctx.input.username === ctx.user.username;

/**
 * The artifact proxy stores `<experiment id>/<run id>/artifacts/…`: the leading experiment id
 * decides, and a path without one falls back to the default permission (as MLflow).
 */
function proxyArtifact(need: Capability): AccessRule {
  return async (ctx) => {
    const path = ctx.params['*'] ?? text(ctx.input.path) ?? '';
    const m = /^\/?(\d+)(\/|$)/.exec(path);
    const permission = m ? await ctx.permissionOn('experiment', m[1]) : await ctx.permissionOn('experiment', '');
    return allows(permission, need);
  };
}

const READ_RUN = run('read');
const UPDATE_RUN = run('update');

export const ACCESS_RULES: Readonly<Record<string, AccessRule>> = {
  // tracking: experiments
  'POST /experiments/create': signedIn,
  'GET /experiments/get': experiment('read'),
  'GET /experiments/get-by-name': experimentByName('read'),
  'GET /experiments/search': signedIn,
  'POST /experiments/search': signedIn,
  'POST /experiments/update': experiment('update'),
  'POST /experiments/delete': experiment('delete'),
  'POST /experiments/restore': experiment('delete'),
  'POST /experiments/set-experiment-tag': experiment('update'),
  'POST /experiments/delete-experiment-tag': experiment('update'),
  // tracking: runs
  'POST /runs/create': experiment('update'),
  'GET /runs/get': READ_RUN,
  'POST /runs/update': UPDATE_RUN,
  'POST /runs/delete': run('delete'),
  'POST /runs/restore': run('delete'),
  'POST /runs/search': searchRuns,
  'POST /runs/log-metric': UPDATE_RUN,
  'POST /runs/log-parameter': UPDATE_RUN,
  'POST /runs/set-tag': UPDATE_RUN,
  'POST /runs/delete-tag': UPDATE_RUN,
  'POST /runs/log-batch': UPDATE_RUN,
  'POST /runs/log-inputs': UPDATE_RUN,
  'POST /runs/log-model': UPDATE_RUN,
  'GET /metrics/get-history': READ_RUN,
  'GET /metrics/get-history-bulk': runList('run_id', 'read'),
  'GET /metrics/get-history-bulk-interval': runList('run_ids', 'read'),
  'GET /artifacts/list': READ_RUN,
  'GET /get-artifact': READ_RUN,
  'POST /upload-artifact': UPDATE_RUN,
  // registry
  'POST /registered-models/create': signedIn,
  'GET /registered-models/get': model('read'),
  'POST /registered-models/rename': model('update'),
  'PATCH /registered-models/update': model('update'),
  'DELETE /registered-models/delete': model('delete'),
  'GET /registered-models/search': signedIn,
  'GET /registered-models/get-latest-versions': model('read'),
  'POST /registered-models/get-latest-versions': model('read'),
  'POST /registered-models/set-tag': model('update'),
  'DELETE /registered-models/delete-tag': model('update'),
  'POST /registered-models/alias': model('update'),
  'DELETE /registered-models/alias': model('delete'),
  'GET /registered-models/alias': model('read'),
  'POST /model-versions/create': model('update'),
  'GET /model-versions/get': model('read'),
  'PATCH /model-versions/update': model('update'),
  'DELETE /model-versions/delete': model('delete'),
  'GET /model-versions/search': signedIn,
  'POST /model-versions/transition-stage': model('update'),
  'POST /model-versions/set-tag': model('update'),
  'DELETE /model-versions/delete-tag': model('delete'),
  'GET /model-versions/get-download-uri': model('read'),
  'GET /model-versions/get-artifact': model('read'),
  // artifact proxy (/api/2.0/mlflow-artifacts)
  'GET /artifacts': proxyArtifact('read'),
  'GET /artifacts/*': proxyArtifact('read'),
  'PUT /artifacts/*': proxyArtifact('update'),
  'DELETE /artifacts/*': proxyArtifact('manage'),
  'POST /mpu/create/*': proxyArtifact('update'),
  'POST /mpu/complete/*': proxyArtifact('update'),
  'POST /mpu/abort/*': proxyArtifact('update'),
  // Cairn's registry extensions (/api/2.0/cairn)
  'GET /registry/history': model('read'),
  'PUT /registry/policies': model('manage'),
  'POST /registry/policies': model('manage'),
  'GET /registry/policies': model('read'),
  'DELETE /registry/policies': model('manage'),
  'POST /registry/policies/check': model('read'),
  // webhooks see every model's events and call out of the network: admins only
  'POST /registry/webhooks': adminOnly,
  'GET /registry/webhooks': adminOnly,
  'GET /registry/webhooks/deliveries': adminOnly,
  'POST /registry/webhooks/test': adminOnly,
  // a monitor reporting on a model it may update (it logs runs and may promote); subscribers stay admin-managed
  'POST /registry/webhooks/events': model('update'),
  'GET /registry/webhooks/:id': adminOnly,
  'PATCH /registry/webhooks/:id': adminOnly,
  'DELETE /registry/webhooks/:id': adminOnly,
  // MLflow's auth endpoints (routes.py)
  'POST /users/create': adminOnly,
  'GET /users/get': self,
  'PATCH /users/update-password': self,
  'PATCH /users/update-admin': adminOnly,
  'DELETE /users/delete': adminOnly,
  'POST /experiments/permissions/create': experiment('manage'),
  'GET /experiments/permissions/get': experiment('manage'),
  'PATCH /experiments/permissions/update': experiment('manage'),
  'DELETE /experiments/permissions/delete': experiment('manage'),
  'POST /registered-models/permissions/create': model('manage'),
  'GET /registered-models/permissions/get': model('manage'),
  'PATCH /registered-models/permissions/update': model('manage'),
  'DELETE /registered-models/permissions/delete': model('manage'),
  // Cairn's access tokens (/api/2.0/cairn): a user's own, or any for an admin
  'POST /users/tokens/create': self,
  'GET /users/tokens/list': self,
  'POST /users/tokens/revoke': self,
  // the web UI: signed in (the API calls it makes are checked one by one); its pages from the UI
  // plugin's own list, so a new page cannot go without a rule
  ...Object.fromEntries(UI_CLIENT_ROUTES.map((route) => [`GET ${route}`, signedIn])),
  'GET /assets/*': signedIn,
  'HEAD /assets/*': signedIn,
  // load balancers
  'GET /health': OPEN,
  'GET /version': signedIn,
};

/** Paths answered without credentials. */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/health', '/ready']);

const PREFIXES = [...TRACKING_PREFIXES, ...ARTIFACT_PREFIXES, '/api/2.0/cairn'].sort((a, b) => b.length - a.length);

/** `METHOD /path` of a registered route pattern, without its API prefix: the key of ACCESS_RULES. */
export function ruleKey(method: string, routeUrl: string): string {
  const prefix = PREFIXES.find((p) => routeUrl === p || routeUrl.startsWith(`${p}/`));
  const path = prefix ? routeUrl.slice(prefix.length) || '/' : routeUrl;
  return `${method} ${path}`;
}
