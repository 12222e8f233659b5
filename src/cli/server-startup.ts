// What `cairn server` creates before it listens (its data directories, a new SQLite file), undone
// when start-up fails so a failed start leaves nothing behind; and start-up errors told with the
// flag and the port or path they concern.
import { isS3Uri } from '../artifacts/s3-config.js';
import { accessSync, constants, lstatSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { redact } from './run-server.js';
import { sqliteFilePath, type ServerConfig } from './server-options.js';

/** Files SQLite keeps beside a database. */
const SQLITE_SIDE_FILES = ['-wal', '-shm', '-journal'];

/** An error whose message is already meant for the user. */
export class StartupError extends Error {}

function reasonOf(err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a directory';
    case 'EEXIST':
      return 'a file of that name is in the way';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return (err as Error).message;
  }
}

/** Paths a start-up created, removed again by `undo` (only those: nothing that was there before). */
export class CreatedPaths {
  private readonly dirs: string[] = [];
  private readonly files: string[] = [];

  /** Creates `dir` (and missing parents) for `flag`, and checks it can be written. */
  mkdir(dir: string, flag: string): void {
    let first: string | undefined;
    try {
      first = mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new StartupError(`cannot create the ${flag} directory ${dir}: ${reasonOf(err)}.`);
    }
    if (first !== undefined) this.dirs.push(first);
    try {
      accessSync(dir, constants.W_OK);
    } catch (err) {
      throw new StartupError(`the ${flag} directory ${dir} is not writable: ${reasonOf(err)}.`);
    }
  }

  /** Remembers a file that start-up is about to create (when it is not there yet). */
  willCreate(file: string): void {
    // lstat: a link (even a dangling one) is the user's, never removed
    if (!lstatSync(file, { throwIfNoEntry: false })) this.files.push(file);
  }

  undo(): void {
    for (const file of this.files) {
      for (const suffix of ['', ...SQLITE_SIDE_FILES]) rmSync(file + suffix, { force: true });
    }
    for (const dir of [...this.dirs].reverse()) rmSync(dir, { recursive: true, force: true });
    this.dirs.length = 0;
    this.files.length = 0;
  }
}

/** Creates the directories the server writes to (the SQLite file's and the artifacts'), recording what it created. */
export function prepareServerPaths(config: ServerConfig): CreatedPaths {
  const created = new CreatedPaths();
  try {
    const dbFile = sqliteFilePath(config.backendStoreUri);
    if (dbFile) {
      created.mkdir(path.dirname(dbFile), '--backend-store-uri');
      created.willCreate(dbFile);
    }
    if (!isS3Uri(config.artifactsDestination)) created.mkdir(config.artifactsDestination, '--artifacts-destination');
  } catch (err) {
    created.undo();
    throw err;
  }
  return created;
}

function hostPort(config: ServerConfig, err: NodeJS.ErrnoException & { port?: number }): string {
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `${host}:${err.port ?? config.port}`;
}

/** The message a user sees when the server could not start: which port, path or flag, and why. */
export function startupErrorMessage(err: unknown, config: ServerConfig): string {
  if (err instanceof StartupError) return err.message;
  const e = err as NodeJS.ErrnoException & { port?: number };
  const port = e.port ?? config.port;
  switch (e.code) {
    case 'EADDRINUSE':
      return (
        `cannot listen on ${hostPort(config, e)}: port ${port} is already in use (--port); ` +
        'stop what listens there, or choose another --port (0 picks a free one).'
      );
    case 'EACCES':
      if (e.syscall === 'listen' || e.syscall === 'bind') {
        const why = `not permitted (--port ${port}; ports below 1024 need privileges)`;
        return `cannot listen on ${hostPort(config, e)}: ${why}.`;
      }
      break;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${hostPort(config, e)}: --host ${config.host} is not an address of this machine.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${hostPort(config, e)}: --host ${config.host} does not resolve to an address.`;
    default:
      break;
  }
  return sqliteOpenMessage(err, config.backendStoreUri) ?? (err as Error).message;
}

/** SQLite's "unable to open database file", told with the file and the flag; undefined for any other error. */
export function sqliteOpenMessage(err: unknown, backendStoreUri: string): string | undefined {
  if ((err as NodeJS.ErrnoException).code !== 'SQLITE_CANTOPEN') return undefined;
  const file = sqliteFilePath(backendStoreUri) ?? redact(backendStoreUri);
  return (
    `cannot open the SQLite database file ${file} (--backend-store-uri): ${(err as Error).message}; ` +
    `${path.dirname(file)} must be a writable directory and ${file} a database file.`
  );
}

/**
 * Fails fast, with one clear message, when the port is taken: cluster workers would each die on
 * it, and the primary could only report that they died.
 */
export async function checkPortFree(config: ServerConfig): Promise<void> {
  if (config.port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ host: config.host, port: config.port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
