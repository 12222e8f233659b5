import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getColumn, type Column } from '../core/frame.js';
import { parseCsv } from './csv.js';
import { frameSchema, frameToRecords, recordToRowInto, recordsToFrame, type Cell } from './records.js';
import { lacks } from '../../../test/support/requirements.js';
import { sharedDataDir } from '../../../test/support/shared.js';

const DATA = sharedDataDir();

function missing(c: Column): number {
  let n = 0;
  if (c.kind === 'numeric') {
    for (const v of c.values) if (Number.isNaN(v)) n++;
  } else {
    for (const v of c.codes) if (v < 0) n++;
  }
  return n;
}

describe.skipIf(lacks('shared-data'))('parseCsv on the reference files', () => {
  it('reads heart_disease_uci.csv with the README counts', () => {
    const { frame, warnings } = parseCsv(readFileSync(`${DATA}/heart_disease_uci.csv`, 'utf8'));
    expect(warnings).toEqual([]);
    expect(frame.nRows).toBe(920);
    expect(frame.columns.length).toBe(16);
    const expectedMissing: Record<string, number> = {
      id: 0,
      age: 0,
      sex: 0,
      dataset: 0,
      cp: 0,
      trestbps: 59,
      chol: 30,
      fbs: 90,
      restecg: 2,
      thalch: 55,
      exang: 55,
      oldpeak: 62,
      slope: 309,
      ca: 611,
      thal: 486,
      num: 0,
    };
    let total = 0;
    for (const c of frame.columns) {
      expect([c.name, missing(c)]).toEqual([c.name, expectedMissing[c.name]]);
      total += missing(c);
    }
    expect(total).toBe(1759);
    const kinds = Object.fromEntries(frame.columns.map((c) => [c.name, c.kind]));
    expect(kinds).toMatchObject({
      age: 'numeric',
      sex: 'categorical',
      fbs: 'categorical',
      exang: 'categorical',
      ca: 'numeric',
      num: 'numeric',
    });
    const num = getColumn(frame, 'num');
    if (num.kind !== 'numeric') throw new Error('num not numeric');
    expect(num.values.filter((v) => v > 0).length).toBe(509);
    const chol = getColumn(frame, 'chol');
    if (chol.kind !== 'numeric') throw new Error('chol not numeric');
    expect(chol.values.filter((v) => v === 0).length).toBe(172);
    const ds = getColumn(frame, 'dataset');
    if (ds.kind !== 'categorical') throw new Error('dataset not categorical');
    const counts: Record<string, number> = {};
    for (const code of ds.codes) counts[ds.categories[code]] = (counts[ds.categories[code]] ?? 0) + 1;
    expect(counts).toEqual({ Cleveland: 304, Hungary: 293, 'VA Long Beach': 200, Switzerland: 123 });
  });

  it('reads stroke.csv (N/A bmi, no final newline) with the README counts', () => {
    const { frame } = parseCsv(readFileSync(`${DATA}/stroke.csv`, 'utf8'));
    expect(frame.nRows).toBe(5110);
    expect(frame.columns.length).toBe(12);
    for (const c of frame.columns) expect([c.name, missing(c)]).toEqual([c.name, c.name === 'bmi' ? 201 : 0]);
    const stroke = getColumn(frame, 'stroke');
    if (stroke.kind !== 'numeric') throw new Error('stroke not numeric');
    expect(stroke.values.reduce((a, b) => a + b, 0)).toBe(249);
    const gender = getColumn(frame, 'gender');
    if (gender.kind !== 'categorical') throw new Error('gender not categorical');
    expect([...gender.categories].sort()).toEqual(['Female', 'Male', 'Other']);
    expect(getColumn(frame, 'hypertension').kind).toBe('numeric');
  });

  it('gives the same frame with a BOM and CRLF line ends', () => {
    const text = readFileSync(`${DATA}/stroke.csv`, 'utf8');
    const a = parseCsv(text).frame;
    const b = parseCsv('\uFEFF' + text.replace(/\n/g, '\r\n') + '\r\n').frame;
    expect(b.columns.map((c) => c.name)).toEqual(a.columns.map((c) => c.name));
    expect(frameToRecords(b)).toEqual(frameToRecords(a));
  });
});

