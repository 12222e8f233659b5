// ArtifactRepository over a server's artifact proxy (/api/2.0/mlflow-artifacts/artifacts/<path>):
// streamed PUT uploads, GET downloads, listing. Paths are relative to `basePath` on the proxy.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { CairnError, NotFound } from '../core/errors.js';
import type { ArtifactReadStream, ArtifactRepository, FileInfo } from '../artifacts/artifact-repository.js';
import { normalizeArtifactPath } from '../artifacts/safe-path.js';
import type { HttpConnection } from './http-connection.js';

const PROXY = '/api/2.0/mlflow-artifacts/artifacts';

const encodePath = (p: string): string => p.split('/').map(encodeURIComponent).join('/');
const join = (...parts: string[]): string => parts.filter((p) => p !== '').join('/');

export class ProxyArtifactRepository implements ArtifactRepository {
  constructor(
    private readonly http: HttpConnection,
    readonly basePath: string,
  ) {}

  private full(rel: string | undefined): string {
    return join(this.basePath, normalizeArtifactPath(rel));
  }

  async list(relPath?: string): Promise<FileInfo[]> {
    const rel = normalizeArtifactPath(relPath);
    const full = this.full(rel);
    const json = await this.http.json('GET', PROXY, full ? { path: full } : {});
    const files = Array.isArray(json.files)
      ? (json.files as Array<{ path: string; is_dir?: boolean; file_size?: number | string }>)
      : [];
    return files
      .map((f) => {
        // the proxy answers names relative to the listed directory
        const path = join(rel, String(f.path).split('/').pop() ?? '');
        return f.is_dir ? { path, isDir: true } : { path, isDir: false, fileSize: Number(f.file_size ?? 0) };
      })
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async openRead(relPath: string): Promise<ArtifactReadStream> {
    const res = await this.http.send({ method: 'GET', path: `${PROXY}/${encodePath(this.full(relPath))}` });
    if (!res.body) throw new NotFound(`Artifact '${relPath}' has no content`);
    const size = Number(res.headers.get('content-length') ?? -1);
    return { stream: Readable.fromWeb(res.body as unknown as NodeReadableStream), size };
  }

  /** Streams once; a stream cannot be replayed, so retries apply only up to the first byte sent. */
  async write(relPath: string, source: Readable): Promise<number> {
    let bytes = 0;
    let used = false;
    const counted = async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        bytes += chunk.length;
        yield chunk;
      }
    };
    await this.http.send({
      method: 'PUT',
      path: `${PROXY}/${encodePath(this.full(relPath))}`,
      headers: { 'content-type': 'application/octet-stream' },
      body: () => {
        if (used)
          throw new CairnError(
            'TEMPORARILY_UNAVAILABLE',
            `Uploading '${relPath}' failed and its stream cannot be replayed; retry the upload`,
          );
        used = true;
        return Readable.toWeb(Readable.from(counted(source))) as unknown as ReadableStream;
      },
    });
    return bytes;
  }

  /** Uploads a local file, streamed from disk; each retry re-opens the file. */
  async writeFile(relPath: string, localFile: string): Promise<number> {
    const { size } = await stat(localFile);
    await this.http.send({
      method: 'PUT',
      path: `${PROXY}/${encodePath(this.full(relPath))}`,
      headers: { 'content-type': 'application/octet-stream' },
      body: () => Readable.toWeb(createReadStream(localFile)) as unknown as ReadableStream,
    });
    return size;
  }

  /** Uploads bytes held in memory (retriable). */
  async writeBytes(relPath: string, data: Uint8Array): Promise<number> {
    await this.http.send({
      method: 'PUT',
      path: `${PROXY}/${encodePath(this.full(relPath))}`,
      headers: { 'content-type': 'application/octet-stream' },
      body: () => data as unknown as BodyInit,
    });
    return data.length;
  }

  async delete(relPath: string): Promise<void> {
    await this.http.send({ method: 'DELETE', path: `${PROXY}/${encodePath(this.full(relPath))}` });
  }

  async exists(relPath: string): Promise<boolean> {
    const rel = normalizeArtifactPath(relPath);
    const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
    return (await this.list(parent)).some((f) => f.path === rel);
  }
}
