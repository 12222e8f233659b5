// The chart view's pure modules (ui/src/lib): URL state, smoothing, the chart options, the MLmodel
// reader and the compare page's image rows. The browser tests cover them end to end; these pin the
// edge cases cheaply.
import { describe, expect, it } from 'vitest';
import type { Run } from '../../ui/src/api/types.js';
import { imageRows } from '../../ui/src/lib/artifact-images.js';
import {
  historyOption,
  paramKind,
  paramScatterOption,
  parallelOption,
  smoothEma,
} from '../../ui/src/lib/chart-options.js';
import { DEFAULT_CHART_VIEW, clampSmoothing, readChartView, writeChartView } from '../../ui/src/lib/chart-view.js';
import { exampleTable, readMlmodel } from '../../ui/src/lib/mlmodel-view.js';

function run(id: string, params: Record<string, string>, metrics: Record<string, number | string>): Run {
  return {
    info: { run_id: id, run_name: `r-${id}`, experiment_id: '1', status: 'FINISHED', lifecycle_stage: 'active' },
    data: {
      params: Object.entries(params).map(([key, value]) => ({ key, value })),
      metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: 0, step: 0 })),
    },
  };
}

type Series = { name: string; type: string; data: Array<[number, number | null]> };

describe('chart view URL state', () => {
  it('round-trips every choice and leaves defaults and other keys alone', () => {
    const view = {
      kind: 'parallel' as const,
      also: ['f1', 'recall'],
      smoothing: 0.35,
      logScale: true,
      style: 'scatter' as const,
      xParam: 'max_depth',
      axes: ['model', 'learning_rate'],
    };
    const base = new URLSearchParams('mode=chart&metric=accuracy&filter=x&chart=step');
    const written = writeChartView(view, base);
    expect(written.get('mode')).toBe('chart');
    expect(written.get('filter')).toBe('x');
    expect(readChartView(written)).toEqual(view);
    expect(writeChartView(DEFAULT_CHART_VIEW, base).toString()).toBe('mode=chart&metric=accuracy&filter=x');
  });

  it('reads unknown values as the defaults and clamps the smoothing', () => {
    const v = readChartView(new URLSearchParams('chart=pie&smooth=7&log=yes&style=area'));
    expect(v).toEqual({ ...DEFAULT_CHART_VIEW, smoothing: 0.99 });
    expect(clampSmoothing(Number.NaN)).toBe(0);
    expect(clampSmoothing(-1)).toBe(0);
    expect(clampSmoothing(0.456)).toBe(0.46);
  });
});

describe('smoothing', () => {
  it("is TensorBoard's debiased EMA: a constant stays constant, the first point is the value", () => {
    expect(smoothEma([2, 2, 2, 2], 0.9).every((v) => Math.abs(v - 2) < 1e-12)).toBe(true);
    const s = smoothEma([1, 0, 0], 0.5);
    expect(s[0]).toBeCloseTo(1, 12);
    // (0.5*0.5*1 + 0) / (1 - 0.25) = 1/3 at the second point
    expect(s[1]).toBeCloseTo(1 / 3, 12);
    expect(smoothEma([1, 0, 0], 0)).toEqual([1, 0, 0]);
  });

  it('passes NaN through without poisoning the points after it', () => {
    const s = smoothEma([1, Number.NaN, 1], 0.6);
    expect(Number.isNaN(s[1])).toBe(true);
    expect(s[2]).toBeCloseTo(1, 12);
  });
});

describe('metric history option', () => {
  const lines = [
    {
      runName: 'a',
      metric: 'loss',
      points: [
        [0, 1],
        [1, 0.5],
        [2, 0],
      ] as Array<[number, number]>,
    },
    { runName: 'b', metric: 'loss', points: [] as Array<[number, number]> },
  ];

  it('draws raw values faint under the smoothed line and leaves out runs without the metric', () => {
    const { option } = historyOption(lines, { smoothing: 0.5, logScale: false, style: 'line' });
    const series = option.series as Series[];
    expect(series.map((s) => s.name)).toEqual(['a (raw)', 'a']);
    expect(series[0]?.data).toEqual([
      [0, 1],
      [1, 0.5],
      [2, 0],
    ]);
    expect(series[1]?.data.map((p) => p[1])).toEqual(smoothEma([1, 0.5, 0], 0.5));
    expect((option.legend as { data: string[] }).data).toEqual(['a']);
  });

  it('hides values a log scale cannot draw, and counts them', () => {
    const built = historyOption(lines, { smoothing: 0, logScale: true, style: 'scatter' });
    const series = built.option.series as Series[];
    expect(series[0]?.type).toBe('scatter');
    expect(series[0]?.data[2]).toEqual([2, null]);
    expect(built.hidden).toBe(1);
    expect((built.option.yAxis as { type: string }).type).toBe('log');
  });

  it('names lines by metric for one run and by run and metric for several', () => {
    const two = [
      { runName: 'a', metric: 'loss', points: [[0, 1]] as Array<[number, number]> },
      { runName: 'a', metric: 'acc', points: [[0, 1]] as Array<[number, number]> },
    ];
    const one = historyOption(two, { smoothing: 0, logScale: false, style: 'line' }).option.series as Series[];
    expect(one.map((s) => s.name)).toEqual(['loss', 'acc']);
    const many = historyOption([...two, { runName: 'b', metric: 'loss', points: [[0, 2]] }], {
      smoothing: 0,
      logScale: false,
      style: 'line',
    }).option.series as Series[];
    expect(many.map((s) => s.name)).toEqual(['a · loss', 'a · acc', 'b · loss']);
  });
});