describe('parseCsv rules', () => {
  it('infers kinds, treats the NA markers as missing and keeps booleans categorical', () => {
    const { frame } = parseCsv('a,b,c,d\n1,TRUE,x,NA\n2.5e1,FALSE,?,-3\n?,,null,nan\n');
    const [a, b, c, d] = frame.columns;
    expect(a.kind).toBe('numeric');
    expect(Array.from((a as { values: Float64Array }).values)).toEqual([1, 25, NaN]);
    expect(b.kind).toBe('categorical');
    expect(c.kind).toBe('categorical');
    expect(missing(c)).toBe(2);
    expect(d.kind).toBe('numeric');
    expect(missing(d)).toBe(2);
  });

  it('honours naValues and column kind overrides', () => {
    const text = 'a,b\n1,-\n2,3\n';
    expect(parseCsv(text).frame.columns[1].kind).toBe('categorical');
    const r = parseCsv(text, { naValues: ['-'] });
    expect(r.frame.columns[1].kind).toBe('numeric');
    const forced = parseCsv(text, { columns: { a: 'categorical' } });
    expect(forced.frame.columns[0]).toMatchObject({ kind: 'categorical', categories: ['1', '2'] });
    expect(() => parseCsv(text, { columns: { b: 'numeric' } })).toThrow(
      /line 2, column "b" \(2\): "-" is not a number/,
    );
    expect(() => parseCsv(text, { columns: { zz: 'numeric' } })).toThrow(/"zz", which is not in the header/);
  });

  it('names the line and column of a ragged row', () => {
    expect(() => parseCsv('a,b,c\n1,2,3\n4,5\n')).toThrow(/line 3, column 3: expected 3 fields, got 2/);
    expect(() => parseCsv('a,b\n1,2\n3,4,5\n')).toThrow(/line 3, column 3: expected 2 fields, got 3/);
  });

  it('names the line and column of an unclosed quote', () => {
    expect(() => parseCsv('a,b\n1,2\n3,"oops\n5,6\n')).toThrow(/line 3, column 2: quote opened here is never closed/);
  });

  it('accepts quoted fields with delimiters and newlines, and warns on duplicates and blank lines', () => {
    const { frame, warnings } = parseCsv('x,x,y\n"a,b",1,"two\nlines"\n\n"c",2,z');
    expect(frame.nRows).toBe(2);
    expect(frame.columns.map((c) => c.name)).toEqual(['x', 'x.1', 'y']);
    expect(warnings.some((w) => w.includes('renamed to "x.1"'))).toBe(true);
    expect(warnings.some((w) => w.includes('blank line'))).toBe(true);
    expect(frameToRecords(frame)[0]).toEqual({ x: 'a,b', 'x.1': 1, y: 'two\nlines' });
  });

  it('rejects an empty text', () => {
    expect(() => parseCsv('')).toThrow(/no header row/);
  });
});

describe('records ↔ frame', () => {
  it.skipIf(lacks('shared-data'))('round-trips records through a fixed schema', () => {
    const { frame } = parseCsv(readFileSync(`${DATA}/heart_disease_uci.csv`, 'utf8'));
    const schema = frameSchema(frame);
    const records = frameToRecords(frame);
    const back = recordsToFrame(records, schema);
    expect(frameToRecords(back)).toEqual(records);
    expect(back.columns.map((c) => c.kind)).toEqual(frame.columns.map((c) => c.kind));
  });

  it('handles missing fields, numeric text, unseen categories and bad numbers', () => {
    const schema = {
      columns: [
        { name: 'n', kind: 'numeric' as const },
        { name: 'c', kind: 'categorical' as const, categories: ['a'] },
      ],
    };
    const f = recordsToFrame([{ n: '3.5', c: 'b' }, { extra: 1 }, { n: 2, c: true }], schema);
    expect(frameToRecords(f)).toEqual([
      { n: 3.5, c: 'b' },
      { n: null, c: null },
      { n: 2, c: 'TRUE' },
    ]);
    expect(() => recordsToFrame([{ n: 1 }, { n: 'abc' }], schema)).toThrow(/record 1, field "n": expected a number/);
    // with several bad cells the first in column order is named (as it always was), not the first row's
    expect(() => recordsToFrame([{ n: 1, c: {} as never }, { n: 'abc' }], schema)).toThrow(/record 1, field "n"/);
    const row: Cell[] = [];
    expect(recordToRowInto({ n: 4, c: 'a' }, schema, row)).toEqual([4, 'a']);
    expect(recordToRowInto({}, schema, row)).toEqual([NaN, null]);
  });
});
