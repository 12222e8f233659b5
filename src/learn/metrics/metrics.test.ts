import { describe, expect, it } from 'vitest';
import { Rng } from '../core/random.js';
import { fromRows } from '../core/matrix.js';
import { runPython } from '../../../test/support/python.js';
import { lacks } from '../../../test/support/requirements.js';
import {
  accuracyScore,
  averagePrecisionScore,
  brierScoreLoss,
  calibrationCurve,
  classificationReportDict,
  classificationReportText,
  confusionMatrix,
  f1Score,
  formatFixed,
  logLoss,
  precisionRecallCurve,
  precisionRecallFscorePerClass,
  precisionScore,
  recallScore,
  rocAucScore,
  rocCurve,
  auc,
} from './index.js';

describe('metrics: definitions and edge cases', () => {
  it('computes a hand-checked binary case', () => {
    const yt = [0, 0, 1, 1, 1];
    const yp = [0, 1, 1, 1, 0];
    expect(accuracyScore(yt, yp)).toBe(0.6);
    expect(precisionScore(yt, yp)).toBeCloseTo(2 / 3, 15);
    expect(recallScore(yt, yp)).toBeCloseTo(2 / 3, 15);
    expect(confusionMatrix(yt, yp)).toEqual([
      [1, 1],
      [1, 2],
    ]);
    expect(precisionScore(yt, yp, { posLabel: 0 })).toBe(0.5);
  });

  it('ranks ties as one half and rejects a single class', () => {
    expect(rocAucScore([0, 1], [0.5, 0.5])).toBe(0.5);
    expect(rocAucScore([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    expect(() => rocAucScore([1, 1, 1], [0.1, 0.2, 0.3])).toThrow(/Only one class present/);
    expect(() => auc([0, 1, 0.5], [0, 1, 1])).toThrow(/neither increasing nor decreasing/);
  });

  it('matches scikit-learn documented examples', () => {
    const pr = precisionRecallCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    expect(Array.from(pr.precision)).toEqual([0.5, 2 / 3, 0.5, 1, 1]);
    expect(Array.from(pr.recall)).toEqual([1, 1, 0.5, 0.5, 0]);
    expect(Array.from(pr.thresholds)).toEqual([0.1, 0.35, 0.4, 0.8]);
    const roc = rocCurve([1, 1, 2, 2], [0.1, 0.4, 0.35, 0.8], { posLabel: 2 });
    expect(Array.from(roc.fpr)).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(Array.from(roc.thresholds)).toEqual([1.8, 0.8, 0.4, 0.35, 0.1]);
    expect(averagePrecisionScore([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.8333333333333333, 15);
    const cal = calibrationCurve([0, 0, 0, 0, 1, 1, 1, 1, 1], [0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9, 1], {
      nBins: 3,
    });
    expect(Array.from(cal.probTrue)).toEqual([0, 0.5, 1]);
    expect(Array.from(cal.probPred).map((x) => Number(x.toFixed(12)))).toEqual([0.2, 0.525, 0.85]);
  });

  it('handles zero division and log-loss edge cases', () => {
    expect(precisionScore([0, 0, 1], [0, 0, 0])).toBe(0);
    expect(precisionScore([0, 0, 1], [0, 0, 0], { zeroDivision: 1 })).toBe(1);
    expect(f1Score([0, 0, 0], [0, 0, 0], { zeroDivision: 1 })).toBe(1); // scikit-learn: P = R = 1 by zeroDivision, so F = 1
    expect(() => logLoss([1, 1], [0.9, 0.8])).toThrow(/only one label/);
    expect(logLoss([0, 1], [0, 1])).toBeCloseTo(2.220446049250313e-16, 25);
    expect(() => precisionScore([0, 1, 2], [0, 1, 2])).toThrow(/multiclass but average='binary'/);
    expect(() => brierScoreLoss([0, 1], [0.2, 1.5])).toThrow(/greater than 1/);
  });

  it('formats like Python (round half to even)', () => {
    expect(formatFixed(0.125, 2)).toBe('0.12');
    expect(formatFixed(0.375, 2)).toBe('0.38');
    expect(formatFixed(2 / 3, 2)).toBe('0.67');
    expect(formatFixed(1, 2)).toBe('1.00');
  });
});

function randomCase(seed: number, n: number, nClasses: number) {
  const rng = new Rng(seed);
  const yTrue: number[] = [];
  const yPred: number[] = [];
  const score: number[] = [];
  const w: number[] = [];
  const proba: number[][] = [];
  for (let i = 0; i < n; i++) {
    const y = rng.int(nClasses);
    yTrue.push(y);
    yPred.push(rng.random() < 0.7 ? y : rng.int(nClasses));
    // Rounded to 2 decimals so that many scores tie.
    score.push(Math.round(Math.min(1, Math.max(0, (y === 1 ? 0.6 : 0.4) + (rng.random() - 0.5) * 0.8)) * 100) / 100);
    w.push(0.5 + rng.random());
    const row = Array.from({ length: nClasses }, () => rng.random() + (rng.random() < 0.05 ? 0 : 0.01));
    const s = row.reduce((a, b) => a + b, 0);
    proba.push(row.map((v) => v / s));
  }
  return { yTrue, yPred, score, w, proba };
}

const PY_METRICS = `
import json, sys, warnings
import numpy as np
from sklearn import metrics as M
from sklearn.calibration import calibration_curve
warnings.simplefilter('ignore')
cases = json.load(sys.stdin)
out = []
for c in cases:
    yt = np.array(c['yTrue']); yp = np.array(c['yPred']); s = np.array(c['score']); w = np.array(c['w']); P = np.array(c['proba'])
    r = {}
    r['acc'] = M.accuracy_score(yt, yp); r['acc_w'] = M.accuracy_score(yt, yp, sample_weight=w)
    for avg in ['micro', 'macro', 'weighted'] + (['binary'] if c['k'] == 2 else []):
        for zd in [0, 1]:
            p, rc, f, _ = M.precision_recall_fscore_support(yt, yp, average=avg, zero_division=zd)
            r[f'prf_{avg}_{zd}'] = [p, rc, f]
        p, rc, f, _ = M.precision_recall_fscore_support(yt, yp, average=avg, sample_weight=w, zero_division=0)
        r[f'prf_{avg}_w'] = [p, rc, f]
    p, rc, f, sup = M.precision_recall_fscore_support(yt, yp, average=None, zero_division=0)
    r['prf_none'] = [p.tolist(), rc.tolist(), f.tolist(), sup.tolist()]
    r['cm'] = M.confusion_matrix(yt, yp).tolist()
    r['cm_sub'] = M.confusion_matrix(yt, yp, labels=[1, 0]).tolist()
    r['prf_labels'] = list(M.precision_recall_fscore_support(yt, yp, labels=[0, 1], average='macro', zero_division=0)[:3])
    r['report_labels'] = M.classification_report(yt, yp, labels=[0, 1], zero_division=0, digits=4)
    r['logloss_labels'] = M.log_loss(yt[yt != 0], P[yt != 0], labels=list(range(c['k'])))
    r['cm_true'] = M.confusion_matrix(yt, yp, normalize='true').tolist()
    r['report'] = M.classification_report(yt, yp, output_dict=True, zero_division=0)
    r['report_text'] = M.classification_report(yt, yp, zero_division=0, digits=3)
    r['logloss'] = M.log_loss(yt, P)
    r['logloss_w'] = M.log_loss(yt, P, sample_weight=w)
    if c['k'] == 2:
        yb = yt
        r['auc'] = M.roc_auc_score(yb, s); r['auc_w'] = M.roc_auc_score(yb, s, sample_weight=w)
        r['ap'] = M.average_precision_score(yb, s); r['ap_w'] = M.average_precision_score(yb, s, sample_weight=w)
        fpr, tpr, th = M.roc_curve(yb, s); r['roc'] = [fpr.tolist(), tpr.tolist(), th.tolist()]
        fpr, tpr, th = M.roc_curve(yb, s, drop_intermediate=False); r['roc_all'] = [fpr.tolist(), tpr.tolist(), th.tolist()]
        pr, rc, th = M.precision_recall_curve(yb, s); r['pr'] = [pr.tolist(), rc.tolist(), th.tolist()]
        r['brier'] = M.brier_score_loss(yb, s); r['brier_w'] = M.brier_score_loss(yb, s, sample_weight=w)
        r['prf_pos0'] = list(M.precision_recall_fscore_support(yb, yp, pos_label=0, average='binary')[:3])
        r['ap_pos0'] = M.average_precision_score(yb, 1 - s, pos_label=0)
        r['roc_pos0'] = [x.tolist() for x in M.roc_curve(yb, 1 - s, pos_label=0)]
        r['logloss_1d'] = M.log_loss(yb, s)
        for strat in ['uniform', 'quantile']:
            for nb in [5, 10]:
                a, b = calibration_curve(yb, s, n_bins=nb, strategy=strat)
                r[f'cal_{strat}_{nb}'] = [a.tolist(), b.tolist()]
    out.append(r)
print(json.dumps(out))
`;

const sk = !lacks('sklearn');

describe.skipIf(!sk)('metrics: parity with scikit-learn 1.2 (1e-12)', () => {
  const cases = [
    { seed: 1, n: 200, k: 2 },
    { seed: 2, n: 57, k: 2 },
    { seed: 3, n: 500, k: 2 },
    { seed: 4, n: 150, k: 3 },
    { seed: 5, n: 40, k: 4 },
  ].map((c) => ({ ...c, ...randomCase(c.seed, c.n, c.k) }));
  const expected = sk ? runPython<Record<string, unknown>[]>(PY_METRICS, cases) : [];
  const close = (a: ArrayLike<number> | number, b: ArrayLike<number> | number) => {
    const aa = typeof a === 'number' ? [a] : Array.from(a);
    const bb = typeof b === 'number' ? [b] : Array.from(b);
    expect(aa.length).toBe(bb.length);
    for (let i = 0; i < aa.length; i++) {
      if (Number.isNaN(bb[i])) expect(aa[i]).toBeNaN();
      else expect(Math.abs(aa[i] - bb[i])).toBeLessThanOrEqual(1e-12);
    }
  };

  cases.forEach((c, ci) => {
    it(`case seed=${c.seed} n=${c.n} classes=${c.k}`, () => {
      const e = expected[ci] as Record<string, any>;
      close(accuracyScore(c.yTrue, c.yPred), e.acc);
      close(accuracyScore(c.yTrue, c.yPred, { sampleWeight: c.w }), e.acc_w);
      const avgs: ('micro' | 'macro' | 'weighted' | 'binary')[] = [
        'micro',
        'macro',
        'weighted',
        ...(c.k === 2 ? ['binary' as const] : []),
      ];
      for (const average of avgs) {
        for (const zd of [0, 1] as const) {
          const opts = { average, zeroDivision: zd };
          close(
            [
              precisionScore(c.yTrue, c.yPred, opts),
              recallScore(c.yTrue, c.yPred, opts),
              f1Score(c.yTrue, c.yPred, opts),
            ],
            e[`prf_${average}_${zd}`],
          );
        }
        const ow = { average, sampleWeight: c.w, zeroDivision: 0 as const };
        close(
          [precisionScore(c.yTrue, c.yPred, ow), recallScore(c.yTrue, c.yPred, ow), f1Score(c.yTrue, c.yPred, ow)],
          e[`prf_${average}_w`],
        );
      }
      const per = precisionRecallFscorePerClass(c.yTrue, c.yPred, { zeroDivision: 0 });
      close(per.precision, e.prf_none[0]);
      close(per.recall, e.prf_none[1]);
      close(per.fScore, e.prf_none[2]);
      close(per.support, e.prf_none[3]);
      expect(confusionMatrix(c.yTrue, c.yPred)).toEqual(e.cm);
      expect(confusionMatrix(c.yTrue, c.yPred, { labels: [1, 0] })).toEqual(e.cm_sub);
      close(
        [
          precisionScore(c.yTrue, c.yPred, { labels: [0, 1], average: 'macro', zeroDivision: 0 }),
          recallScore(c.yTrue, c.yPred, { labels: [0, 1], average: 'macro', zeroDivision: 0 }),
          f1Score(c.yTrue, c.yPred, { labels: [0, 1], average: 'macro', zeroDivision: 0 }),
        ],
        e.prf_labels,
      );
      expect(classificationReportText(c.yTrue, c.yPred, { labels: [0, 1], zeroDivision: 0, digits: 4 })).toBe(
        e.report_labels,
      );
      const keep = c.yTrue.map((v, i) => (v !== 0 ? i : -1)).filter((i) => i >= 0);
      close(
        logLoss(
          keep.map((i) => c.yTrue[i]),
          fromRows(keep.map((i) => c.proba[i])),
          { labels: Array.from({ length: c.k }, (_, k) => k) },
        ),
        e.logloss_labels,
      );
      confusionMatrix(c.yTrue, c.yPred, { normalize: 'true' }).forEach((row, i) => close(row, e.cm_true[i]));
      const rep = classificationReportDict(c.yTrue, c.yPred, { zeroDivision: 0 });
      expect(Object.keys(rep)).toEqual(Object.keys(e.report));
      for (const [key, v] of Object.entries(e.report)) {
        if (typeof v === 'number') close(rep[key] as number, v);
        else {
          const r = rep[key] as unknown as Record<string, number>;
          for (const f of ['precision', 'recall', 'f1-score', 'support']) close(r[f], (v as Record<string, number>)[f]);
        }
      }
      expect(classificationReportText(c.yTrue, c.yPred, { zeroDivision: 0, digits: 3 })).toBe(e.report_text);
      close(logLoss(c.yTrue, fromRows(c.proba)), e.logloss);
      close(logLoss(c.yTrue, fromRows(c.proba), { sampleWeight: c.w }), e.logloss_w);
      if (c.k === 2) {
        close(rocAucScore(c.yTrue, c.score), e.auc);
        close(rocAucScore(c.yTrue, c.score, { sampleWeight: c.w }), e.auc_w);
        close(averagePrecisionScore(c.yTrue, c.score), e.ap);
        close(averagePrecisionScore(c.yTrue, c.score, { sampleWeight: c.w }), e.ap_w);
        const roc = rocCurve(c.yTrue, c.score);
        close(roc.fpr, e.roc[0]);
        close(roc.tpr, e.roc[1]);
        close(roc.thresholds, e.roc[2]);
        const rocAll = rocCurve(c.yTrue, c.score, { dropIntermediate: false });
        close(rocAll.fpr, e.roc_all[0]);
        close(rocAll.tpr, e.roc_all[1]);
        close(rocAll.thresholds, e.roc_all[2]);
        const pr = precisionRecallCurve(c.yTrue, c.score);
        close(pr.precision, e.pr[0]);
        close(pr.recall, e.pr[1]);
        close(pr.thresholds, e.pr[2]);
        close(brierScoreLoss(c.yTrue, c.score), e.brier);
        const o0 = { posLabel: 0, average: 'binary' as const };
        close(
          [precisionScore(c.yTrue, c.yPred, o0), recallScore(c.yTrue, c.yPred, o0), f1Score(c.yTrue, c.yPred, o0)],
          e.prf_pos0,
        );
        const inv = c.score.map((v) => 1 - v);
        close(averagePrecisionScore(c.yTrue, inv, { posLabel: 0 }), e.ap_pos0);
        const r0 = rocCurve(c.yTrue, inv, { posLabel: 0 });
        close(r0.fpr, e.roc_pos0[0]);
        close(r0.tpr, e.roc_pos0[1]);
        close(r0.thresholds, e.roc_pos0[2]);
        close(brierScoreLoss(c.yTrue, c.score, { sampleWeight: c.w }), e.brier_w);
        close(logLoss(c.yTrue, c.score), e.logloss_1d);
        for (const strategy of ['uniform', 'quantile'] as const) {
          for (const nBins of [5, 10]) {
            const cal = calibrationCurve(c.yTrue, c.score, { nBins, strategy });
            close(cal.probTrue, e[`cal_${strategy}_${nBins}`][0]);
            close(cal.probPred, e[`cal_${strategy}_${nBins}`][1]);
          }
        }
      }
    });
  });
});
