// The SQLite driver keeps concurrent async transactions apart on its single connection, and the
// PostgreSQL driver's placeholder rewrite.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toNumberedPlaceholders } from './postgres-database.js';
import { sleep } from './retry.js';
import { openSqliteDatabase } from './sqlite-database.js';

const dir = mkdtempSync(join(tmpdir(), 'cairn-sqlite-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SqliteDatabase', () => {
  it('uses WAL with foreign keys on', async () => {
    const db = await openSqliteDatabase(join(dir, 'pragmas.db'));
    expect(await db.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(await db.get('PRAGMA foreign_keys')).toEqual({ foreign_keys: 1 });
    await db.close();
  });

  it("never lets a second caller write inside another caller's open transaction", async () => {
    const db = await openSqliteDatabase(join(dir, 'mutex.db'));
    await db.exec('CREATE TABLE t (v TEXT)');
    const failing = db.transaction(async (tx) => {
      await tx.run('INSERT INTO t (v) VALUES (?)', ['a']);
      await sleep(30); // other callers get the event loop here
      throw new Error('boom');
    });
    const committing = db.transaction(async (tx) => {
      await tx.run('INSERT INTO t (v) VALUES (?)', ['b']);
    });
    const plain = db.run('INSERT INTO t (v) VALUES (?)', ['c']);
    await expect(failing).rejects.toThrow('boom');
    await committing;
    await plain;
    const rows = await db.all<{ v: string }>('SELECT v FROM t ORDER BY v');
    expect(rows.map((r) => r.v)).toEqual(['b', 'c']);
    await db.close();
  });

  it('reads rows as value arrays in select order', async () => {
    const db = await openSqliteDatabase(join(dir, 'values.db'));
    await db.exec('CREATE TABLE t (k TEXT, v REAL)');
    await db.run('INSERT INTO t (k, v) VALUES (?, ?), (?, ?)', ['b', 2.5, 'a', 1]);
    expect(await db.allValues('SELECT v, k FROM t ORDER BY k')).toEqual([
      [1, 'a'],
      [2.5, 'b'],
    ]);
    expect(await db.all('SELECT v, k FROM t ORDER BY k')).toEqual([
      { v: 1, k: 'a' },
      { v: 2.5, k: 'b' },
    ]);
    await db.close();
  });

  it('hands WAL checkpoints to a background thread once the store is busy, and closes cleanly', async () => {
    const file = join(dir, 'checkpoint.db');
    const db = await openSqliteDatabase(file);
    await db.exec('CREATE TABLE t (v INTEGER)');
    expect(await db.get('PRAGMA wal_autocheckpoint')).toEqual({ wal_autocheckpoint: 1000 });
    for (let i = 0; i < 150; i++)
      await db.transaction(async (tx) => {
        await tx.run('INSERT INTO t (v) VALUES (?)', [i]);
      });
    for (
      let i = 0;
      i < 100 && (await db.get<{ wal_autocheckpoint: number }>('PRAGMA wal_autocheckpoint'))?.wal_autocheckpoint !== 0;
      i++
    )
      await sleep(20);
    expect(await db.get('PRAGMA wal_autocheckpoint')).toEqual({ wal_autocheckpoint: 0 });
    expect(await db.get('SELECT count(*) AS n FROM t')).toEqual({ n: 150 });
    await db.close();
    expect(existsSync(`${file}-wal`)).toBe(false); // the last connection checkpointed and removed it
  });
});

describe('toNumberedPlaceholders', () => {
  it('numbers ? placeholders in order', () => {
    expect(toNumberedPlaceholders('SELECT * FROM t WHERE a = ? AND b IN (?, ?)')).toBe(
      'SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)',
    );
  });
});
