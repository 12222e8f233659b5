// S3ArtifactRepository against a real S3-compatible server on loopback: s3rver (an npm package that
// implements S3's REST API in Node, started in this process on 127.0.0.1 with a temp directory).
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type S3TestServer } from '../../test/support/s3-server.js';
import { CairnError, InvalidParameter, NotFound } from '../core/errors.js';
import { openArtifactRepository } from './open-artifact-repository.js';
import { S3ArtifactRepository } from './s3-artifact-repository.js';
import { parseS3Uri, s3SettingsFromEnv } from './s3-config.js';

const BUCKET = 'cairn-artifacts';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** `total` bytes from a seeded xorshift generator, in 1 MiB chunks, never all in memory at once. */
function seededBytes(total: number, seed: number): Readable {
  let state = seed >>> 0 || 1;
  let left = total;
  return Readable.from(
    (function* () {
      while (left > 0) {
        const n = Math.min(left, 1024 * 1024);
        const chunk = Buffer.allocUnsafe(n);
        for (let i = 0; i < n; i++) {
          state ^= state << 13;
          state ^= state >>> 17;
          state ^= state << 5;
          chunk[i] = state & 0xff;
        }
        left -= n;
        yield chunk;
      }
    })(),
  );
}

async function sha256(stream: Readable): Promise<{ hex: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const c of stream) {
    hash.update(c as Buffer);
    bytes += (c as Buffer).length;
  }
  return { hex: hash.digest('hex'), bytes };
}

describe('S3ArtifactRepository (against s3rver on loopback)', () => {
  let s3: S3TestServer;
  let env: NodeJS.ProcessEnv;
  let repo: S3ArtifactRepository;

  beforeAll(async () => {
    s3 = await startS3Server([BUCKET]);
    env = { ...s3.env };
    repo = S3ArtifactRepository.open(`s3://${BUCKET}/team/exp`, env);
  });
  afterAll(async () => {
    await s3?.close();
  });

  async function bucketKeys(): Promise<string[]> {
    const res = await s3SettingsFromEnv(env).client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    return (res.Contents ?? []).map((o) => o.Key as string).sort();
  }

  it('writes, lists with sizes, reads and deletes files and directories under its prefix', async () => {
    expect(await repo.write('model/MLmodel', Readable.from([Buffer.from('flavors: {}\n')]))).toBe(12);
    await repo.write('model/data/weights.bin', Readable.from([Buffer.alloc(1000, 7)]));
    await repo.write('metrics.json', Readable.from([Buffer.from('{}')]));
    expect(await repo.list()).toEqual([
      { path: 'metrics.json', isDir: false, fileSize: 2 },
      { path: 'model', isDir: true },
    ]);
    expect(await repo.list('model')).toEqual([
      { path: 'model/MLmodel', isDir: false, fileSize: 12 },
      { path: 'model/data', isDir: true },
    ]);
    expect(await bucketKeys()).toEqual([
      'team/exp/metrics.json',
      'team/exp/model/MLmodel',
      'team/exp/model/data/weights.bin',
    ]);
    const { stream, size } = await repo.openRead('model/data/weights.bin');
    expect(size).toBe(1000);
    expect(await readAll(stream)).toEqual(Buffer.alloc(1000, 7));
    expect(await repo.exists('model')).toBe(true);
    expect(await repo.exists('model/MLmodel')).toBe(true);
    expect(await repo.exists('nothing')).toBe(false);
    // a file lists as nothing, as a missing directory does
    expect(await repo.list('metrics.json')).toEqual([]);
    expect(await repo.list('missing')).toEqual([]);

    await repo.delete('model');
    expect(await repo.list()).toEqual([{ path: 'metrics.json', isDir: false, fileSize: 2 }]);
    await repo.delete('model'); // missing: not an error
    await repo.delete('metrics.json');
    expect(await repo.list()).toEqual([]);
  });

  it('keeps a sibling prefix that shares the first characters out of its listings', async () => {
    const sibling = S3ArtifactRepository.open(`s3://${BUCKET}/team/exp-2`, env);
    await sibling.write('other.txt', Readable.from([Buffer.from('x')]));
    await repo.write('mine.txt', Readable.from([Buffer.from('y')]));
    expect(await repo.list()).toEqual([{ path: 'mine.txt', isDir: false, fileSize: 1 }]);
    await repo.delete('mine.txt');
    await sibling.delete('other.txt');
  });

  it('refuses paths that would leave the prefix, with INVALID_PARAMETER_VALUE, and writes nothing', async () => {
    const before = await bucketKeys();
    for (const bad of [
      '../escape.txt',
      'a/../../escape.txt',
      '/etc/passwd',
      '%2e%2e/escape.txt',
      '%252e%252e/x',
      'a\\b',
    ]) {
      const err = await repo.write(bad, Readable.from([Buffer.from('no')])).catch((e: unknown) => e);
      expect(err, bad).toBeInstanceOf(InvalidParameter);
      expect((err as CairnError).errorCode).toBe('INVALID_PARAMETER_VALUE');
      await expect(repo.openRead(bad)).rejects.toBeInstanceOf(InvalidParameter);
      await expect(repo.list(bad)).rejects.toBeInstanceOf(InvalidParameter);
      await expect(repo.delete(bad)).rejects.toBeInstanceOf(InvalidParameter);
    }
    expect(await bucketKeys()).toEqual(before);
  });

  it('tells a missing file (NotFound) from a directory (InvalidParameter) and refuses writing over a directory', async () => {
    await repo.write('plots/roc.png', Readable.from([Buffer.from('png')]));
    await expect(repo.openRead('plots/missing.png')).rejects.toBeInstanceOf(NotFound);
    await expect(repo.openRead('plots')).rejects.toBeInstanceOf(InvalidParameter);
    await expect(repo.write('plots', Readable.from([Buffer.from('x')]))).rejects.toThrow(/is a directory/);
    await expect(repo.delete('')).rejects.toThrow(/artifact root/);
    await repo.delete('plots');
  });

  it('lists a directory that holds only subdirectories', async () => {
    await repo.write('reports/daily/2026-12-07.csv', Readable.from([Buffer.from('a,b\n')]));
    expect(await repo.list()).toEqual([{ path: 'reports', isDir: true }]);
    expect(await repo.list('reports')).toEqual([{ path: 'reports/daily', isDir: true }]);
    expect(await repo.exists('reports')).toBe(true);
    await repo.delete('reports');
    expect(await repo.list()).toEqual([]);
  });

  it('stores an empty file', async () => {
    expect(await repo.write('empty.txt', Readable.from([]))).toBe(0);
    expect(await repo.list()).toEqual([{ path: 'empty.txt', isDir: false, fileSize: 0 }]);
    expect((await readAll((await repo.openRead('empty.txt')).stream)).length).toBe(0);
    await repo.delete('empty.txt');
  });

  it('streams a 100 MB file up in parts and back down with the same SHA-256', async () => {
    const total = 100 * 1024 * 1024;
    const expected = await sha256(seededBytes(total, 42));
    expect(await repo.write('big/blob.bin', seededBytes(total, 42))).toBe(total);
    expect(await repo.list('big')).toEqual([{ path: 'big/blob.bin', isDir: false, fileSize: total }]);
    const { stream, size } = await repo.openRead('big/blob.bin');
    expect(size).toBe(total);
    expect(await sha256(stream)).toEqual(expected);
    await repo.delete('big');
  }, 300_000);

  it('sends MLFLOW_S3_UPLOAD_EXTRA_ARGS and a guessed content type with every upload', async () => {
    const extraEnv = { ...env, MLFLOW_S3_UPLOAD_EXTRA_ARGS: '{"Metadata": {"team": "cardiology"}}' };
    const extra = S3ArtifactRepository.open(`s3://${BUCKET}/extra`, extraEnv);
    await extra.write('roc.png', Readable.from([Buffer.from('png')]));
    const head = await s3SettingsFromEnv(extraEnv).client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'extra/roc.png' }),
    );
    expect(head.Metadata).toEqual({ team: 'cardiology' });
    expect(head.ContentType).toBe('image/png');
    await extra.delete('roc.png');
  });

  it('is what openArtifactRepository gives for an s3:// location, at the bucket root too', async () => {
    const root = await openArtifactRepository(`s3://${BUCKET}`, env);
    await root.write('at-root.txt', Readable.from([Buffer.from('r')]));
    expect(await bucketKeys()).toContain('at-root.txt');
    expect((await root.list()).map((f) => f.path)).toContain('at-root.txt');
    await root.delete('at-root.txt');
  });
});

