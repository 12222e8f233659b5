// `cairn server` flags: parsing and validation into a ServerConfig, with errors naming the flag and rule.
import { InvalidArgumentError } from 'commander';
import path from 'node:path';
import { parseS3Uri } from '../artifacts/s3-config.js';
import type { StartServerOptions } from '../server/start.js';

export const DEFAULT_BACKEND_STORE_URI = 'sqlite:///cairn-data/cairn.db';
export const DEFAULT_ARTIFACTS_DESTINATION = './cairn-data/artifacts';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const MAX_WORKERS = 64;

/** What `startServer` takes (less the in-process logger), plus how many worker processes to fork. */
export interface ServerConfig extends Omit<StartServerOptions, 'logger' | 'logLevel'> {
  workers: number;
  logLevel: string;
}

export function isDatabaseUri(uri: string): boolean {
  return /^sqlite:\/\/\//.test(uri) || /^postgres(ql)?(\+[a-z0-9]+)?:\/\//i.test(uri);
}

/** The backend store when no flag is given: a database URI in CAIRN_/MLFLOW_TRACKING_URI, else the embedded default. */
export function defaultBackendStoreUri(env: NodeJS.ProcessEnv = process.env): string {
  for (const name of ['CAIRN_TRACKING_URI', 'MLFLOW_TRACKING_URI']) {
    const value = env[name];
    if (value && isDatabaseUri(value)) return value;
  }
  return DEFAULT_BACKEND_STORE_URI;
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError('--port must be an integer between 0 and 65535 (0 picks a free port).');
  }
  return n;
}

export function parseWorkers(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > MAX_WORKERS) {
    throw new InvalidArgumentError(`--workers must be an integer between 1 and ${MAX_WORKERS}.`);
  }
  return n;
}

export function parseRunCacheSize(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('--run-cache-size must be an integer >= 0 (0 turns the cache off).');
  }
  return n;
}

export function parseLogLevel(value: string): string {
  if (!LOG_LEVELS.includes(value))
    throw new InvalidArgumentError(`--log-level must be one of ${LOG_LEVELS.join(', ')}.`);
  return value;
}

export function parseBackendStoreUri(value: string): string {
  if (!isDatabaseUri(value)) {
    throw new InvalidArgumentError(
      '--backend-store-uri must be sqlite:///relative.db, sqlite:////absolute.db or postgresql://user:pass@host:port/db.',
    );
  }
  return value;
}

/** `--artifacts-destination`: a directory (made absolute) or `s3://bucket/prefix`. */
export function parseArtifactsDestination(value: string): string {
  if (/^s3:/i.test(value)) {
    checkS3Flag(value, '--artifacts-destination');
    return value;
  }
  if (/^[a-z][a-z0-9+.-]+:/i.test(value)) {
    throw new InvalidArgumentError('--artifacts-destination must be a directory or s3://bucket/prefix.');
  }
  return path.resolve(value);
}

/** `--default-artifact-root`: any URI MLflow takes; an s3:// one is checked here so a typo fails at start. */
export function parseDefaultArtifactRoot(value: string): string {
  if (/^s3:/i.test(value)) checkS3Flag(value, '--default-artifact-root');
  return value;
}

function checkS3Flag(value: string, flag: string): void {
  try {
    parseS3Uri(value, flag);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function parseHost(value: string): string {
  if (value.trim() === '' || /[\s/]/.test(value))
    throw new InvalidArgumentError('--host must be a hostname or an IP address.');
  return value;
}

/** The file behind a sqlite:/// URI (relative to the working directory), or undefined for other stores. */
export function sqliteFilePath(uri: string): string | undefined {
  if (!uri.startsWith('sqlite:///')) return undefined;
  const rest = uri.slice('sqlite:///'.length).split('?')[0];
  if (rest === '' || rest === ':memory:') return undefined;
  return path.resolve(rest);
}
