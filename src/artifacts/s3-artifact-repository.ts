// ArtifactRepository over S3-compatible object storage: every artifact is one object under the
// repository's key prefix; directories are the '/'-delimited common prefixes of the keys.
import { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { InvalidParameter, NotFound } from '../core/errors.js';
import type { ArtifactReadStream, ArtifactRepository, FileInfo } from './artifact-repository.js';
import { guessMimeType } from './mime-type.js';
import { normalizeArtifactPath } from './safe-path.js';
import { parseS3Uri, s3SettingsFromEnv, type S3Settings } from './s3-config.js';

/** S3's longest object key, in UTF-8 bytes. */
export const MAX_S3_KEY_BYTES = 1024;
/** Parts of a multipart upload; at most PART_SIZE × QUEUE_SIZE bytes of an upload are held in memory. */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 4;
/** DeleteObjects takes at most this many keys per request. */
const DELETE_BATCH = 1000;

function isMissingKey(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

const byPath = (a: FileInfo, b: FileInfo) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

export class S3ArtifactRepository implements ArtifactRepository {
  private readonly client: S3Client;

  private constructor(
    readonly bucket: string,
    /** Without leading or trailing slashes; '' is the bucket's root. */
    readonly prefix: string,
    private readonly settings: S3Settings,
  ) {
    this.client = settings.client;
  }

  /** `uri` is `s3://bucket/prefix`; the client comes from MLFLOW_S3_* and AWS_* in `env` (see s3-config.ts). */
  static open(uri: string, env: NodeJS.ProcessEnv = process.env): S3ArtifactRepository {
    const { bucket, prefix } = parseS3Uri(uri);
    return new S3ArtifactRepository(bucket, prefix, s3SettingsFromEnv(env));
  }

  get uri(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  /** The object key of a client-supplied path, refused (as the local repository) when it would leave the prefix. */
  private key(relPath: string | undefined): { rel: string; key: string } {
    const rel = normalizeArtifactPath(relPath);
    const key = [this.prefix, rel].filter((p) => p !== '').join('/');
    const bytes = Buffer.byteLength(key);
    if (bytes > MAX_S3_KEY_BYTES) {
      throw new InvalidParameter(
        `Artifact path is too long: ${bytes} bytes once joined to the key prefix; S3 keys may be at most ` +
          `${MAX_S3_KEY_BYTES} bytes (shorten or flatten the path).`,
      );
    }
    return { rel, key };
  }

  /** The listing prefix of a directory: its key and a slash, or '' for the bucket's root. */
  private dirPrefix(key: string): string {
    return key === '' ? '' : `${key}/`;
  }

  private owner(): { ExpectedBucketOwner?: string } {
    return this.settings.expectedBucketOwner ? { ExpectedBucketOwner: this.settings.expectedBucketOwner } : {};
  }

  private async *pages(prefix: string, delimiter: boolean): AsyncGenerator<ListObjectsV2CommandOutput> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          Delimiter: delimiter ? '/' : undefined,
          ContinuationToken: token,
          ...this.owner(),
        }),
      );
      yield page;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  private async hasChildren(key: string): Promise<boolean> {
    // ListObjects (v1): a one-key v2 page is truncated, and some S3-compatible servers fail to mint its
    // continuation token (s3rver on OpenSSL 3); v1 pages carry no token
    const page = await this.client.send(
      new ListObjectsCommand({ Bucket: this.bucket, Prefix: this.dirPrefix(key), MaxKeys: 1, ...this.owner() }),
    );
    return (page.Contents?.length ?? 0) > 0;
  }

  async list(relPath?: string): Promise<FileInfo[]> {
    const { rel, key } = this.key(relPath);
    const prefix = this.dirPrefix(key);
    const infos: FileInfo[] = [];
    const childPath = (name: string) => (rel ? `${rel}/${name}` : name);
    for await (const page of this.pages(prefix, true)) {
      for (const dir of page.CommonPrefixes ?? []) {
        const name = (dir.Prefix ?? '').slice(prefix.length).replace(/\/$/, '');
        if (name !== '') infos.push({ path: childPath(name), isDir: true });
      }
      for (const object of page.Contents ?? []) {
        const name = (object.Key ?? '').slice(prefix.length);
        // '' is a directory marker object ("dir/") some tools create; it is not a file
        if (name !== '') infos.push({ path: childPath(name), isDir: false, fileSize: Number(object.Size ?? 0) });
      }
    }
    return infos.sort(byPath);
  }

  async openRead(relPath: string): Promise<ArtifactReadStream> {
    const { rel, key } = this.key(relPath);
    if (rel === '') throw new InvalidParameter(`Artifact path '${relPath}' is a directory; list it instead`);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, ...this.owner() }));
      // the SDK's Node body is the response stream itself: read as the caller reads, never buffered whole
      return { stream: res.Body as Readable, size: Number(res.ContentLength ?? 0) };
    } catch (err) {
      if (!isMissingKey(err)) throw err;
    }
    if (await this.hasChildren(key)) {
      throw new InvalidParameter(`Artifact path '${relPath}' is a directory; list it instead`);
    }
    throw new NotFound(`Artifact '${relPath}' does not exist`);
  }

  async write(relPath: string, source: Readable): Promise<number> {
    const { rel, key } = this.key(relPath);
    if (rel === '') throw new InvalidParameter('Artifact path must name a file');
    // an object beside a "directory" of the same name would list twice: refused as the local repository does
    if (await this.hasChildren(key)) {
      throw new InvalidParameter(
        `Cannot write '${relPath}': the path is a directory of artifacts; name a file inside it`,
      );
    }
    let bytes = 0;
    const counted = async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        bytes += chunk.length;
        yield chunk;
      }
    };
    // one PUT below PART_SIZE, a multipart upload above; the object appears only once complete
    const upload = new Upload({
      client: this.client,
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      params: {
        ContentType: guessMimeType(rel.split('/').pop() ?? rel),
        ...this.settings.uploadExtraArgs,
        ...this.owner(),
        Bucket: this.bucket,
        Key: key,
        Body: Readable.from(counted(source)),
      },
    });
    await upload.done();
    return bytes;
  }

  async delete(relPath: string): Promise<void> {
    const { rel, key } = this.key(relPath);
    if (rel === '') throw new InvalidParameter('Refusing to delete the artifact root');
    const keys = [key];
    for await (const page of this.pages(this.dirPrefix(key), false)) {
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    }
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH).map((Key) => ({ Key }));
      // deleting a key that is not there succeeds, as MLflow's delete of a missing path
      const res = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch, Quiet: true }, ...this.owner() }),
      );
      const failed = res.Errors?.[0];
      if (failed)
        throw new Error(`Deleting s3://${this.bucket}/${failed.Key} failed: ${failed.Code} ${failed.Message}`);
    }
  }

  async exists(relPath: string): Promise<boolean> {
    const { rel, key } = this.key(relPath);
    if (rel === '') return true;
    // directories first: some S3-compatible servers (s3rver) answer HEAD of a "directory" key with a 500
    if (await this.hasChildren(key)) return true;
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key, ...this.owner() }));
      return true;
    } catch (err) {
      if (!isMissingKey(err)) throw err;
    }
    return false;
  }
}