describe('S3 locations and settings', () => {
  it('parses s3://bucket/prefix and refuses bad bucket names and dot segments, naming the field', () => {
    expect(parseS3Uri('s3://my-bucket/a/b/')).toEqual({ bucket: 'my-bucket', prefix: 'a/b' });
    expect(parseS3Uri('s3://my-bucket')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(() => parseS3Uri('s3://ab/x', '--artifacts-destination')).toThrow(/--artifacts-destination.*3-63/);
    expect(() => parseS3Uri('s3://My_Bucket/x')).toThrow(/bucket name/);
    expect(() => parseS3Uri('s3://bucket/a/../b')).toThrow(/'\.\.'/);
    expect(() => parseS3Uri('s3:/bucket')).toThrow(/s3:\/\/bucket\/prefix/);
  });

  it('addresses a custom endpoint by path unless told otherwise, as MLflow with MinIO', async () => {
    const base = { MLFLOW_S3_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_REGION: 'eu-west-1' };
    expect(s3SettingsFromEnv(base).client.config.forcePathStyle).toBe(true);
    const virtual = { ...base, MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE: 'virtual' };
    expect(s3SettingsFromEnv(virtual).client.config.forcePathStyle).toBe(false);
    expect(s3SettingsFromEnv({ AWS_REGION: 'eu-west-1' }).client.config.forcePathStyle).toBe(false);
    const region: unknown = s3SettingsFromEnv({ AWS_DEFAULT_REGION: 'eu-central-1' }).client.config.region();
    expect(await Promise.resolve(region)).toBe('eu-central-1');
    expect(() => s3SettingsFromEnv({ MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE: 'sideways' })).toThrow(
      /MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE must be auto, path or virtual/,
    );
    expect(() => s3SettingsFromEnv({ MLFLOW_S3_UPLOAD_EXTRA_ARGS: '[1]' })).toThrow(/must be a JSON object/);
    expect(() => s3SettingsFromEnv({ MLFLOW_S3_ENDPOINT_URL: 'minio:9000' })).toThrow(/http\(s\):\/\/ URL/);
  });
});
