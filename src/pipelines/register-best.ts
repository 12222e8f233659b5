// Registers the best model of a training as a new version and applies the registered model's promotion
// policy for Production: a version that passes goes to Production (and only then is the previous
// Production version archived); one that fails goes to Staging with the failing criteria recorded on
// the version (tag and description) — never silently to Production. Alias `champion` points at it.
import { AlreadyExists, CairnError, NotFound } from '../core/errors.js';
import type { CairnClient } from '../client/cairn-client.js';
import { joinArtifactUri } from '../models/model-uri.js';
import { describeFailures, type PolicyResult } from '../registry/policies/policy-evaluator.js';
import { parsePromotionPolicy, type PromotionPolicy } from '../registry/policies/promotion-policy.js';
import type { ChangeContext } from '../registry/store.js';
import type { ModelSummary } from './train-types.js';

export const CHAMPION_ALIAS = 'champion';
export const PRODUCTION = 'Production';
/** Version tag holding why a version was not promoted. */
export const PROMOTION_TAG = 'cairn.promotion';

/** The reference projects' policy, the default for `heart-disease`. */
export const HEART_DEFAULT_POLICY = {
  target: PRODUCTION,
  require: [
    { metric: 'accuracy', '>=': 0.91 },
    { metric: 'precision_1', '>=': 0.93 },
    { metric: 'recall_1', '>=': 0.9 },
    { metric: 'f1_1', '>=': 0.92 },
  ],
  description: 'Reference policy of the heart-disease projects (CV means).',
};

/**
 * Stroke's default asks what matters on an imbalanced target: finding strokes (recall of class 1 at
 * the tuned threshold) with a ranking clearly better than chance (PR-AUC three times the 4.9% base rate).
 */
export const STROKE_DEFAULT_POLICY = {
  target: PRODUCTION,
  require: [
    { metric: 'recall_1', '>=': 0.7 },
    { metric: 'pr_auc', '>=': 0.15 },
    { metric: 'roc_auc', '>=': 0.8 },
  ],
  description: 'Default for stroke: class-1 recall at the tuned threshold and PR-AUC, not accuracy.',
};

export const DEFAULT_POLICIES: Record<string, unknown> = {
  'heart-disease': HEART_DEFAULT_POLICY,
  stroke: STROKE_DEFAULT_POLICY,
};

export interface RegistrationResult {
  name: string;
  version: string;
  runId: string;
  family: string;
  stage: string;
  /** null when the model has no Production policy (then it is not promoted). */
  passed: boolean | null;
  policy: PromotionPolicy | null;
  policySource: 'file' | 'existing' | 'default' | 'none';
  /** One entry per failing criterion, with the value seen. */
  failures: string[];
  /** Versions moved from Production to Archived by this promotion. */
  archived: string[];
  champion: boolean;
  /** One sentence: what happened and why. */
  message: string;
  /** Problems that did not stop registration (a refused alias, a server without policies). */
  warnings: string[];
}

export interface RegisterOptions {
  name: string;
  /** Policy documents from --policy (already validated with validatePolicyDocs). */
  policyDocs?: unknown[];
  /** Used when the model has no Production policy and none is given. */
  defaultPolicy?: unknown;
  user?: string;
}

/** Parses policy documents up front (before training), so a bad file costs nothing. */
export function validatePolicyDocs(doc: unknown): unknown[] {
  const docs = Array.isArray(doc) ? doc : [doc];
  for (const d of docs) parsePromotionPolicy(d);
  return docs;
}

async function productionPolicy(
  client: CairnClient,
  options: RegisterOptions,
  context: ChangeContext,
  warnings: string[],
): Promise<{ policy: PromotionPolicy | null; source: RegistrationResult['policySource'] }> {
  if (options.policyDocs && options.policyDocs.length > 0) {
    let production: PromotionPolicy | null = null;
    for (const doc of options.policyDocs) {
      const stored = await client.registry.setPromotionPolicy(options.name, doc, {
        ...context,
        reason: 'cairn train --policy',
      });
      if (stored.target === PRODUCTION) production = stored;
    }
    if (production) return { policy: production, source: 'file' };
  }
  let existing: PromotionPolicy[];
  try {
    existing = await client.registry.getPromotionPolicies(options.name, PRODUCTION);
  } catch (err) {
    if (err instanceof NotFound) existing = [];
    else {
      // an MLflow server has no Cairn policy endpoints: nothing can be checked, so nothing is promoted
      warnings.push(`promotion policies are not available on this tracking server: ${(err as Error).message}`);
      return { policy: null, source: 'none' };
    }
  }
  if (existing.length > 0) return { policy: existing[0], source: 'existing' };
  if (options.defaultPolicy) {
    const stored = await client.registry.setPromotionPolicy(options.name, options.defaultPolicy, {
      ...context,
      reason: `default promotion policy for ${options.name}, set by cairn train`,
    });
    return { policy: stored, source: 'default' };
  }
  return { policy: null, source: 'none' };
}

