// Policy files: unreadable and not-JSON are told apart, and a syntax error says where.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonErrorOffset } from './json-error-position.js';
import { describeJsonError, parsePolicyFile } from './policy-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cairn-policy-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const where = (text: string): string => {
  try {
    JSON.parse(text);
  } catch (err) {
    return describeJsonError(text, err as Error);
  }
  throw new Error(`valid JSON: ${text}`);
};

describe('policy files', () => {
  it('names the line and column of a syntax error', () => {
    expect(where('{\n  "target": "Production",\n  "require": [}\n')).toBe('Unexpected token "}" (line 3, column 15)');
    expect(where('{"target": "Production",}')).toMatch(/\(line 1, column 25\)$/);
    expect(where('{"target": "Production"')).toMatch(/\(line 1, column 24\)$/);
    expect(where('{"a": 1} x')).toMatch(/\(line 1, column 10\)$/);
    expect(where("{'target': 1}")).toMatch(/\(line 1, column 2\)$/);
  });

  it('finds no error in valid JSON of every kind', () => {
    for (const text of ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"]} ', '"s"', '0']) {
      expect(jsonErrorOffset(text)).toBe(-1);
    }
  });

  it('tells a file that cannot be read from one that is not JSON', async () => {
    const missing = path.join(dir, 'missing.json');
    await expect(parsePolicyFile(missing)).rejects.toThrow(/^cannot read policy file .*missing\.json: ENOENT/);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{"target": "Production", "require": [{"metric": "accuracy" ">=": 0.9}]}');
    await expect(parsePolicyFile(bad)).rejects.toThrow(`policy file ${bad} is not valid JSON: `);
    await expect(parsePolicyFile(bad)).rejects.toThrow(/\(line 1, column 60\)$/);
    const good = path.join(dir, 'good.json');
    writeFileSync(good, '[{"target": "@champion", "require": [{"metric": "accuracy", ">=": 0.9}]}]');
    expect(await parsePolicyFile(good)).toEqual([
      { target: '@champion', require: [{ metric: 'accuracy', '>=': 0.9 }] },
    ]);
  });
});
