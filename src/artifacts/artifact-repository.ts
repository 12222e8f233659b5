// The ArtifactRepository contract: a tree of files addressed by relative POSIX paths.
import type { Readable } from 'node:stream';

/** One entry of a directory listing; `path` is relative to the repository root. */
export interface FileInfo {
  path: string;
  isDir: boolean;
  /** Bytes; absent for directories. */
  fileSize?: number;
}

export interface ArtifactReadStream {
  stream: Readable;
  size: number;
}

export interface ArtifactRepository {
  /** Direct children of `path` (root when empty), sorted by path; [] when `path` is missing or a file. */
  list(path?: string): Promise<FileInfo[]>;
  /** Throws NotFound when missing, InvalidParameter when `path` is a directory. */
  openRead(path: string): Promise<ArtifactReadStream>;
  /** Streams `source` into `path` atomically (a reader never sees a half-written file); returns bytes written. */
  write(path: string, source: Readable): Promise<number>;
  /** Removes a file or a whole directory; missing paths are not an error (as MLflow). */
  delete(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
}