async function ensureRegisteredModel(client: CairnClient, name: string): Promise<void> {
  try {
    await client.createRegisteredModel(name, { description: 'Registered by cairn train.' });
  } catch (err) {
    if (!(err instanceof AlreadyExists)) throw err;
  }
}

/** Versions of the model now in a stage (numbers as text). */
async function versionsIn(client: CairnClient, name: string, stage: string): Promise<string[]> {
  const quoted = name.includes("'") ? `"${name}"` : `'${name}'`;
  const out: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.registry.searchModelVersions({ filter: `name = ${quoted}`, maxResults: 1000, pageToken });
    for (const v of page.items) if (v.currentStage === stage) out.push(v.version);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}

const fmt = (v: number | null) => (v === null ? 'missing' : Number(v.toPrecision(4)).toString());

export async function registerBest(
  client: CairnClient,
  best: ModelSummary,
  options: RegisterOptions,
): Promise<RegistrationResult> {
  const context: ChangeContext = { user: options.user, reason: 'cairn train' };
  const warnings: string[] = [];
  await ensureRegisteredModel(client, options.name);
  const { policy, source } = await productionPolicy(client, options, context, warnings);
  const run = await client.getRun(best.runId);
  const version = (
    await client.createModelVersion({
      name: options.name,
      source: joinArtifactUri(run.info.artifactUri, 'model'),
      runId: best.runId,
      description: `${best.runName}: best of its training (cairn train).`,
    })
  ).version;
  const base = { name: options.name, version, runId: best.runId, family: best.family, policy, policySource: source };

  let check: PolicyResult | null = null;
  if (policy) check = await client.registry.checkPromotionPolicy(options.name, version, PRODUCTION);
  let stage = 'None';
  let archived: string[] = [];
  let failures: string[] = [];
  let message: string;
  if (check?.passed) {
    const before = await versionsIn(client, options.name, PRODUCTION);
    await client.registry.transitionModelVersionStage(options.name, version, PRODUCTION, true, {
      ...context,
      reason: 'passes the Production promotion policy',
    });
    stage = PRODUCTION;
    archived = before.filter((v) => v !== version);
    message =
      `v${version} passes the Production policy and is in Production` +
      (archived.length > 0 ? `; v${archived.join(', v')} archived.` : '.');
  } else {
    failures = check
      ? check.criteria.filter((c) => !c.passed).map((c) => `${c.criterion} (got ${fmt(c.value)})`)
      : ['no promotion policy for Production: give one with --policy FILE or `cairn models policy set`'];
    const why = check ? `fails the Production policy: ${describeFailures(check)}` : failures[0];
    try {
      await client.registry.transitionModelVersionStage(options.name, version, 'Staging', false, {
        ...context,
        reason: why.slice(0, 1000),
      });
      stage = 'Staging';
    } catch (err) {
      if (!(err instanceof CairnError)) throw err;
      warnings.push(`could not move v${version} to Staging: ${err.message}`);
    }
    await client.registry.setModelVersionTag(
      options.name,
      version,
      PROMOTION_TAG,
      `not promoted: ${why}`.slice(0, 5000),
    );
    await client.registry.updateModelVersion(
      options.name,
      version,
      `${best.runName}: best of its training (cairn train). Not promoted to Production: ${why}`.slice(0, 5000),
    );
    message = `v${version} ${check ? 'does not pass the Production policy' : 'has no Production policy to pass'}, so it is in ${stage}, not Production.`;
  }

  let champion = false;
  try {
    await client.registry.setRegisteredModelAlias(options.name, CHAMPION_ALIAS, version, {
      ...context,
      reason: `best ${best.family} model of this training`,
    });
    champion = true;
  } catch (err) {
    if (!(err instanceof CairnError)) throw err;
    warnings.push(`@${CHAMPION_ALIAS} was not moved to v${version}: ${err.message}`);
  }
  return { ...base, stage, passed: check ? check.passed : null, failures, archived, champion, message, warnings };
}
