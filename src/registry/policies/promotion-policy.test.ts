// Promotion policy parsing/validation and evaluation (pure; the SQL gate is in the store contract tests).
import { describe, expect, it } from 'vitest';
import { InvalidParameter } from '../../core/errors.js';
import { describeFailures, evaluatePolicy, type PolicySubject } from './policy-evaluator.js';
import { parsePolicyTarget, parsePromotionPolicy, policyToJson } from './promotion-policy.js';

const HEART = {
  target: 'Production',
  require: [
    { metric: 'accuracy', '>=': 0.91 },
    { metric: 'precision_1', '>=': 0.93 },
    { metric: 'recall_1', '>=': 0.9 },
    { metric: 'f1_1', '>=': 0.92 },
  ],
  mustBeat: { metric: 'roc_auc', current: 'Production', by: 0 },
};

function invalid(raw: unknown): string {
  try {
    parsePromotionPolicy(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidParameter);
    return (err as Error).message;
  }
  throw new Error('expected the policy to be rejected');
}

const subject = (
  version: string,
  metrics: Record<string, number>,
  runId: string | null = `run${version}`,
): PolicySubject => ({ version, runId, metrics: new Map(Object.entries(metrics)) });

describe('parsePromotionPolicy', () => {
  it('parses the heart-disease policy and round-trips it', () => {
    const policy = parsePromotionPolicy(HEART);
    expect(policy.target).toBe('Production');
    expect(policy.require).toEqual([
      { metric: 'accuracy', op: '>=', threshold: 0.91 },
      { metric: 'precision_1', op: '>=', threshold: 0.93 },
      { metric: 'recall_1', op: '>=', threshold: 0.9 },
      { metric: 'f1_1', op: '>=', threshold: 0.92 },
    ]);
    expect(policy.mustBeat).toEqual({ metric: 'roc_auc', current: 'Production', by: 0 });
    expect(parsePromotionPolicy(policyToJson(policy))).toEqual(policy);
  });

  it('canonicalises stage targets, keeps aliases, defaults mustBeat.current to the target and by to 0', () => {
    expect(parsePromotionPolicy({ target: 'production', require: [{ metric: 'a', '>': 1 }] }).target).toBe(
      'Production',
    );
    const alias = parsePromotionPolicy({ target: '@champion', mustBeat: { metric: 'roc_auc' } });
    expect(alias).toMatchObject({
      target: '@champion',
      require: [],
      mustBeat: { metric: 'roc_auc', current: '@champion', by: 0 },
    });
    expect(parsePolicyTarget('STAGING')).toEqual({ kind: 'stage', stage: 'Staging', key: 'Staging' });
    expect(parsePolicyTarget('@prod-1')).toEqual({ kind: 'alias', alias: 'prod-1', key: '@prod-1' });
    for (const op of ['>=', '>', '<=', '<', '=='] as const) {
      expect(
        parsePromotionPolicy({ target: 'Staging', require: [{ metric: 'log_loss', [op]: 0.3 }] }).require[0].op,
      ).toBe(op);
    }
  });

  it('rejects bad documents with messages naming the field and the rule', () => {
    expect(invalid('nope')).toContain('expected a JSON object');
    expect(invalid({ require: [{ metric: 'a', '>': 1 }] })).toContain("'target' must be a stage");
    expect(invalid({ target: 'Prod', require: [{ metric: 'a', '>': 1 }] })).toContain("got 'Prod'");
    expect(invalid({ target: '@latest', require: [{ metric: 'a', '>': 1 }] })).toContain(
      "'target' names an invalid alias",
    );
    expect(invalid({ target: 'Production' })).toContain("'require' must hold at least one criterion");
    expect(invalid({ target: 'Production', require: {} })).toContain("'require' must be a list");
    expect(invalid({ target: 'Production', require: [{ metric: 'a', '=>': 1 }] })).toContain(
      "'require[0].=>' is not an operator",
    );
    expect(invalid({ target: 'Production', require: [{ metric: 'a', '>': 1, '<': 2 }] })).toContain(
      "'require[0]' must have exactly one operator",
    );
    expect(invalid({ target: 'Production', require: [{ metric: 'a' }] })).toContain(
      "'require[0]' must have exactly one operator",
    );
    expect(
      invalid({
        target: 'Production',
        require: [
          { metric: 'a', '>': 1 },
          { metric: '', '>': 1 },
        ],
      }),
    ).toContain("'require[1].metric' must be a non-empty metric name");
    expect(invalid({ target: 'Production', require: [{ metric: 'a', '>=': '0.9' }] })).toContain(
      "'require[0].>=' must be a finite number",
    );
    expect(invalid({ target: 'Production', mustBeat: { metric: 'auc', by: -0.1 } })).toContain(
      "'mustBeat.by' must be a finite number >= 0",
    );
    expect(invalid({ target: 'Production', mustBeat: { metric: 'auc', current: 'Live' } })).toContain(
      "'mustBeat.current' must be a stage",
    );
    expect(invalid({ target: 'Production', mustBeat: { metric: 'auc', margin: 1 } })).toContain(
      "'mustBeat.margin' is not a known field",
    );
    expect(invalid({ target: 'Production', require: [{ metric: 'a', '>': 1 }], when: 'always' })).toContain(
      "'when' is not a known field",
    );
  });
});

