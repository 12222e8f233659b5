// Where `cairn import` may read files: inside the source tree given on the command line, or below a
// directory the user named with --allow-artifacts-outside. A file store's meta.yaml is data, not an
// instruction: an artifact_uri or model source naming /srv/other-server must not make the importer
// copy that directory into artifacts anyone can download. Paths are confined with the artifact
// proxy's rules (realpath of the deepest existing ancestor), so a symbolic link cannot lead out.
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidParameter } from '../../core/errors.js';
import { resolveInsideRoot } from '../../artifacts/safe-path.js';

/** The directory a `file:` URI or an absolute path names; undefined for any other URI (or file://otherhost/…). */
export function localPath(uri: string): string | undefined {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      return undefined; // file://otherhost/… is not on this machine
    }
  }
  return path.isAbsolute(uri) ? uri : undefined;
}

/** The real path of `p`: realpath of its deepest existing ancestor, with the missing tail appended. */
async function realPathOf(p: string): Promise<string> {
  const tail: string[] = [];
  let probe = path.resolve(p);
  for (;;) {
    try {
      return path.join(await realpath(probe), ...tail.reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || path.dirname(probe) === probe) throw err;
      tail.push(path.basename(probe));
      probe = path.dirname(probe);
    }
  }
}

function isBelow(realRoot: string, real: string): boolean {
  const rel = path.relative(realRoot, real);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

export class ReadableRoots {
  private constructor(
    readonly tree: string,
    private readonly realTree: string,
    private readonly realAllowed: string[],
  ) {}

  /** `tree`: the source given on the command line; `allowed`: directories read below even though outside it. */
  static async open(tree: string, allowed: readonly string[] = []): Promise<ReadableRoots> {
    const realAllowed: string[] = [];
    for (const dir of allowed) realAllowed.push(await realpath(dir));
    return new ReadableRoots(tree, await realpath(tree), realAllowed);
  }

  /** The real path of `p` when it lies inside the source tree (through no link leading out). */
  inTree(p: string): Promise<string | undefined> {
    return ReadableRoots.confine(this.realTree, p);
  }

  /** The real path of `p` when it lies inside the source tree or below an allowed directory. */
  async readable(p: string): Promise<string | undefined> {
    for (const root of [this.realTree, ...this.realAllowed]) {
      const inside = await ReadableRoots.confine(root, p);
      if (inside !== undefined) return inside;
    }
    return undefined;
  }

  private static async confine(realRoot: string, p: string): Promise<string | undefined> {
    const real = await realPathOf(p);
    if (!isBelow(realRoot, real)) return undefined;
    try {
      return await resolveInsideRoot(realRoot, path.relative(realRoot, real).split(path.sep).join('/'));
    } catch (err) {
      if (err instanceof InvalidParameter) return undefined;
      throw err;
    }
  }
}
