// Path confinement for artifact repositories: a client-supplied path never leaves its root.
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { InvalidParameter } from '../core/errors.js';

const MAX_DECODE_ROUNDS = 8;
/** Longest file or directory name local filesystems take (Linux NAME_MAX), in bytes. */
export const MAX_ARTIFACT_NAME_BYTES = 255;
/** Longest absolute path the OS takes (Linux PATH_MAX, with its NUL), in bytes. */
export const MAX_LOCAL_PATH_BYTES = 4095;

function invalidPath(): InvalidParameter {
  return new InvalidParameter('Invalid path');
}

/** Percent-decodes until stable, as MLflow does, so `%252e%252e` cannot smuggle `..` past the checks. */
function decodeFully(raw: string): string {
  let current = raw;
  for (let i = 0; i < MAX_DECODE_ROUNDS; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return current; // a literal '%' that is not an escape: keep the name as given
    }
    if (next === current) return current;
    current = next;
  }
  throw invalidPath();
}

/**
 * Validates a client-supplied artifact path and returns it normalised ('' = root).
 * Rejects NUL, backslashes, '#', absolute paths, drive letters and any '..' segment.
 */
export function normalizeArtifactPath(raw: string | undefined | null): string {
  if (raw === undefined || raw === null || raw === '') return '';
  let p = decodeFully(raw);
  if (p.startsWith('file://')) p = p.slice('file://'.length);
  if (p.includes('\0') || p.includes('\\') || p.includes('#')) throw invalidPath();
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) throw invalidPath();
  const segments = p.split('/');
  if (segments.some((s) => s === '..')) throw invalidPath();
  return segments.filter((s) => s !== '' && s !== '.').join('/');
}

function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** The filesystem's limits as a client error naming them, instead of ENAMETOOLONG from deep inside. */
function checkLengthLimits(relPath: string, target: string): void {
  const long = relPath.split('/').find((name) => Buffer.byteLength(name) > MAX_ARTIFACT_NAME_BYTES);
  if (long !== undefined) {
    throw new InvalidParameter(
      `Artifact name '${long.slice(0, 40)}…' is ${Buffer.byteLength(long)} bytes long; ` +
        `each name in an artifact path may be at most ${MAX_ARTIFACT_NAME_BYTES} bytes.`,
    );
  }
  const bytes = Buffer.byteLength(target);
  if (bytes > MAX_LOCAL_PATH_BYTES) {
    throw new InvalidParameter(
      `Artifact path is too long: ${bytes} bytes once joined to the artifact root; ` +
        `the limit is ${MAX_LOCAL_PATH_BYTES} bytes (shorten or flatten the path).`,
    );
  }
}

/**
 * Joins a normalised relative path to `realRoot` (already realpath'd) and checks, through
 * realpath of the deepest existing ancestor, that no symlink leads outside the root.
 */
export async function resolveInsideRoot(realRoot: string, relPath: string): Promise<string> {
  const target = path.join(realRoot, ...relPath.split('/').filter(Boolean));
  if (!isInside(realRoot, target)) throw invalidPath();
  checkLengthLimits(relPath, target);
  let probe = target;
  const missingTail: string[] = [];
  for (;;) {
    try {
      const real = await realpath(probe);
      if (!isInside(realRoot, real)) throw invalidPath();
      return missingTail.length === 0 ? real : path.join(real, ...missingTail.reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOTDIR: a file sits where the path needs a directory; keep walking up to check confinement
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      if (probe === realRoot) throw err; // the root itself vanished
      missingTail.push(path.basename(probe));
      probe = path.dirname(probe);
    }
  }
}
