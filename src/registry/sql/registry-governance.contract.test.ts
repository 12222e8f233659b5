// Registry governance on SQLite and a real PostgreSQL server: the audit trail written with each
// change (and not without it), promotion policies gating transitions and alias moves, forced overrides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnError, InvalidParameter, InvalidState, NotFound } from '../../core/errors.js';
import type { RegistryAuditEntry } from '../entities.js';
import type { SqlStores as Stores } from '../open-stores.js';
import type { RegistryStore } from '../store.js';
import { SqlRegistryStore } from './sql-registry-store.js';
import { registryStoreBackends } from '../../../test/support/registry-stores.js';

let counter = 0;
const unique = (prefix: string): string => `${prefix}-${Date.now()}-${counter++}`;

async function rejection(p: Promise<unknown>): Promise<CairnError> {
  try {
    await p;
  } catch (e) {
    return e as CairnError;
  }
  throw new Error('expected the promise to reject');
}

const HEART_POLICY = {
  target: 'Production',
  require: [
    { metric: 'accuracy', '>=': 0.91 },
    { metric: 'precision_1', '>=': 0.93 },
    { metric: 'recall_1', '>=': 0.9 },
    { metric: 'f1_1', '>=': 0.92 },
  ],
  mustBeat: { metric: 'roc_auc', current: 'Production', by: 0 },
};
const GOOD = { accuracy: 0.93, precision_1: 0.95, recall_1: 0.92, f1_1: 0.935, roc_auc: 0.95 };