describe('param charts', () => {
  const runs = [
    run('1', { lr: '0.1', model: 'knn' }, { acc: 0.8 }),
    run('2', { lr: '1e-2', model: 'forest' }, { acc: 0.9 }),
    run('3', { lr: '0.5', model: 'forest' }, { acc: 'NaN' }),
    run('4', { model: 'logreg' }, { acc: 0.7 }),
  ];

  it('reads a param as numeric only when every value is a number', () => {
    expect(paramKind(['0.1', '1e-2', '3'])).toBe('numeric');
    expect(paramKind(['0.1', 'auto'])).toBe('categorical');
    expect(paramKind(['', '1'])).toBe('categorical');
    expect(paramKind([])).toBe('categorical');
  });

  it('plots runs with both the param and a finite metric', () => {
    const numeric = paramScatterOption(runs, 'lr', 'acc');
    expect(numeric.plotted).toBe(2);
    expect((numeric.option.xAxis as { type: string }).type).toBe('value');
    const categorical = paramScatterOption(runs, 'model', 'acc');
    expect(categorical.plotted).toBe(3);
    expect(categorical.option.xAxis).toMatchObject({ type: 'category', data: ['forest', 'knn', 'logreg'] });
  });

  it('builds one parallel axis per param plus the metric, and skips runs missing any', () => {
    const built = parallelOption(runs, ['model', 'lr'], 'acc');
    expect(built.kinds).toEqual(['categorical', 'numeric']);
    expect(built.plotted).toBe(2);
    const axes = built.option.parallelAxis as Array<{ name: string; type: string; dim: number }>;
    expect(axes.map((a) => [a.dim, a.name, a.type])).toEqual([
      [0, 'model', 'category'],
      [1, 'lr', 'value'],
      [2, 'acc', 'value'],
    ]);
    const data = (built.option.series as Array<{ data: Array<{ value: unknown[] }> }>)[0]?.data;
    expect(data?.map((d) => d.value)).toEqual([
      ['knn', 0.1, 0.8],
      ['forest', 0.01, 0.9],
    ]);
    expect(built.option.visualMap).toMatchObject({ dimension: 2, min: 0.8, max: 0.9 });
  });
});

describe('MLmodel reader', () => {
  it('reads the summary, the signature columns and the input example path', () => {
    const view = readMlmodel({
      artifact_path: 'model',
      flavors: { cairn: { estimator: 'RandomForestClassifier', cairn_version: '0.1.0' }, python_function: {} },
      run_id: 'abc',
      signature: {
        inputs:
          '[{"type": "double", "name": "age", "required": true}, {"type": "string", "name": "sex", "required": false}]',
        outputs: '[{"type": "double", "required": true}]',
        params: null,
      },
      saved_input_example_info: { artifact_path: 'input_example.json', type: 'dataframe' },
    });
    expect(view.flavors).toEqual(['cairn', 'python_function']);
    expect(view.summary).toContainEqual(['Estimator', 'RandomForestClassifier']);
    expect(view.runId).toBe('abc');
    expect(view.inputs).toEqual([
      { name: 'age', type: 'double', required: true },
      { name: 'sex', type: 'string', required: false },
    ]);
    expect(view.outputs).toEqual([{ name: '(unnamed 0)', type: 'double', required: true }]);
    expect(view.inputExample).toBe('input_example.json');
  });

  it('reports a malformed signature instead of throwing', () => {
    const view = readMlmodel({ flavors: {}, signature: { inputs: '{not json' } });
    expect(view.inputs).toBeUndefined();
    expect(view.signatureProblem).toMatch(/JSON/);
    expect(readMlmodel('just a string').summary).toEqual([]);
  });

  it('reads split-orient and record input examples as tables', () => {
    expect(exampleTable({ columns: ['a', 'b'], data: [[1, 'x']] })).toEqual({ columns: ['a', 'b'], rows: [[1, 'x']] });
    expect(exampleTable({ dataframe_split: { columns: ['a'], data: [[2]] } })).toEqual({ columns: ['a'], rows: [[2]] });
    expect(exampleTable([{ a: 1 }, { b: 2 }])).toEqual({
      columns: ['a', 'b'],
      rows: [
        [1, undefined],
        [undefined, 2],
      ],
    });
    expect(exampleTable(42)).toBeNull();
  });
});

describe('compare page image rows', () => {
  it('puts paths more runs share first and marks which runs have each', () => {
    expect(imageRows([['p/b.png', 'p/a.png'], ['p/b.png'], []])).toEqual([
      { path: 'p/b.png', present: [true, true, false] },
      { path: 'p/a.png', present: [true, false, false] },
    ]);
  });
});
