// Reads a promotion policy file for `cairn models policy set`: a file that cannot be read and one
// that is not JSON are told apart, and a JSON syntax error says where (line and column).
import { readFile } from 'node:fs/promises';
import { UsageError } from './cli-client.js';
import { jsonErrorOffset } from './json-error-position.js';

/** Line and column (1-based) of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/** JSON.parse's reason, and where it went wrong as line and column. */
export function describeJsonError(text: string, err: Error): string {
  const offset = jsonErrorOffset(text);
  let reason = err.message.replace(/\s*\(line \d+ column \d+\)$/, '').replace(/ (in JSON )?at position \d+/, '');
  // V8 quotes a multi-line snippet here ("Unexpected token '}', ..."x": [}" is not valid JSON")
  if (/is not valid JSON/.test(reason) && offset >= 0 && offset < text.length) {
    reason = `Unexpected token ${JSON.stringify(text[offset])}`;
  }
  if (offset < 0) return reason;
  const { line, column } = lineAndColumn(text, offset);
  return `${reason} (line ${line}, column ${column})`;
}

export async function parsePolicyFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read policy file ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`policy file ${file} is not valid JSON: ${describeJsonError(text, err as Error)}`);
  }
}
