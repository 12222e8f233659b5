import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lacks } from '../../test/support/requirements.js';
import { sharedPath } from '../../test/support/shared.js';
import { bundledHeartPath, HEART_SHA256, STROKE_SHA256 } from './data-source.js';
import { HEART, parsePositiveWhen, positiveOf, STROKE, type DatasetSpec } from './dataset-spec.js';
import { DataError, loadDataset } from './load-dataset.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cairn-load-dataset-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const HEART_TEXT = readFileSync(bundledHeartPath(), 'utf8');
const HEART_LINES = HEART_TEXT.trimEnd().split('\n');

function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
}

/** The heart file with one cell replaced (data row `row`, 1-based; column by name). */
function heartWith(row: number, column: string, value: string): string {
  const header = HEART_LINES[0].split(',');
  const j = header.indexOf(column);
  const lines = [...HEART_LINES];
  const cells = lines[row].split(',');
  cells[j] = value;
  lines[row] = cells.join(',');
  return `${lines.join('\n')}\n`;
}

async function refusal(p: string, spec: DatasetSpec = HEART): Promise<string> {
  const err = await loadDataset(p, spec).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataError);
  return (err as DataError).message;
}

describe('loadDataset: the bundled heart data', () => {
  it('is the UCI file byte for byte, read with its known problems handled and reported', async () => {
    const d = await loadDataset(bundledHeartPath(), HEART);
    expect(d.digest).toBe(HEART_SHA256);
    expect(d.fileRows).toBe(920);
    expect(d.y.length).toBe(920);
    expect(d.positives).toBe(509);
    expect(d.X.columns.map((c) => c.name)).toEqual([...HEART.numeric!, ...HEART.categorical!]);
    expect(d.X.columns.map((c) => c.name)).not.toContain('dataset');
    expect(d.notes.join('\n')).toMatch(/chol: 172 row\(s\) hold 0/);
    expect(d.notes.join('\n')).toMatch(/trestbps: 1 row\(s\) hold 0/);
    const chol = d.X.columns.find((c) => c.name === 'chol')!;
    expect(chol.kind === 'numeric' && chol.values.filter((v) => v === 0).length).toBe(0);
    // 30 empty + 172 zeros
    expect(chol.kind === 'numeric' && chol.values.filter((v) => Number.isNaN(v)).length).toBe(202);
    expect(d.inferred).toEqual([]);
  });
});

describe.skipIf(lacks('shared-data'))('loadDataset: stroke', () => {
  it('reads N/A bmi as missing and reports smoking_status Unknown', async () => {
    const d = await loadDataset(sharedPath('data', 'stroke.csv'), STROKE);
    expect(d.digest).toBe(STROKE_SHA256);
    expect(d.y.length).toBe(5110);
    expect(d.positives).toBe(249);
    expect(d.notes.join('\n')).toMatch(/smoking_status: 1544 row\(s\) \(30\.2%\) are "Unknown"/);
    expect(d.notes.join('\n')).toMatch(/bmi 201/);
  });
});

describe('loadDataset refuses bad data, naming the file, the column and the row', () => {
  it('a missing column', async () => {
    const text = HEART_TEXT.replace(/^id,age,/, 'id,years,');
    const msg = await refusal(file('no-age.csv', text));
    expect(msg).toMatch(/no-age\.csv: column "age" \(a numeric feature\) is missing/);
  });

  it('a mistyped column (text in a numeric one)', async () => {
    const msg = await refusal(file('bad-chol.csv', heartWith(17, 'chol', 'high')));
    expect(msg).toMatch(/bad-chol\.csv: line 18, column "chol" \(\d+\): "high" is not a number/);
  });

  it('an unknown target value', async () => {
    const msg = await refusal(file('bad-num.csv', heartWith(5, 'num', '7')));
    expect(msg).toMatch(
      /bad-num\.csv: column "num", data row 5: "7" is not a known target value \(expected one of 0, 1, 2, 3, 4\)/,
    );
  });

  it('an empty file, a header with no rows, a ragged row, a file that is not there', async () => {
    expect(await refusal(file('empty.csv', ''))).toMatch(/empty\.csv: the file is empty/);
    expect(await refusal(file('header.csv', `${HEART_LINES[0]}\n`))).toMatch(/header\.csv: there are no data rows/);
    const ragged = [...HEART_LINES];
    ragged[3] = ragged[3].split(',').slice(0, 10).join(',');
    expect(await refusal(file('ragged.csv', `${ragged.join('\n')}\n`))).toMatch(
      /ragged\.csv: line 4, column 11: expected 16 fields, got 10/,
    );
    expect(await refusal(path.join(tmp, 'nope.csv'))).toMatch(/cannot read data file .*nope\.csv: no such file/);
  });

  it('drops rows with a missing target and counts them', async () => {
    const d = await loadDataset(file('no-target.csv', heartWith(2, 'num', '')), HEART);
    expect(d.y.length).toBe(919);
    expect(d.fileRows).toBe(920);
    expect(d.notes).toContain('num: 1 row(s) have no target value and were dropped.');
  });
});

describe('generic CSV', () => {
  it('infers column types, reads a text target with --positive, and refuses a value that matches nothing', async () => {
    const text = 'id,size,colour,label\n1,3.5,red,yes\n2,1.0,blue,no\n3,,red,yes\n4,2.2,green,no\n';
    const spec: DatasetSpec = {
      name: 'toy',
      title: 'toy',
      target: 'label',
      positive: { kind: 'equals', value: 'yes' },
      drop: ['id'],
      imbalanced: false,
      registeredModel: 'toy',
    };
    const d = await loadDataset(file('toy.csv', text), spec);
    expect(d.inferred).toEqual([
      { column: 'size', kind: 'numeric' },
      { column: 'colour', kind: 'categorical' },
    ]);
    expect(Array.from(d.y)).toEqual([1, 0, 1, 0]);
    const none = await refusal(file('toy2.csv', text), { ...spec, positive: { kind: 'equals', value: 'YES' } });
    expect(none).toMatch(/label == "YES" holds for no row/);
    const notNumber = await refusal(file('toy3.csv', text), {
      ...spec,
      positive: { kind: 'compare', op: '>', threshold: 0 },
    });
    expect(notNumber).toMatch(/column "label", data row 1: "yes" is not a number/);
  });

  it('parses --positive-when comparisons', () => {
    expect(parsePositiveWhen('>0')).toEqual({ kind: 'compare', op: '>', threshold: 0 });
    expect(parsePositiveWhen(' >= 1.5 ')).toEqual({ kind: 'compare', op: '>=', threshold: 1.5 });
    expect(parsePositiveWhen('yes')).toBeUndefined();
    expect(positiveOf({ kind: 'compare', op: '!=', threshold: 0 }, '2')).toBe(1);
    expect(positiveOf({ kind: 'compare', op: '!=', threshold: 0 }, 'x')).toBeUndefined();
  });
});
