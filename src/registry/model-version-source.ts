// Checks a new model version's source the way MLflow's server does (handlers._validate_source) and
// resolves `runs:/<run_id>/<path>` to the run's artifact URI + path, so the version's download URI
// names real files even when the source is run-relative.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidParameter } from '../core/errors.js';
import { joinArtifactPath } from '../artifacts/artifact-path.js';
import type { TrackingStore } from '../tracking/store.js';
import { posixNormpath } from '../tracking/validation.js';

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/** No scheme, a Windows drive letter, or file: — a path on the server's own disk. */
function isLocalUri(source: string): boolean {
  const scheme = SCHEME.exec(source)?.[1];
  return scheme === undefined || scheme.length === 1 || scheme.toLowerCase() === 'file';
}

function localPath(uri: string): string {
  return path.resolve(uri.startsWith('file:') ? fileURLToPath(uri) : uri);
}

function decodeFully(source: string): string {
  let current = source;
  for (let i = 0; i < 10; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current.replace(/\+/g, ' '));
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

/** The path part of a URI, as Python's urlparse gives it. */
function uriPath(uri: string): string {
  const rest = uri.replace(SCHEME, '').split(/[?#]/)[0];
  return rest.startsWith('//') ? rest.slice(2).replace(/^[^/]*/, '') : rest;
}

function rejectRelativeReferences(source: string): void {
  const decoded = decodeFully(source);
  const sourcePath = uriPath(decoded).replace(/\/+$/, '').replace(/\/+/g, '/');
  const bad = decoded.includes('\0') || decoded.split('/').some((p) => p === '..')
    || (sourcePath !== '' && posixNormpath(sourcePath) !== sourcePath);
  if (bad) {
    throw new InvalidParameter(
      `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, `
      + 'objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. '
      + 'Please provide an absolute path.');
  }
}

async function validateLocalSource(tracking: TrackingStore, source: string, runId: string | null | undefined): Promise<void> {
  if (runId) {
    const run = await tracking.getRun(runId);
    if (isLocalUri(run.info.artifactUri)) {
      const runDir = localPath(run.info.artifactUri);
      const rel = path.relative(runDir, localPath(source));
      if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) return;
    }
  }
  throw new InvalidParameter(
    `Invalid model version source: '${source}'. To use a local path as a model version source, the run_id request `
    + 'parameter has to be specified and the local path has to be contained within the artifact directory of the run '
    + 'specified by the run_id.');
}

/**
 * Validates `source` and returns where the version's files are: the run's artifact URI + path for a
 * `runs:/` source, otherwise undefined (the source itself).
 */
export async function resolveModelVersionSource(
  tracking: TrackingStore, source: string, runId?: string | null,
): Promise<string | undefined> {
  if (isLocalUri(source)) {
    await validateLocalSource(tracking, source, runId);
    return undefined;
  }
  rejectRelativeReferences(source);
  const runs = /^runs:\/+([^/]+)(?:\/(.*))?$/.exec(source);
  if (!runs) return undefined;
  const run = await tracking.getRun(runs[1]);
  const artifactPath = (runs[2] ?? '').replace(/\/+$/, '');
  return artifactPath ? joinArtifactPath(run.info.artifactUri, artifactPath) : run.info.artifactUri;
}
