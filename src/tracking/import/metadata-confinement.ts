// Refuses an MLflow file store whose metadata leads out of it. The importer reads meta.yaml, tag,
// param, metric, input, dataset and registry files by joining fixed names onto directories of the
// tree, and reading follows symbolic links: a hostile `mlruns/` with `<run>/meta.yaml -> /etc/shadow`
// or `<run>/params -> /srv/other-server` would make it read (and store, and serve) any file. So,
// before anything is written, every path of the tree is walked (through links that stay inside, so
// a chain of links is judged where it ends) and one link resolving outside refuses the whole import.
// Run artifact directories are left to the artifact copier, which copies no link and reports each
// (`<run>/artifacts` itself leading out is reported there too).
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidParameter } from '../../core/errors.js';

function isBelow(realRoot: string, real: string): boolean {
  const rel = path.relative(realRoot, real);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** `<exp>/<run>/artifacts` or `.trash/<exp>/<run>/artifacts`: a run's artifacts, not metadata. */
function isRunArtifacts(parts: readonly string[]): boolean {
  const inRun = parts[0] === '.trash' ? parts.slice(1) : parts;
  return inRun.length === 3 && inRun[2] === 'artifacts' && parts[0] !== 'models';
}

function refusal(link: string, target: string, root: string): InvalidParameter {
  return new InvalidParameter(
    `Import refused: ${link} is a symbolic link to ${target}, outside the source tree ${root}. ` +
      'cairn import reads metadata (meta.yaml, tags, params, metrics, inputs, registered models) only from ' +
      'inside the tree it is given; nothing was imported. Replace the link by the file it names.',
  );
}

/**
 * Throws InvalidParameter naming the first symbolic link (outside run artifact directories) whose
 * real path lies outside `root`. Dangling links are left alone: reading them fails, nothing leaks.
 */
export async function assertMetadataInTree(root: string): Promise<void> {
  const realRoot = await realpath(root);
  const visited = new Set<string>([realRoot]);
  // [path as the importer would spell it, its parts relative to root]
  const pending: Array<[string, string[]]> = [[root, []]];
  while (pending.length > 0) {
    const [dir, parts] = pending.pop()!;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable: the reader skips it too
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      const childParts = [...parts, e.name];
      if (isRunArtifacts(childParts)) continue;
      if (e.isDirectory()) {
        // a real directory's real path is its parent's (already inside) plus its name
        const real = await realpath(full).catch(() => undefined);
        if (real !== undefined && !visited.has(real)) {
          visited.add(real);
          pending.push([full, childParts]);
        }
        continue;
      }
      if (!e.isSymbolicLink()) continue;
      let real: string;
      try {
        real = await realpath(full);
      } catch {
        continue; // dangling or a loop: nothing to read through it
      }
      if (!isBelow(realRoot, real)) throw refusal(full, real, root);
      // a link to a directory inside: walk it under the link's name, as the reader would reach it
      if (!visited.has(real) && (await isDirectory(real))) {
        visited.add(real);
        pending.push([full, childParts]);
      }
    }
  }
}

async function isDirectory(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() === true;
}
