import { describe, expect, it } from 'vitest';
import { decodePng } from '../../../test/support/png.js';
import { type RocCurveJson, renderEvaluationPlots } from './index.js';

// scikit-learn's documented roc_curve example: y = [0, 0, 1, 1], scores = [0.1, 0.4, 0.35, 0.8].
const yTrue = [0, 0, 1, 1];
const proba = [0.1, 0.4, 0.35, 0.8];
const yPred = proba.map((p) => (p >= 0.5 ? 1 : 0));

describe('renderEvaluationPlots', () => {
  it('writes every chart as SVG and PNG plus the curve and matrix points as JSON', async () => {
    const files = await renderEvaluationPlots({
      yTrue,
      proba,
      yPred,
      classLabels: ['healthy', 'sick'],
      featureImportance: [
        { name: 'age', importance: 0.4 },
        { name: 'chol', importance: 0.1 },
      ],
      title: 'logistic regression',
    });
    const byPath = new Map(files.map((f) => [f.path, f.content]));
    expect([...byPath.keys()].sort()).toEqual(
      [
        'plots/calibration.png',
        'plots/calibration.svg',
        'plots/confusion_matrix.json',
        'plots/confusion_matrix.png',
        'plots/confusion_matrix.svg',
        'plots/feature_importance.png',
        'plots/feature_importance.svg',
        'plots/pr_curve.json',
        'plots/pr_curve.png',
        'plots/pr_curve.svg',
        'plots/roc_curve.json',
        'plots/roc_curve.png',
        'plots/roc_curve.svg',
      ].sort(),
    );
    for (const [p, content] of byPath) {
      if (p.endsWith('.png')) expect(decodePng(content as Buffer).width).toBeGreaterThan(100);
      if (p.endsWith('.svg')) expect(content as string).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    }
    // hand-computed: thresholds 0.8 → (0, .5); 0.4 → (.5, .5); 0.35 → (.5, 1); 0.1 → (1, 1)
    const roc = JSON.parse(byPath.get('plots/roc_curve.json') as string) as RocCurveJson;
    expect(roc.fpr).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(roc.tpr).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(roc.thresholds).toEqual([1.8, 0.8, 0.4, 0.35, 0.1]);
    expect(roc.auc).toBe(0.75);
    // AP = 0.5·1 (recall 0→.5 at precision 1) + 0.5·(2/3) (recall .5→1 at precision 2/3)
    const pr = JSON.parse(byPath.get('plots/pr_curve.json') as string);
    expect(pr.average_precision).toBeCloseTo(5 / 6, 12);
    expect(pr.positive_rate).toBe(0.5);
    // predictions at 0.5: only 0.8 is positive → TN 2, FP 0, FN 1, TP 1
    expect(JSON.parse(byPath.get('plots/confusion_matrix.json') as string)).toEqual({
      labels: ['healthy', 'sick'],
      matrix: [
        [2, 0],
        [1, 1],
      ],
    });
    expect(byPath.get('plots/roc_curve.svg')).toContain('logistic regression (AUC 0.750)');
    expect(byPath.get('plots/pr_curve.svg')).toContain('logistic regression (PR-AUC 0.833)');
    expect(byPath.get('plots/confusion_matrix.svg')).toContain('sick');
  });

  it('leaves out ROC and PR (undefined) when only one class is present, and feature importance when not given', async () => {
    const files = await renderEvaluationPlots({
      yTrue: [0, 0],
      proba: [0.2, 0.3],
      yPred: [0, 0],
      classLabels: ['a', 'b'],
    });
    expect(files.map((f) => f.path).sort()).toEqual([
      'plots/calibration.png',
      'plots/calibration.svg',
      'plots/confusion_matrix.json',
      'plots/confusion_matrix.png',
      'plots/confusion_matrix.svg',
    ]);
  });

  it('names the field and the rule on bad input', async () => {
    const base = { yTrue, proba, yPred, classLabels: ['a', 'b'] as [string, string] };
    await expect(renderEvaluationPlots({ ...base, yTrue: [0, 2, 1, 1] })).rejects.toThrow(
      'yTrue[1] is 2; must be 0 or 1',
    );
    await expect(renderEvaluationPlots({ ...base, proba: [0.1, 1.5, 0, 0] })).rejects.toThrow(/proba\[1\] is 1.5/);
    await expect(renderEvaluationPlots({ ...base, yPred: [0] })).rejects.toThrow('yPred has 1 values, yTrue has 4');
  });
});