describe.each(registryStoreBackends())('registry governance on $name', (backend) => {
  let stores: Stores;
  let store: RegistryStore;
  let experimentId: string;
  beforeAll(async () => {
    stores = await backend.open();
    store = stores.registry;
    experimentId = await stores.tracking.createExperiment(unique('governance'));
  }, 120_000);
  afterAll(async () => {
    await backend.cleanup();
  });

  /** A version whose source run logged `metrics` (latest values). */
  async function versionWith(name: string, metrics: Record<string, number>): Promise<string> {
    const run = await stores.tracking.createRun({ experimentId });
    const runId = run.info.runId;
    await stores.tracking.logBatch(runId, {
      metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: 1, step: 0 })),
    });
    return (await store.createModelVersion({ name, source: `s3://bucket/${runId}`, runId })).version;
  }
  const history = async (name: string, version?: string): Promise<RegistryAuditEntry[]> =>
    (await store.getRegistryHistory({ name, version, maxResults: 1000 })).items;
  const stageOf = async (name: string, version: string) => (await store.getModelVersion(name, version)).currentStage;

  it('records every governed change with who, what, from → to and reason, newest first', async () => {
    const name = unique('audit');
    await store.createRegisteredModel(name, [], 'first');
    const v1 = (await store.createModelVersion({ name, source: 's3://b/1' })).version;
    const v2 = (await store.createModelVersion({ name, source: 's3://b/2' })).version;
    await store.transitionModelVersionStage(name, v1, 'staging', false, { user: 'alice', reason: 'smoke tests green' });
    await store.transitionModelVersionStage(name, v2, 'Staging', true, { user: 'bob' });
    await store.setRegisteredModelAlias(name, 'champion', v1, { user: 'alice' });
    await store.setRegisteredModelAlias(name, 'champion', v2, { user: 'alice', reason: 'move' });
    await store.deleteRegisteredModelAlias(name, 'champion');
    await store.deleteRegisteredModelAlias(name, 'never-set');
    await store.updateRegisteredModel(name, 'second', { user: 'carol' });
    await store.updateModelVersion(name, v2, 'v2 notes');
    await store.setModelVersionTag(name, v2, 'k', 'v');
    await store.deleteModelVersion(name, v1, { user: 'dave', reason: 'bad data' });

    const rows = await history(name);
    expect(rows.map((r) => [r.action, r.version, r.alias, r.from, r.to, r.user, r.reason])).toEqual([
      ['delete_version', v1, null, 'Archived', null, 'dave', 'bad data'],
      ['update_version_description', v2, null, null, 'v2 notes', 'unknown', null],
      ['update_model_description', null, null, 'first', 'second', 'carol', null],
      ['delete_alias', v2, 'champion', v2, null, 'unknown', null],
      ['set_alias', v2, 'champion', v1, v2, 'alice', 'move'],
      ['set_alias', v1, 'champion', null, v1, 'alice', null],
      ['transition_stage', v2, null, 'None', 'Staging', 'bob', null],
      [
        'transition_stage',
        v1,
        null,
        'Staging',
        'Archived',
        'bob',
        `archived by the transition of version ${v2} to Staging`,
      ],
      ['transition_stage', v1, null, 'None', 'Staging', 'alice', 'smoke tests green'],
    ]);
    expect(rows.every((r) => r.timestamp > 0 && r.forced === false && r.policyResult === null)).toBe(true);
    expect((await history(name, v2)).map((r) => r.action)).toEqual([
      'update_version_description',
      'delete_alias',
      'set_alias',
      'transition_stage',
    ]);

    const page1 = await store.getRegistryHistory({ name, maxResults: 4 });
    expect(page1.items).toHaveLength(4);
    const page2 = await store.getRegistryHistory({ name, maxResults: 4, pageToken: page1.nextPageToken });
    const page3 = await store.getRegistryHistory({ name, maxResults: 4, pageToken: page2.nextPageToken });
    expect([...page1.items, ...page2.items, ...page3.items].map((r) => r.id)).toEqual(rows.map((r) => r.id));
    expect(page3.nextPageToken).toBeUndefined();

    // the history outlives the model, and follows renames
    const renamed = unique('renamed');
    await store.renameRegisteredModel(name, renamed, { user: 'erin' });
    expect((await history(renamed)).map((r) => r.action).slice(0, 2)).toEqual(['rename_model', 'delete_version']);
    expect(await history(name)).toEqual([]);
    await store.deleteRegisteredModel(renamed, { user: 'erin', reason: 'retired' });
    expect((await history(renamed))[0]).toMatchObject({ action: 'delete_model', user: 'erin', reason: 'retired' });
  });

  it('writes no audit row when the change fails, and rejects force without a reason before writing', async () => {
    const name = unique('atomic');
    await store.createRegisteredModel(name);
    const v1 = (await store.createModelVersion({ name, source: 's3://b/1' })).version;
    expect(await rejection(store.transitionModelVersionStage(name, '7', 'Production', false))).toBeInstanceOf(NotFound);
    expect(await rejection(store.transitionModelVersionStage(name, v1, 'Live', false))).toBeInstanceOf(
      InvalidParameter,
    );
    expect(await rejection(store.setRegisteredModelAlias(name, 'latest', v1))).toBeInstanceOf(InvalidParameter);
    const noReason = await rejection(
      store.transitionModelVersionStage(name, v1, 'Production', false, { force: true, reason: '  ' }),
    );
    expect(noReason).toBeInstanceOf(InvalidParameter);
    expect(noReason.message).toContain("non-empty 'reason'");
    expect(await stageOf(name, v1)).toBe('None');
    expect(await history(name)).toEqual([]);
  });

  it('rolls the change back when its audit row cannot be written (same transaction)', async () => {
    const name = unique('same-tx');
    await store.createRegisteredModel(name);
    const v1 = (await store.createModelVersion({ name, source: 's3://b/1' })).version;
    const db = (store as SqlRegistryStore).db;
    await db.exec('ALTER TABLE registry_audit RENAME TO registry_audit_away');
    try {
      await expect(store.transitionModelVersionStage(name, v1, 'Staging', false)).rejects.toThrow();
      await expect(store.setRegisteredModelAlias(name, 'champion', v1)).rejects.toThrow();
      await expect(store.deleteModelVersion(name, v1)).rejects.toThrow();
    } finally {
      await db.exec('ALTER TABLE registry_audit_away RENAME TO registry_audit');
    }
    const version = await store.getModelVersion(name, v1);
    expect(version).toMatchObject({ currentStage: 'None', aliases: [] });
    expect(await history(name)).toEqual([]);
  });

  it('refuses a transition failing the policy, listing every failing criterion; nothing changes but the refusal is recorded', async () => {
    const name = unique('heart');
    await store.createRegisteredModel(name);
    await store.setPromotionPolicy(name, HEART_POLICY, { user: 'lead' });
    const weak = await versionWith(name, { accuracy: 0.89, precision_1: 0.95, recall_1: 0.85, roc_auc: 0.9 });

    const err = await rejection(
      store.transitionModelVersionStage(name, weak, 'production', false, { user: 'alice', reason: 'try' }),
    );
    expect(err).toBeInstanceOf(InvalidState);
    expect(err.errorCode).toBe('INVALID_STATE');
    expect(err.message).toContain('accuracy >= 0.91: got 0.89');
    expect(err.message).toContain('recall_1 >= 0.9: got 0.85');
    expect(err.message).toContain("f1_1 >= 0.92: metric 'f1_1' is missing");
    expect(err.message).not.toContain('precision_1');
    expect(await stageOf(name, weak)).toBe('None');

    const [refusal, setPolicy] = await history(name);
    expect(setPolicy).toMatchObject({ action: 'set_policy', alias: 'Production', user: 'lead', from: null });
    expect(refusal).toMatchObject({
      action: 'transition_stage_refused',
      version: weak,
      from: 'None',
      to: 'Production',
      user: 'alice',
      forced: false,
    });
    const result = refusal.policyResult as {
      passed: boolean;
      criteria: Array<{ metric: string; passed: boolean; value: number | null }>;
    };
    expect(result.passed).toBe(false);
    expect(result.criteria.map((c) => [c.metric, c.passed, c.value])).toEqual([
      ['accuracy', false, 0.89],
      ['precision_1', true, 0.95],
      ['recall_1', false, 0.85],
      ['f1_1', false, null],
      ['roc_auc', true, 0.9],
    ]);

    // the dry run agrees and writes nothing
    const check = await store.checkPromotionPolicy(name, weak, 'Production');
    expect(check.passed).toBe(false);
    expect(check.criteria.filter((c) => !c.passed).map((c) => c.metric)).toEqual(['accuracy', 'recall_1', 'f1_1']);
    expect(await history(name)).toHaveLength(2);
  });

  it('passes a good version, then mustBeat compares later candidates with the Production holder', async () => {
    const name = unique('beat');
    await store.createRegisteredModel(name);
    await store.setPromotionPolicy(name, HEART_POLICY);
    const first = await versionWith(name, GOOD);
    const promoted = await store.transitionModelVersionStage(name, first, 'Production', false, { user: 'alice' });
    expect(promoted.currentStage).toBe('Production');
    const [entry] = await history(name);
    expect(entry).toMatchObject({ action: 'transition_stage', forced: false, to: 'Production' });
    expect((entry.policyResult as { passed: boolean }).passed).toBe(true);

    const equal = await versionWith(name, { ...GOOD });
    const err = await rejection(store.transitionModelVersionStage(name, equal, 'Production', true));
    expect(err.message).toContain(`roc_auc > Production (v${first}) + 0: got 0.95 vs 0.95`);
    expect(await stageOf(name, first)).toBe('Production');

    const better = await versionWith(name, { ...GOOD, roc_auc: 0.96 });
    await store.transitionModelVersionStage(name, better, 'Production', true);
    expect([await stageOf(name, first), await stageOf(name, better)]).toEqual(['Archived', 'Production']);
    // the candidate already holding the stage is not compared with itself
    expect((await store.checkPromotionPolicy(name, better, 'Production')).passed).toBe(true);
  });

  it('forced override proceeds only with a reason and is recorded with the policy result', async () => {
    const name = unique('force');
    await store.createRegisteredModel(name);
    await store.setPromotionPolicy(name, { target: '@champion', require: [{ metric: 'accuracy', '>=': 0.95 }] });
    const v = await versionWith(name, { accuracy: 0.9 });
    const refused = await rejection(store.setRegisteredModelAlias(name, 'champion', v, { user: 'alice' }));
    expect(refused).toBeInstanceOf(InvalidState);
    expect(refused.message).toContain("setting alias 'champion'");
    expect(refused.message).toContain('accuracy >= 0.95: got 0.9');
    expect((await store.getRegisteredModel(name)).aliases).toEqual([]);

    await store.setRegisteredModelAlias(name, 'champion', v, {
      user: 'alice',
      force: true,
      reason: 'hotfix for incident 42',
    });
    expect((await store.getModelVersionByAlias(name, 'champion')).version).toBe(v);
    const [forced, refusal] = await history(name);
    expect(refusal).toMatchObject({ action: 'set_alias_refused', alias: 'champion', forced: false });
    expect(forced).toMatchObject({
      action: 'set_alias',
      alias: 'champion',
      to: v,
      forced: true,
      user: 'alice',
      reason: 'hotfix for incident 42',
    });
    expect((forced.policyResult as { passed: boolean }).passed).toBe(false);
    // other aliases are not gated by the @champion policy
    await store.setRegisteredModelAlias(name, 'challenger', v);
  });

  it('stores, lists, replaces and deletes policies; policies go with their model', async () => {
    const name = unique('policies');
    await store.createRegisteredModel(name);
    await store.setPromotionPolicy(name, { target: 'staging', require: [{ metric: 'accuracy', '>=': 0.8 }] });
    await store.setPromotionPolicy(name, HEART_POLICY);
    await store.setPromotionPolicy(name, { target: 'Staging', require: [{ metric: 'accuracy', '>=': 0.85 }] });
    expect((await store.getPromotionPolicies(name)).map((p) => p.target)).toEqual(['Production', 'Staging']);
    expect((await store.getPromotionPolicies(name, 'STAGING'))[0].require[0].threshold).toBe(0.85);
    expect(await rejection(store.getPromotionPolicies(name, '@champion'))).toBeInstanceOf(NotFound);
    expect(
      await rejection(store.setPromotionPolicy(name, { target: 'Staging', require: [{ metric: 'a', '>>': 1 }] })),
    ).toBeInstanceOf(InvalidParameter);
    expect(await rejection(store.setPromotionPolicy(unique('missing'), HEART_POLICY))).toBeInstanceOf(NotFound);
    await store.deletePromotionPolicy(name, 'Staging');
    expect(await rejection(store.deletePromotionPolicy(name, 'Staging'))).toBeInstanceOf(NotFound);
    expect((await history(name)).map((r) => r.action)).toEqual([
      'delete_policy',
      'set_policy',
      'set_policy',
      'set_policy',
    ]);
    const check = await store.checkPromotionPolicy(
      name,
      (await store.createModelVersion({ name, source: 's3://x/m' })).version,
      'Staging',
    );
    expect(check).toMatchObject({ passed: true, policy: null, criteria: [] });

    await store.deleteRegisteredModel(name);
    await store.createRegisteredModel(name);
    expect(await store.getPromotionPolicies(name)).toEqual([]);
  });

  it('evaluates mustBeat under the model lock: racing promotions never both beat the old holder', async () => {
    const other = (await backend.reopen()).registry;
    for (let round = 0; round < 4; round++) {
      const name = unique('race');
      await store.createRegisteredModel(name);
      const v1 = await versionWith(name, { auc: 0.9 });
      await store.transitionModelVersionStage(name, v1, 'Production', false);
      await store.setPromotionPolicy(name, { target: 'Production', mustBeat: { metric: 'auc' } });
      const best = await versionWith(name, { auc: 0.95 });
      const middle = await versionWith(name, { auc: 0.93 });
      const outcomes = await Promise.allSettled([
        store.transitionModelVersionStage(name, best, 'Production', true),
        other.transitionModelVersionStage(name, middle, 'Production', true),
      ]);
      // Serialised, `middle` either goes first and is then archived by `best`, or goes second and
      // loses to `best`; evaluated side by side against v1 both would pass and `middle` could win.
      expect(outcomes[0].status).toBe('fulfilled');
      expect(await stageOf(name, best)).toBe('Production');
      expect(await stageOf(name, middle)).not.toBe('Production');
      if (outcomes[1].status === 'rejected') expect(outcomes[1].reason).toBeInstanceOf(InvalidState);
    }
  });

  it('gates every caller: a second store on the same database sees the policy', async () => {
    const name = unique('shared');
    await store.createRegisteredModel(name);
    await store.setPromotionPolicy(name, { target: 'Staging', require: [{ metric: 'accuracy', '>=': 0.99 }] });
    const v = await versionWith(name, { accuracy: 0.5 });
    const other = await backend.reopen();
    expect(await rejection(other.registry.transitionModelVersionStage(name, v, 'Staging', false))).toBeInstanceOf(
      InvalidState,
    );
    expect(await stageOf(name, v)).toBe('None');
  });
});
