import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidParameter, NotFound } from '../core/errors.js';
import { LocalArtifactRepository } from './local-artifact-repository.js';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('LocalArtifactRepository', () => {
  let base: string;
  let repo: LocalArtifactRepository;
  beforeEach(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'cairn-local-repo-'));
    repo = await LocalArtifactRepository.open(path.join(base, 'root'));
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('writes, lists, reads and deletes files and directories', async () => {
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
    const { stream, size } = await repo.openRead('model/data/weights.bin');
    expect(size).toBe(1000);
    expect((await readAll(stream)).equals(Buffer.alloc(1000, 7))).toBe(true);
    expect(await repo.exists('model/MLmodel')).toBe(true);
    await repo.delete('model');
    expect(await repo.exists('model/MLmodel')).toBe(false);
    expect(await repo.list()).toEqual([{ path: 'metrics.json', isDir: false, fileSize: 2 }]);
    await repo.delete('never-existed'); // as MLflow: not an error
  });

  it('lists nothing for a missing directory or a file', async () => {
    await repo.write('a.txt', Readable.from([Buffer.from('x')]));
    expect(await repo.list('missing/dir')).toEqual([]);
    expect(await repo.list('a.txt')).toEqual([]);
  });

  it('overwrites atomically and leaves no temp file when the source fails', async () => {
    await repo.write('f.txt', Readable.from([Buffer.from('first')]));
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(repo.write('f.txt', failing)).rejects.toThrow('client went away');
    expect(await readFile(path.join(repo.root, 'f.txt'), 'utf8')).toBe('first');
    expect(await readdir(repo.root)).toEqual(['f.txt']);
  });

  it('streams a multi-megabyte file intact', async () => {
    const chunk = Buffer.alloc(1 << 20);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
    const expected = createHash('sha256');
    const chunks = Array.from({ length: 8 }, () => {
      expected.update(chunk);
      return chunk;
    });
    expect(await repo.write('big/blob.bin', Readable.from(chunks))).toBe(8 << 20);
    const got = createHash('sha256').update(await readAll((await repo.openRead('big/blob.bin')).stream));
    expect(got.digest('hex')).toBe(expected.digest('hex'));
  });

  it('refuses traversal, directories as files, the root, and symlinks out of the root', async () => {
    await writeFile(path.join(base, 'secret.txt'), 'secret');
    await symlink(base, path.join(repo.root, 'link'));
    await expect(repo.openRead('../secret.txt')).rejects.toThrow(InvalidParameter);
    await expect(repo.openRead('link/secret.txt')).rejects.toThrow(InvalidParameter);
    await expect(repo.write('link/evil.txt', Readable.from([Buffer.from('x')]))).rejects.toThrow(InvalidParameter);
    await expect(repo.list('link')).rejects.toThrow(InvalidParameter);
    await expect(repo.delete('')).rejects.toThrow(InvalidParameter);
    await expect(repo.openRead('missing.txt')).rejects.toThrow(NotFound);
    await repo.write('d/f.txt', Readable.from([Buffer.from('x')]));
    await expect(repo.openRead('d')).rejects.toThrow(InvalidParameter);
    // the symlink pointing outside is not listed as a readable entry
    expect((await repo.list()).map((f) => f.path)).toEqual(['d']);
  });

  it('treats a file where a directory is expected as a client error, never an internal one', async () => {
    await repo.write('f.txt', Readable.from([Buffer.from('x')]));
    await expect(repo.write('f.txt/child.txt', Readable.from([Buffer.from('y')]))).rejects.toThrow(InvalidParameter);
    await expect(repo.openRead('f.txt/child.txt')).rejects.toThrow(NotFound);
    expect(await repo.list('f.txt/child')).toEqual([]);
    expect(await repo.exists('f.txt/child.txt')).toBe(false);
    await repo.delete('f.txt/child.txt');
    await repo.write('dir/inner.txt', Readable.from([Buffer.from('z')]));
    await expect(repo.write('dir', Readable.from([Buffer.from('w')]))).rejects.toThrow(
      /'dir': the path is a directory/,
    );
    expect(await repo.list('dir')).toEqual([{ path: 'dir/inner.txt', isDir: false, fileSize: 1 }]);
  });

  it('refuses names over 255 bytes and paths over the OS limit with the limit named, for every operation', async () => {
    const longName = 'é'.repeat(128); // 256 bytes in UTF-8, 128 characters
    const deep = Array.from({ length: 400 }, () => 'abcdefghij').join('/');
    const cases: Array<[string, RegExp]> = [
      [`a/${longName}/f.txt`, /is 256 bytes long; each name in an artifact path may be at most 255 bytes/],
      [deep, /Artifact path is too long: \d+ bytes once joined to the artifact root; the limit is 4095 bytes/],
    ];
    for (const [rel, message] of cases) {
      await expect(repo.write(rel, Readable.from([Buffer.from('x')]))).rejects.toThrow(message);
      await expect(repo.openRead(rel)).rejects.toThrow(message);
      await expect(repo.list(rel)).rejects.toThrow(message);
      await expect(repo.exists(rel)).rejects.toThrow(message);
      await expect(repo.delete(rel)).rejects.toThrow(message);
    }
    expect(await repo.write(`${'n'.repeat(255)}`, Readable.from([Buffer.from('x')]))).toBe(1);
    expect(await readdir(repo.root)).toEqual(['n'.repeat(255)]);
  });
});