describe('evaluatePolicy', () => {
  const policy = parsePromotionPolicy(HEART);
  const good = { accuracy: 0.93, precision_1: 0.95, recall_1: 0.91, f1_1: 0.93, roc_auc: 0.97 };

  it('passes when every requirement holds and nobody holds the target', () => {
    const result = evaluatePolicy('heart', policy, subject('2', good), null);
    expect(result.passed).toBe(true);
    expect(result.criteria).toHaveLength(5);
    expect(result.criteria[4]).toMatchObject({
      kind: 'mustBeat',
      passed: true,
      currentVersion: null,
      detail: 'no version holds Production',
    });
  });

  it('lists every failing criterion with the values seen, and missing metrics', () => {
    const result = evaluatePolicy(
      'heart',
      policy,
      subject('3', { accuracy: 0.9, precision_1: 0.95, recall_1: 0.85, roc_auc: 0.9 }),
      subject('1', { roc_auc: 0.92 }),
    );
    expect(result.passed).toBe(false);
    expect(result.criteria.filter((c) => !c.passed).map((c) => c.metric)).toEqual([
      'accuracy',
      'recall_1',
      'f1_1',
      'roc_auc',
    ]);
    const message = describeFailures(result);
    expect(message).toContain('accuracy >= 0.91: got 0.9');
    expect(message).toContain('recall_1 >= 0.9: got 0.85');
    expect(message).toContain("f1_1 >= 0.92: metric 'f1_1' is missing on run run3 of version 3");
    expect(message).toContain('roc_auc > Production (v1) + 0: got 0.9 vs 0.92');
    expect(message).not.toContain('precision_1');
  });

  it('mustBeat needs a strict improvement larger than by', () => {
    const beat = (candidate: number, current: number, by: number) =>
      evaluatePolicy(
        'm',
        parsePromotionPolicy({ target: '@champion', mustBeat: { metric: 'auc', by } }),
        subject('2', { auc: candidate }),
        subject('1', { auc: current }),
      ).passed;
    expect(beat(0.91, 0.9, 0)).toBe(true);
    expect(beat(0.9, 0.9, 0)).toBe(false);
    expect(beat(0.89, 0.9, 0)).toBe(false);
    expect(beat(0.93, 0.9, 0.02)).toBe(true);
    expect(beat(0.91, 0.9, 0.02)).toBe(false);
  });

  it('fails every requirement of a version without a source run, and on NaN; a holder without the metric is no obstacle', () => {
    const noRun = evaluatePolicy('m', policy, subject('4', {}, null), null);
    expect(noRun.passed).toBe(false);
    expect(describeFailures(noRun)).toContain("version 4 has no source run, so metric 'accuracy' is missing");
    const nan = evaluatePolicy(
      'm',
      parsePromotionPolicy({ target: 'Staging', require: [{ metric: 'a', '<=': 1 }] }),
      subject('1', { a: Number.NaN }),
      null,
    );
    expect(nan.passed).toBe(false);
    const holderWithout = evaluatePolicy('m', policy, subject('2', good), subject('1', {}));
    expect(holderWithout.passed).toBe(true);
    expect(holderWithout.criteria[4].detail).toContain("has no 'roc_auc'");
  });

  it('supports every operator', () => {
    const check = (op: string, threshold: number) =>
      evaluatePolicy(
        'm',
        parsePromotionPolicy({ target: 'Staging', require: [{ metric: 'x', [op]: threshold }] }),
        subject('1', { x: 0.5 }),
        null,
      ).passed;
    expect([
      check('>=', 0.5),
      check('>', 0.5),
      check('<=', 0.5),
      check('<', 0.5),
      check('==', 0.5),
      check('==', 0.4),
    ]).toEqual([true, false, true, false, true, false]);
  });
});
