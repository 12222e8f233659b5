// ArtifactRepository on the local filesystem, every path confined to the root (see safe-path.ts).
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, realpath, rename, rm, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidParameter, NotFound } from '../core/errors.js';
import type { ArtifactReadStream, ArtifactRepository, FileInfo } from './artifact-repository.js';
import { normalizeArtifactPath, resolveInsideRoot } from './safe-path.js';

/** In-progress uploads are written beside their target under this prefix, then renamed. */
const TEMP_PREFIX = '.cairn-upload-';

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export class LocalArtifactRepository implements ArtifactRepository {
  private constructor(readonly root: string) {}

  /** Creates the root directory if needed; `root` is resolved once so symlinked roots work. */
  static async open(root: string): Promise<LocalArtifactRepository> {
    await mkdir(root, { recursive: true });
    return new LocalArtifactRepository(await realpath(root));
  }

  private resolve(relPath: string | undefined): Promise<string> {
    return resolveInsideRoot(this.root, normalizeArtifactPath(relPath));
  }

  async list(relPath?: string): Promise<FileInfo[]> {
    const rel = normalizeArtifactPath(relPath);
    const dir = await resolveInsideRoot(this.root, rel);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    const infos: FileInfo[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith(TEMP_PREFIX)) continue;
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      let st;
      try {
        // stat through resolveInsideRoot so a symlink pointing outside is reported as nothing at all
        st = await stat(await resolveInsideRoot(this.root, childRel));
      } catch {
        continue;
      }
      infos.push(
        st.isDirectory() ? { path: childRel, isDir: true } : { path: childRel, isDir: false, fileSize: st.size },
      );
    }
    return infos.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async openRead(relPath: string): Promise<ArtifactReadStream> {
    const file = await this.resolve(relPath);
    let st;
    try {
      st = await stat(file);
    } catch (err) {
      if (isMissing(err)) throw new NotFound(`Artifact '${relPath}' does not exist`);
      throw err;
    }
    if (st.isDirectory()) throw new InvalidParameter(`Artifact path '${relPath}' is a directory; list it instead`);
    return { stream: createReadStream(file), size: st.size };
  }

  async write(relPath: string, source: Readable): Promise<number> {
    const rel = normalizeArtifactPath(relPath);
    if (rel === '') throw new InvalidParameter('Artifact path must name a file');
    const target = await resolveInsideRoot(this.root, rel);
    const dir = path.dirname(target);
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR' || code === 'EEXIST')
        throw new InvalidParameter(`Cannot write '${relPath}': a parent of it is a file`);
      throw err;
    }
    // mkdir may have followed a symlink created meanwhile: check the directory again
    await resolveInsideRoot(this.root, path.relative(this.root, dir).split(path.sep).join('/'));
    // refused before the body is read; checked again before the rename for a directory made meanwhile
    await this.refuseDirectory(target, relPath);
    const temp = path.join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    let bytes = 0;
    const count = async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        bytes += chunk.length;
        yield chunk;
      }
    };
    try {
      await pipeline(source, count, createWriteStream(temp, { flags: 'wx' }));
      await this.refuseDirectory(target, relPath);
      await rename(temp, target);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    return bytes;
  }

  private async refuseDirectory(target: string, relPath: string): Promise<void> {
    const existing = await stat(target).catch(() => null);
    if (existing?.isDirectory()) {
      throw new InvalidParameter(
        `Cannot write '${relPath}': the path is a directory of artifacts; name a file inside it`,
      );
    }
  }

  async delete(relPath: string): Promise<void> {
    if (normalizeArtifactPath(relPath) === '') throw new InvalidParameter('Refusing to delete the artifact root');
    const target = await this.resolve(relPath);
    try {
      await rm(target, { recursive: true, force: true });
    } catch (err) {
      if (!isMissing(err)) throw err; // ENOTDIR: the path runs through a file, so nothing is there
    }
  }

  async exists(relPath: string): Promise<boolean> {
    const target = await this.resolve(relPath);
    try {
      await stat(target);
      return true;
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }
}
