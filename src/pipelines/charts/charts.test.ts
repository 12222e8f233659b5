import { describe, expect, it } from 'vitest';
import { decodePng } from '../../../test/support/png.js';
import {
  calibrationChart,
  confusionMatrixChart,
  featureImportanceChart,
  metricByRunChart,
  paramVsMetricChart,
  precisionRecallChart,
  rocCurveChart,
  searchProgressChart,
} from './index.js';

/** The text nodes of an SVG, unescaped. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&'),
  );
}

function expectWellFormedSvg(svg: string, width: number, height: number): void {
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  expect(svg).toContain(`width="${width}"`);
  expect(svg).toContain(`height="${height}"`);
}

const roc = { name: 'lr', fpr: [0, 0, 0.5, 0.5, 1], tpr: [0, 0.5, 0.5, 1, 1], auc: 0.75 };

describe('charts', () => {
  it('confusion matrix: labels, axis names, counts with shares; PNG decodes at the SVG size', () => {
    const img = confusionMatrixChart({
      matrix: [
        [50, 3],
        [7, 40],
      ],
      labels: ['no disease', 'disease'],
    });
    expectWellFormedSvg(img.svg, 560, 480);
    const t = texts(img.svg);
    expect(t).toEqual(
      expect.arrayContaining(['Confusion matrix', 'Predicted label', 'True label', 'no disease', 'disease']),
    );
    expect(t).toEqual(expect.arrayContaining(['50 (50.0%)', '3 (3.0%)', '7 (7.0%)', '40 (40.0%)']));
    const png = decodePng(img.png);
    expect([png.width, png.height]).toEqual([560, 480]);
  });

  it('refuses a matrix that does not match its labels', () => {
    expect(() => confusionMatrixChart({ matrix: [[1, 2]], labels: ['a', 'b'] })).toThrow(/2×2/);
  });

  it('ROC: several curves overlaid, AUC in the legend, the chance diagonal', () => {
    const img = rocCurveChart({ curves: [roc, { ...roc, name: 'rf', auc: 0.9123 }] });
    const t = texts(img.svg);
    expect(t).toEqual(
      expect.arrayContaining([
        'ROC curve',
        'False positive rate',
        'True positive rate',
        'lr (AUC 0.750)',
        'rf (AUC 0.912)',
        'chance (AUC 0.500)',
      ]),
    );
    // one polyline per curve plus the diagonal
    expect(img.svg.match(/<path d="M[^"]*" fill="none"[^>]*stroke-width="2"/g)?.length).toBeGreaterThanOrEqual(2);
    expect(decodePng(img.png).width).toBe(560);
  });

  it('PR: PR-AUC in the legend and the positive-rate baseline', () => {
    const img = precisionRecallChart({
      curves: [{ name: 'gbm', precision: [0.5, 0.667, 1, 1], recall: [1, 1, 0.5, 0], averagePrecision: 0.8333 }],
      positiveRate: 0.049,
    });
    const t = texts(img.svg);
    expect(t).toEqual(
      expect.arrayContaining(['Recall', 'Precision', 'gbm (PR-AUC 0.833)', 'baseline: positive rate 0.049']),
    );
    decodePng(img.png);
  });

  it('calibration: bins in the title, the diagonal in the legend', () => {
    const img = calibrationChart({ probPred: [0.1, 0.5, 0.9], probTrue: [0.0, 0.6, 1.0], nBins: 10 });
    expect(texts(img.svg)).toEqual(
      expect.arrayContaining([
        'Calibration (reliability, 10 bins)',
        'Mean predicted probability',
        'Fraction of positives',
        'perfectly calibrated',
      ]),
    );
    decodePng(img.png);
  });

  it('feature importance: top N by absolute value, largest first', () => {
    const features = Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, importance: i % 2 ? i : -i }));
    const img = featureImportanceChart({ features, topN: 5 });
    const t = texts(img.svg);
    expect(t).toContain('Feature importance (top 5 of 30)');
    const shown = t.filter((s) => /^f\d+$/.test(s));
    expect(shown).toEqual(['f29', 'f28', 'f27', 'f26', 'f25']);
    expect(t).not.toContain('f24');
    expect(decodePng(img.png).height).toBe(110 + 26 * 5);
  });

  it('search progress: one point per finished trial and the best-so-far line', () => {
    const img = searchProgressChart({
      trials: [
        { number: 0, value: 0.8 },
        { number: 1, value: 0.7 },
        { number: 2, value: null },
        { number: 3, value: 0.9 },
      ],
      objective: 'roc_auc',
      direction: 'maximize',
    });
    const t = texts(img.svg);
    expect(t).toEqual(expect.arrayContaining(['Search progress (maximize roc_auc)', 'Trial', 'trial', 'best so far']));
    decodePng(img.png);
  });

  it('metric by run and param vs metric', () => {
    const bars = metricByRunChart({
      runs: [
        { name: 'lr', value: 0.81 },
        { name: 'rf', value: 0.86 },
      ],
      metric: 'f1_1',
      best: 1,
    });
    expect(texts(bars.svg)).toEqual(expect.arrayContaining(['f1_1 by run', 'lr', 'rf', '0.860']));
    expect(bars.svg).toContain('#d9480f'); // the best run's bar
    const scatter = paramVsMetricChart({
      points: [
        { x: 10, y: 0.8, name: 'a' },
        { x: 100, y: 0.85, name: 'b' },
      ],
      param: 'n_estimators',
      metric: 'f1_1',
    });
    expect(texts(scatter.svg)).toEqual(expect.arrayContaining(['f1_1 vs n_estimators', 'n_estimators', 'f1_1']));
    decodePng(scatter.png);
  });

  it('text is drawn into the PNG: a different label gives different pixels', () => {
    const a = decodePng(rocCurveChart({ curves: [{ ...roc, name: 'alpha' }] }).png);
    const b = decodePng(rocCurveChart({ curves: [{ ...roc, name: 'omega' }] }).png);
    // the same size and geometry: only the glyphs of the legend can differ
    expect([a.width, a.height]).toEqual([b.width, b.height]);
    expect(a.raw.equals(b.raw)).toBe(false);
  });

  it('escapes markup in labels', () => {
    const img = metricByRunChart({ runs: [{ name: '<b>&"x"', value: 1 }], metric: 'm' });
    expect(img.svg).not.toContain('<b>');
    expect(texts(img.svg)).toContain('<b>&"x"');
  });
});

describe('a process that renders charts', () => {
  it('exits on its own (ECharts instances are disposed)', async () => {
    const { spawn } = await import('node:child_process');
    const script =
      "const c = await import('./src/pipelines/charts/index.ts');" +
      "const img = c.rocCurveChart({ curves: [{ name: 'x', fpr: [0, 1], tpr: [0, 1], auc: 0.5 }] });" +
      'process.stdout.write(String(img.png.length));';
    const started = Date.now();
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: new URL('../../..', import.meta.url),
      });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
    expect(result.code).toBe(0);
    expect(Number(result.out)).toBeGreaterThan(1000);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);
});
