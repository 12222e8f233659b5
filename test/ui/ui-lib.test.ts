// The UI's pure modules (ui/src/lib): column ids and order_by clauses, the CSV writer, the URL view
// state, the nested-run tree and filter completion. The browser tests cover them end to end; these
// pin the edge cases cheaply.
import { describe, expect, it } from 'vitest';
import type { Run } from '../../ui/src/api/types.js';
import {
  addSeenKeys,
  cellValue,
  emptySeenKeys,
  orderByClause,
  parseColumnId,
  quoteKey,
} from '../../ui/src/lib/columns.js';
import { csvField, runsToCsv } from '../../ui/src/lib/csv.js';
import { parseCsv } from '../../ui/src/lib/csv-parse.js';
import { completeFilter } from '../../ui/src/lib/filter-suggest.js';
import { flattenRunTree } from '../../ui/src/lib/run-tree.js';
import { defaultColumns, readRunsView, writeRunsView } from '../../ui/src/lib/runs-view.js';

function run(id: string, opts: { parent?: string; accuracy?: number | string; model?: string } = {}): Run {
  return {
    info: {
      run_id: id,
      run_name: `name-${id}`,
      experiment_id: '1',
      status: 'FINISHED',
      lifecycle_stage: 'active',
      start_time: 1000,
      end_time: 4500,
    },
    data: {
      metrics: opts.accuracy === undefined ? [] : [{ key: 'accuracy', value: opts.accuracy, timestamp: 0, step: 0 }],
      params: opts.model === undefined ? [] : [{ key: 'model', value: opts.model }],
      tags: opts.parent ? [{ key: 'mlflow.parentRunId', value: opts.parent }] : [],
    },
  };
}

describe('columns', () => {
  it('parses ids and refuses unknown kinds', () => {
    expect(parseColumnId('metrics.val.loss')).toEqual({ kind: 'metrics', key: 'val.loss' });
    expect(parseColumnId('colour.red')).toBeNull();
    expect(parseColumnId('metrics.')).toBeNull();
  });

  it('writes order_by clauses with backquotes where the grammar needs them', () => {
    expect(orderByClause({ column: 'metrics.accuracy', descending: true })).toBe('metrics.accuracy DESC');
    expect(orderByClause({ column: 'params.learning rate', descending: false })).toBe('params.`learning rate` ASC');
    expect(orderByClause({ column: 'metrics.val.loss', descending: false })).toBe('metrics.`val.loss` ASC');
    expect(orderByClause({ column: 'attributes.duration', descending: false })).toBeNull();
    expect(quoteKey('ok_1')).toBe('ok_1');
  });

  it('reads metric strings (NaN, Infinity) as numbers and derives the duration', () => {
    expect(cellValue(run('a', { accuracy: 'NaN' }), { kind: 'metrics', key: 'accuracy' })).toBeNaN();
    expect(cellValue(run('a', { accuracy: '-Infinity' }), { kind: 'metrics', key: 'accuracy' })).toBe(-Infinity);
    expect(cellValue(run('a'), { kind: 'attributes', key: 'duration' })).toBe(3500);
    expect(cellValue(run('a'), { kind: 'params', key: 'missing' })).toBeUndefined();
  });

  it('collects the keys seen, leaving out system tags', () => {
    const seen = addSeenKeys(emptySeenKeys(), [run('a', { accuracy: 1, model: 'x', parent: 'p' })]);
    expect([...seen.metrics]).toEqual(['accuracy']);
    expect([...seen.params]).toEqual(['model']);
    expect([...seen.tags]).toEqual([]);
  });
});

describe('CSV', () => {
  it('quotes commas, quotes, newlines and edge spaces, and round-trips through a reader', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField(undefined)).toBe('');
    const runs = [run('a', { accuracy: 0.91, model: 'x, "y"\nz' }), run('b')];
    const cols = [
      { kind: 'attributes' as const, key: 'run_name' },
      { kind: 'metrics' as const, key: 'accuracy' },
      { kind: 'params' as const, key: 'model' },
    ];
    const text = runsToCsv(runs, cols);
    expect(parseCsv(text, 100)).toEqual([
      ['run_id', 'attributes.run_name', 'metrics.accuracy', 'params.model'],
      ['a', 'name-a', '0.91', 'x, "y"\nz'],
      ['b', 'name-b', '', ''],
    ]);
  });
});

describe('runs view in the URL', () => {
  it('round-trips filter, sort, columns and view, and keeps unrelated parameters', () => {
    const view = {
      filter: "metrics.accuracy > 0.9 and params.model = 'a&b'",
      sort: { column: 'metrics.accuracy', descending: false },
      columns: ['attributes.run_name', 'metrics.accuracy'],
      viewType: 'ALL' as const,
    };
    const params = writeRunsView(view, new URLSearchParams('mode=chart&sort=x'));
    expect(params.get('mode')).toBe('chart');
    expect(readRunsView(new URLSearchParams(params.toString()))).toEqual(view);
  });

  it('leaves defaults out of the URL and reads an empty one as the defaults', () => {
    const defaults = readRunsView(new URLSearchParams());
    expect(defaults.columns).toEqual(defaultColumns());
    expect(defaults.sort).toEqual({ column: 'attributes.start_time', descending: true });
    expect(writeRunsView(defaults).toString()).toBe('');
    expect(readRunsView(new URLSearchParams('col=')).columns).toEqual([]);
  });
});

describe('nested runs', () => {
  it('puts loaded children under their parent, hides them when collapsed, and survives a cycle', () => {
    const runs = [
      run('c1', { parent: 'p' }),
      run('x'),
      run('p'),
      run('c2', { parent: 'p' }),
      run('orphan', { parent: 'gone' }),
    ];
    const open = flattenRunTree(runs, new Set());
    expect(open.map((r) => [r.run.info.run_id, r.depth])).toEqual([
      ['x', 0],
      ['p', 0],
      ['c1', 1],
      ['c2', 1],
      ['orphan', 0],
    ]);
    expect(open[1]?.childCount).toBe(2);
    expect(flattenRunTree(runs, new Set(['p'])).map((r) => r.run.info.run_id)).toEqual(['x', 'p', 'orphan']);
    const cycle = [run('a', { parent: 'b' }), run('b', { parent: 'a' })];
    expect(flattenRunTree(cycle, new Set()).map((r) => [r.run.info.run_id, r.depth])).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
  });
});

describe('filter completion', () => {
  const seen = addSeenKeys(emptySeenKeys(), [run('a', { accuracy: 1, model: 'x' })]);

  it('completes the word at the caret with seen keys first', () => {
    const text = 'params.model = 1 and metrics.acc';
    const c = completeFilter(text, text.length, seen);
    expect(c?.options[0]).toBe('metrics.accuracy');
    expect(c?.from).toBe(text.length - 'metrics.acc'.length);
  });

  it('does not complete inside a quoted value', () => {
    const text = "params.model = 'metr";
    expect(completeFilter(text, text.length, seen)).toBeNull();
  });
});
