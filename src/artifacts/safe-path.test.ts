import { mkdtemp, mkdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidParameter } from '../core/errors.js';
import { normalizeArtifactPath, resolveInsideRoot } from './safe-path.js';

describe('normalizeArtifactPath', () => {
  it('keeps ordinary relative paths and drops empty and "." segments', () => {
    expect(normalizeArtifactPath('model/MLmodel')).toBe('model/MLmodel');
    expect(normalizeArtifactPath('./a//b/./c')).toBe('a/b/c');
    expect(normalizeArtifactPath('')).toBe('');
    expect(normalizeArtifactPath(undefined)).toBe('');
    expect(normalizeArtifactPath('dir/')).toBe('dir');
  });

  it('keeps a literal percent sign that is not an escape', () => {
    expect(normalizeArtifactPath('100%.txt')).toBe('100%.txt');
  });

  it.each([
    '..',
    '../etc/passwd',
    'a/../../b',
    'a/..',
    '/etc/passwd',
    '%2e%2e/secret',
    '%252e%252e/secret',
    '..%2fsecret',
    'a\\..\\b',
    'a\0b',
    'C:/Windows',
    'c:secret',
    'file:///etc/passwd',
    'x#frag',
    '%2Fetc%2Fpasswd',
  ])('rejects %j', (raw) => {
    expect(() => normalizeArtifactPath(raw)).toThrow(InvalidParameter);
  });
});

describe('resolveInsideRoot', () => {
  let root: string;
  let outside: string;
  beforeAll(async () => {
    const base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'cairn-safe-path-')));
    root = path.join(base, 'root');
    outside = path.join(base, 'outside');
    await mkdir(path.join(root, 'inner'), { recursive: true });
    await mkdir(outside);
    await writeFile(path.join(outside, 'secret.txt'), 'secret');
    await symlink(outside, path.join(root, 'escape'));
    await symlink(path.join(root, 'inner'), path.join(root, 'alias'));
  });
  afterAll(async () => {
    await rm(path.dirname(root), { recursive: true, force: true });
  });

  it('resolves existing and not-yet-existing paths inside the root', async () => {
    expect(await resolveInsideRoot(root, 'inner')).toBe(path.join(root, 'inner'));
    expect(await resolveInsideRoot(root, 'inner/new/file.txt')).toBe(path.join(root, 'inner/new/file.txt'));
    expect(await resolveInsideRoot(root, '')).toBe(root);
  });

  it('follows symlinks that stay inside the root', async () => {
    expect(await resolveInsideRoot(root, 'alias')).toBe(path.join(root, 'inner'));
  });

  it('refuses symlinks that lead outside, for reads and for writes below them', async () => {
    await expect(resolveInsideRoot(root, 'escape/secret.txt')).rejects.toThrow(InvalidParameter);
    await expect(resolveInsideRoot(root, 'escape')).rejects.toThrow(InvalidParameter);
    await expect(resolveInsideRoot(root, 'escape/new/dir/file')).rejects.toThrow(InvalidParameter);
  });
});
