import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CreatedPaths, startupErrorMessage } from './server-startup.js';
import type { ServerConfig } from './server-options.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-startup-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('CreatedPaths', () => {
  it('undoes only what it created: an existing parent, file or link stays', () => {
    const existing = path.join(tmp, 'existing');
    mkdirSync(existing);
    writeFileSync(path.join(existing, 'old.db'), 'keep');
    symlinkSync(path.join(tmp, 'nowhere.db'), path.join(existing, 'link.db'));
    const created = new CreatedPaths();
    created.mkdir(path.join(existing, 'new', 'deeper'), '--artifacts-destination');
    created.willCreate(path.join(existing, 'old.db'));
    created.willCreate(path.join(existing, 'link.db'));
    created.willCreate(path.join(existing, 'fresh.db'));
    for (const f of ['fresh.db', 'fresh.db-wal']) writeFileSync(path.join(existing, f), '');
    created.undo();
    expect(existsSync(path.join(existing, 'new'))).toBe(false);
    expect(existsSync(path.join(existing, 'fresh.db'))).toBe(false);
    expect(existsSync(path.join(existing, 'fresh.db-wal'))).toBe(false);
    expect(existsSync(path.join(existing, 'old.db'))).toBe(true);
    expect(lstatSync(path.join(existing, 'link.db')).isSymbolicLink()).toBe(true);
  });
});

describe('startupErrorMessage', () => {
  const config = { host: '127.0.0.1', port: 5000, backendStoreUri: 'sqlite:////srv/cairn/cairn.db' } as ServerConfig;

  it('names the port, host or file a start-up failed on', () => {
    const err = (code: string, extra: object = {}) => Object.assign(new Error(code), { code, ...extra });
    expect(startupErrorMessage(err('EADDRINUSE', { port: 5000 }), config)).toContain(
      '127.0.0.1:5000: port 5000 is already in use (--port)',
    );
    expect(startupErrorMessage(err('EADDRNOTAVAIL'), config)).toContain('--host 127.0.0.1 is not an address of this');
    expect(startupErrorMessage(err('EACCES', { syscall: 'listen' }), config)).toContain('not permitted (--port 5000');
    const cantOpen = Object.assign(new Error('unable to open database file'), { code: 'SQLITE_CANTOPEN' });
    expect(startupErrorMessage(cantOpen, config)).toBe(
      'cannot open the SQLite database file /srv/cairn/cairn.db (--backend-store-uri): ' +
        'unable to open database file; /srv/cairn must be a writable directory ' +
        'and /srv/cairn/cairn.db a database file.',
    );
    expect(startupErrorMessage(new Error('something else'), config)).toBe('something else');
  });
});
