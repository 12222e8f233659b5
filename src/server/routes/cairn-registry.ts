// Cairn-only registry governance endpoints, registered once under /api/2.0/cairn: the audit trail
// (`/registry/history`) and promotion policies (`/registry/policies`, `/registry/policies/check`).
import type { FastifyInstance } from 'fastify';
import type { RegistryAuditEntry } from '../../registry/entities.js';
import type { CriterionResult, PolicyResult } from '../../registry/policies/policy-evaluator.js';
import { policyToJson, type PromotionPolicy } from '../../registry/policies/promotion-policy.js';
import type { RegistryStore } from '../../registry/store.js';
import { S, has } from '../mlflow-route.js';
import { typedRoute } from '../typed-route.js';
import { changeContext } from '../request-user.js';
import type { RouteDeps } from '../route-deps.js';

type Json = Record<string, unknown>;

export function auditEntryToJson(e: RegistryAuditEntry): Json {
  return {
    id: e.id,
    timestamp: e.timestamp,
    user: e.user,
    name: e.name,
    version: e.version,
    alias: e.alias,
    action: e.action,
    from: e.from,
    to: e.to,
    reason: e.reason,
    forced: e.forced,
    policy_result: e.policyResult,
  };
}

function criterionToJson(c: CriterionResult): Json {
  const out: Json = { kind: c.kind, criterion: c.criterion, metric: c.metric, passed: c.passed, value: c.value };
  if (c.op !== undefined) Object.assign(out, { op: c.op, threshold: c.threshold });
  if (c.kind === 'mustBeat')
    Object.assign(out, { current_version: c.currentVersion, current_value: c.currentValue, by: c.by });
  if (c.detail) out.detail = c.detail;
  return out;
}

export function policyResultToJson(r: PolicyResult): Json {
  return {
    name: r.name,
    version: r.version,
    target: r.target,
    passed: r.passed,
    policy: r.policy ? policyToJson(r.policy) : null,
    criteria: r.criteria.map(criterionToJson),
  };
}

const policyJson = (name: string, p: PromotionPolicy): Json => ({ name, ...policyToJson(p) });

export async function cairnRegistryRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const registry = deps.registry as RegistryStore;

  typedRoute(app, {
    methods: ['GET'],
    url: '/registry/history',
    fields: { name: S.requiredString, version: S.string, max_results: S.int64, page_token: S.string },
    required: ['name'],
    handler: async (input) => {
      const page = await registry.getRegistryHistory({
        name: input.name,
        version: input.version || undefined,
        maxResults: has(input, 'max_results') ? Number(input.max_results) : undefined,
        pageToken: input.page_token || undefined,
      });
      const out: Json = { entries: page.items.map(auditEntryToJson) };
      if (page.nextPageToken) out.next_page_token = page.nextPageToken;
      return out;
    },
  });

  typedRoute(app, {
    methods: ['PUT', 'POST'],
    url: '/registry/policies',
    fields: { name: S.requiredString, policy: { type: 'object' }, reason: S.string },
    required: ['name', 'policy'],
    handler: async (input, request) => ({
      policy: policyJson(
        input.name,
        await registry.setPromotionPolicy(input.name, input.policy, changeContext(request, input)),
      ),
    }),
  });

  typedRoute(app, {
    methods: ['GET'],
    url: '/registry/policies',
    fields: { name: S.requiredString, target: S.string },
    required: ['name'],
    handler: async (input) => ({
      policies: (await registry.getPromotionPolicies(input.name, input.target || undefined)).map((p) =>
        policyJson(input.name, p),
      ),
    }),
  });

  typedRoute(app, {
    methods: ['DELETE'],
    url: '/registry/policies',
    fields: { name: S.requiredString, target: S.requiredString, reason: S.string },
    required: ['name', 'target'],
    handler: async (input, request) => {
      await registry.deletePromotionPolicy(input.name, input.target, changeContext(request, input));
      return {};
    },
  });

  typedRoute(app, {
    methods: ['POST'],
    url: '/registry/policies/check',
    fields: { name: S.requiredString, version: S.requiredString, target: S.requiredString },
    required: ['name', 'version', 'target'],
    handler: async (input) => ({
      result: policyResultToJson(await registry.checkPromotionPolicy(input.name, input.version, input.target)),
    }),
  });
}
