// Where a built-in data set's file comes from: heart ships in the repository (data/), stroke does not
// (its licence is unclear), so it is `--data FILE`, or downloaded once from a configurable URL into a
// cache and checked against its known SHA-256 before use.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError } from './load-dataset.js';

/** The repository's data/ folder (src/pipelines and dist/pipelines are both two levels below the root). */
export const BUNDLED_DATA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../data');

export const HEART_FILE = 'heart_disease_uci.csv';
export const HEART_SHA256 = '574f2fa2b43012fa25fca4fcdb36bd7c6bccdd0af4242f6c0e4c8633c5a072ae';
export const STROKE_SHA256 = '644d473b05d2797006bd94865e4f8bb057f0c721617911613c82c8fcfc707420';
/** Environment variable naming where `cairn train stroke` downloads the file from. */
export const STROKE_URL_ENV = 'CAIRN_STROKE_URL';
/** Environment variable overriding the cache directory (default ~/.cache/cairn). */
export const CACHE_DIR_ENV = 'CAIRN_CACHE_DIR';
const DOWNLOAD_TIMEOUT_MS = 60_000;

export const bundledHeartPath = (): string => path.join(BUNDLED_DATA_DIR, HEART_FILE);

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env[CACHE_DIR_ENV] || path.join(os.homedir(), '.cache', 'cairn');
}

const STROKE_HELP =
  'The stroke data set is not bundled (its licence is unclear). Download healthcare-dataset-stroke-data.csv from ' +
  'https://www.kaggle.com/datasets/fedesoriano/stroke-prediction-dataset and pass --data FILE, ' +
  `or set ${STROKE_URL_ENV} (or --data-url) to a URL serving that file (checked against SHA-256 ${STROKE_SHA256}).`;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export interface StrokeSourceOptions {
  data?: string;
  url?: string;
  env?: NodeJS.ProcessEnv;
  /** Progress lines ("downloading …"). */
  log?: (line: string) => void;
}

/**
 * The local path of the stroke CSV: `--data`, else the verified cached copy, else a download from
 * `--data-url` / CAIRN_STROKE_URL into the cache (verified before it is kept). Throws DataError
 * saying what to do when none of these works (offline, no URL, wrong checksum).
 */
export async function resolveStrokeFile(options: StrokeSourceOptions): Promise<string> {
  if (options.data) return options.data;
  const env = options.env ?? process.env;
  const dir = path.join(cacheDir(env), 'data');
  const cached = path.join(dir, `stroke-${STROKE_SHA256.slice(0, 12)}.csv`);
  if (existsSync(cached) && sha256(await readFile(cached)) === STROKE_SHA256) return cached;
  const url = options.url || env[STROKE_URL_ENV];
  if (!url) throw new DataError(`no stroke data: ${STROKE_HELP}`);
  options.log?.(`downloading the stroke data from ${url} into ${dir}`);
  let bytes: Uint8Array;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause?.message;
    throw new DataError(
      `cannot download the stroke data from ${url}: ${(err as Error).message}${cause ? ` (${cause})` : ''}. ` +
        `If this machine is offline, pass --data FILE. ${STROKE_HELP}`,
    );
  }
  const got = sha256(bytes);
  if (got !== STROKE_SHA256)
    throw new DataError(
      `the file downloaded from ${url} has SHA-256 ${got}, not the stroke data set's ${STROKE_SHA256}; ` +
        'it was not kept. Pass --data FILE to use your own copy.',
    );
  await mkdir(dir, { recursive: true });
  const tmp = `${cached}.${process.pid}.part`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, cached);
  } finally {
    await rm(tmp, { force: true });
  }
  return cached;
}
