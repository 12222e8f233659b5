// The one way tests and benchmarks reach `../shared` (public data sets and the anchors): the folder
// beside the repository, or `CAIRN_SHARED` when set. A test that needs a file from it and cannot
// find it says so loudly (`requireShared` throws with the path and the variable to set).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared folder: `CAIRN_SHARED`, else `../shared` beside the repository. */
export function sharedDir(): string {
  return process.env.CAIRN_SHARED ?? path.resolve(REPO_ROOT, '../shared');
}

/** A path below the shared folder, e.g. `sharedPath('data', 'stroke.csv')`. */
export function sharedPath(...parts: string[]): string {
  return path.join(sharedDir(), ...parts);
}

/** True when the shared folder holds `parts` (a data set or an anchor). */
export function hasShared(...parts: string[]): boolean {
  return existsSync(sharedPath(...parts));
}

/** The shared data directory (`shared/data`). */
export function sharedDataDir(): string {
  return sharedPath('data');
}

/** A shared data file's text; throws naming the path and `CAIRN_SHARED` when it is missing. */
export function readSharedData(file: string): string {
  const p = sharedPath('data', file);
  if (!existsSync(p))
    throw new Error(`${p} not found: this test needs the shared data sets (set CAIRN_SHARED to the shared folder)`);
  return readFileSync(p, 'utf8');
}
