// Checks a new model version's source exactly as MLflow 2.17.2's server does (handlers._validate_source,
// _validate_non_local_source_contains_relative_paths, utils.uri.is_local_uri). The source is stored as
// given: a `runs:/` source is resolved only where Cairn reads the files, so the run may live on
// another tracking server, as MLflow allows.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { InvalidParameter } from '../core/errors.js';
import type { TrackingStore } from '../tracking/store.js';
import { pyUnquote, pyUnquotePlus, pyUrlParse } from './python-url.js';

const WHAT = 'Model version source';

/** Where the check looks a run up: a tracking store, or the runs of the registry's own database. */
export type RunLookup = Pick<TrackingStore, 'getRun'>;

/**
 * MLflow's is_local_uri on a POSIX server: no scheme, or `file:` with no host other than localhost;
 * `file://<remote host>/…` is refused (MLflow raises it as a 500; a client error here).
 */
export function isLocalUri(uri: string): boolean {
  const { scheme, hostname } = pyUrlParse(uri, WHAT);
  if (scheme === '') return true;
  const remoteHost =
    hostname !== null && !(hostname === '.' || hostname.startsWith('localhost') || hostname.startsWith('127.0.0.1'));
  if (scheme !== 'file') return false;
  if (remoteHost) {
    throw new InvalidParameter(
      `${uri} is not a valid remote uri. For remote access on windows, please consider using a ` +
        'different scheme such as SMB (e.g. smb://<hostname>/<path>).',
    );
  }
  return true;
}

/** MLflow's local_file_uri_to_path: the path of a `file:` URI, percent-decoded. */
function localFileUriToPath(uri: string): string {
  return pyUnquote(uri.startsWith('file:') ? pyUrlParse(uri, WHAT).path : uri);
}

/** pathlib's non-strict resolve(): absolute, normalised, symlinks followed as far as the path exists. */
function resolveLoosely(p: string): string {
  const missing: string[] = [];
  let probe = path.resolve(p);
  for (;;) {
    try {
      return path.join(realpathSync(probe), ...missing.reverse());
    } catch {
      if (probe === path.dirname(probe)) return path.resolve(p);
      missing.push(path.basename(probe));
      probe = path.dirname(probe);
    }
  }
}

function isSameOrInside(dir: string, candidate: string): boolean {
  return candidate === dir || candidate.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

async function validateLocalSource(
  tracking: RunLookup,
  source: string,
  runId: string | null | undefined,
): Promise<void> {
  if (runId) {
    const run = await tracking.getRun(runId);
    const resolved = resolveLoosely(localFileUriToPath(source));
    if (
      isLocalUri(run.info.artifactUri) &&
      isSameOrInside(resolveLoosely(localFileUriToPath(run.info.artifactUri)), resolved)
    ) {
      return;
    }
  }
  // MLflow names the path resolved against the server's working directory; Cairn names the source as
  // given, so a refused request does not disclose where the server runs or where its symlinks lead.
  throw new InvalidParameter(
    `Invalid model version source: '${source}'. To use a local path as a model version source, the run_id request ` +
      'parameter has to be specified and the local path has to be contained within the artifact directory of the run ' +
      'specified by the run_id.',
  );
}

function rejectRelativeReferences(original: string): void {
  let source = original;
  for (let unquoted = pyUnquotePlus(source); unquoted !== source; unquoted = pyUnquotePlus(source)) source = unquoted;
  const sourcePath = pyUrlParse(source, WHAT).path.replace(/\/+$/, '').replace(/\/+/g, '/');
  const bad =
    sourcePath.includes('\0') || source.split('/').some((p) => p === '..') || resolveLoosely(sourcePath) !== sourcePath;
  if (bad) {
    throw new InvalidParameter(
      `Invalid model version source: '${original}'. If supplying a source as an http, https, local file path, ftp, ` +
        'objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. ' +
        'Please provide an absolute path.',
    );
  }
}

/**
 * Validates a new version's `source` as MLflow's server does: a local path must lie inside the
 * artifact directory of the run named by `runId` (looked up in `tracking`); any other URI must carry
 * no relative path reference. Nothing else is looked up: a `runs:/` run may live elsewhere.
 */
export async function validateModelVersionSource(
  tracking: RunLookup,
  source: string,
  runId?: string | null,
): Promise<void> {
  if (isLocalUri(source)) {
    await validateLocalSource(tracking, source, runId);
    return;
  }
  rejectRelativeReferences(source);
}
