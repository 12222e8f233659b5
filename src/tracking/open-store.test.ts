// openTrackingStore: URI parsing, unsupported schemes, SQLite directories and in-memory stores.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidParameter } from '../core/errors.js';
import { openTrackingStore, parseTrackingStoreUri } from './open-store.js';

const dir = mkdtempSync(join(tmpdir(), 'cairn-open-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseTrackingStoreUri', () => {
  it('reads relative and absolute SQLite paths, memory, and PostgreSQL URIs', () => {
    expect(parseTrackingStoreUri('sqlite:///data/cairn.db')).toEqual({
      kind: 'sqlite',
      filename: resolve('data/cairn.db'),
    });
    expect(parseTrackingStoreUri('sqlite:////abs/path.db')).toEqual({ kind: 'sqlite', filename: '/abs/path.db' });
    expect(parseTrackingStoreUri('sqlite://:memory:')).toEqual({ kind: 'sqlite', filename: ':memory:' });
    expect(parseTrackingStoreUri('postgresql://u:p@h:5432/db')).toEqual({
      kind: 'postgres',
      connectionString: 'postgresql://u:p@h:5432/db',
    });
    expect(parseTrackingStoreUri('postgres://u@h/db')).toEqual({
      kind: 'postgres',
      connectionString: 'postgresql://u@h/db',
    });
    expect(parseTrackingStoreUri('postgresql+psycopg2://u@h/db')).toEqual({
      kind: 'postgres',
      connectionString: 'postgresql://u@h/db',
    });
  });
  it('rejects unknown schemes naming the supported forms, without echoing passwords', () => {
    for (const uri of ['mysql://root:secret@h/db', 'file:./mlruns', '', 'sqlite:///']) {
      let error: unknown;
      try {
        parseTrackingStoreUri(uri);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidParameter);
      expect((error as Error).message).toContain('sqlite:///');
      expect((error as Error).message).not.toContain('secret');
    }
  });
});

describe('openTrackingStore', () => {
  it('creates parent directories for SQLite and initialises the store', async () => {
    const file = join(dir, 'nested', 'deeper', 'cairn.db');
    const store = await openTrackingStore(`sqlite:///${file}`, { defaultArtifactRoot: '/art' });
    expect(existsSync(file)).toBe(true);
    expect((await store.getExperiment('0')).artifactLocation).toBe('/art/0');
    await store.close();
  });
  it('opens an in-memory store', async () => {
    const store = await openTrackingStore('sqlite://:memory:', { defaultArtifactRoot: '/m' });
    const id = await store.createExperiment('mem');
    expect((await store.getExperiment(id)).name).toBe('mem');
    await store.close();
  });
});
