// MANIFEST.json: the SHA-256 of every file of a model package and the format version, written last
// on save and checked first on load, so a changed, missing or swapped file is refused by name.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidParameter } from '../../core/errors.js';
import { MANIFEST_FILE, MODEL_FORMAT_VERSION, checkFormatVersion } from './mlmodel.js';

export interface Manifest {
  format_version: number;
  algorithm: 'sha256';
  /** Relative POSIX path → lowercase hex SHA-256 of the file's bytes; MANIFEST.json itself is not listed. */
  files: Record<string, string>;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function buildManifest(files: Record<string, Uint8Array>): Manifest {
  const names = Object.keys(files).sort();
  return {
    format_version: MODEL_FORMAT_VERSION,
    algorithm: 'sha256',
    files: Object.fromEntries(names.map((n) => [n, sha256Hex(files[n])])),
  };
}

const SAFE_PATH = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[^\\\0]+$/;

export function parseManifest(text: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InvalidParameter(`${MANIFEST_FILE} is not valid JSON`);
  }
  const m = raw as Record<string, unknown>;
  if (!m || typeof m !== 'object' || Array.isArray(m))
    throw new InvalidParameter(`${MANIFEST_FILE} must be a JSON object`);
  checkFormatVersion(m.format_version, `${MANIFEST_FILE} format_version`);
  if (m.algorithm !== 'sha256')
    throw new InvalidParameter(`${MANIFEST_FILE} algorithm ${JSON.stringify(m.algorithm)} is not supported (sha256)`);
  const files = m.files as Record<string, unknown>;
  if (!files || typeof files !== 'object' || Array.isArray(files))
    throw new InvalidParameter(`${MANIFEST_FILE} files must be an object of path → sha256`);
  for (const [name, digest] of Object.entries(files)) {
    if (!SAFE_PATH.test(name) || name === MANIFEST_FILE)
      throw new InvalidParameter(`${MANIFEST_FILE} lists an unsafe path '${name}'`);
    if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest))
      throw new InvalidParameter(`${MANIFEST_FILE}: the digest of '${name}' is not a lowercase hex SHA-256`);
  }
  return { format_version: m.format_version as number, algorithm: 'sha256', files: files as Record<string, string> };
}

/**
 * Reads every listed file and checks its digest. Returns the verified bytes by path, so the loader
 * parses exactly what was checked (no second read a swap could slip into).
 */
export async function verifyPackageFiles(
  dir: string,
  manifest: Manifest,
  required: readonly string[],
): Promise<Map<string, Buffer>> {
  for (const name of required) {
    if (!(name in manifest.files))
      throw new InvalidParameter(`Model package ${dir}: '${name}' is not listed in ${MANIFEST_FILE}`);
  }
  const verified = new Map<string, Buffer>();
  for (const [name, expected] of Object.entries(manifest.files)) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path.join(dir, ...name.split('/')));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const state = code === 'ENOENT' ? 'missing' : `unreadable (${code})`;
      throw new InvalidParameter(`Model package ${dir}: '${name}' is listed in ${MANIFEST_FILE} but ${state}`);
    }
    const actual = sha256Hex(bytes);
    if (actual !== expected) {
      throw new InvalidParameter(
        `Model package ${dir}: checksum mismatch for '${name}' ` +
          `(SHA-256 ${actual}, ${MANIFEST_FILE} says ${expected}); the file was changed or corrupted`,
      );
    }
    verified.set(name, bytes);
  }
  return verified;
}
