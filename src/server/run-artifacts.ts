// Maps a run's artifact URI (mlflow-artifacts:/…, http(s)://…/mlflow-artifacts/artifacts/…, file://…,
// a local path, or s3://… under a configured object-store root) onto a repository this server can read, plus the path of the run's root inside it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CairnError, InvalidParameter } from '../core/errors.js';
import type { ArtifactRepository } from '../artifacts/artifact-repository.js';
import { normalizeArtifactPath } from '../artifacts/safe-path.js';
import type { RouteDeps } from './route-deps.js';

export interface ResolvedArtifactRoot {
  repo: ArtifactRepository;
  /** The run's artifact root inside `repo`, normalised ('' = the repository root). */
  basePath: string;
}

const PROXY_ANCHOR = '/api/2.0/mlflow-artifacts/artifacts';

function proxiedPath(uri: string): string | undefined {
  // Parsed by hand, not with URL: URL would silently resolve '..' segments that must be refused.
  const scheme = /^(mlflow-artifacts|https?):/.exec(uri);
  if (!scheme) return undefined;
  let rest = uri.slice(scheme[0].length).split(/[?#]/)[0];
  if (rest.startsWith('//')) rest = rest.slice(2).replace(/^[^/]*/, ''); // drop the authority
  if (scheme[1] === 'mlflow-artifacts') return rest; // mlflow-artifacts:/1/abc/artifacts
  const at = rest.indexOf(PROXY_ANCHOR);
  return at >= 0 ? rest.slice(at + PROXY_ANCHOR.length) : undefined;
}

function localPath(uri: string): string | undefined {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch (err) {
      // e.g. file://remote-host/… or an unparsable host: a bad location, not a server fault
      throw new InvalidParameter(`Artifact location '${uri}' is not a local file URI: ${(err as Error).message}`);
    }
  }
  if (path.isAbsolute(uri)) return uri;
  return undefined;
}

/** The run's root inside one of the server's object-store roots, matched at a '/' boundary. */
function underUriRoot(deps: RouteDeps, artifactUri: string): ResolvedArtifactRoot | undefined {
  const uri = artifactUri.replace(/\/+$/, '');
  for (const { uri: root, repo } of deps.uriArtifactRoots) {
    if (uri === root) return { repo, basePath: '' };
    // the remainder goes through the same path rules as a client path, so `..` cannot climb out of the root
    if (uri.startsWith(`${root}/`)) return { repo, basePath: normalizeArtifactPath(uri.slice(root.length + 1)) };
  }
  return undefined;
}

export function resolveRunArtifactRoot(deps: RouteDeps, artifactUri: string): ResolvedArtifactRoot {
  const proxied = proxiedPath(artifactUri);
  if (proxied !== undefined) {
    if (!deps.serveArtifacts || !deps.artifactRepo) {
      throw new CairnError(
        'TEMPORARILY_UNAVAILABLE',
        `Run artifact root '${artifactUri}' is proxied, but this server runs with --no-serve-artifacts.`,
      );
    }
    return { repo: deps.artifactRepo, basePath: normalizeArtifactPath(proxied.replace(/^\/+/, '')) };
  }
  const inObjectStore = underUriRoot(deps, artifactUri);
  if (inObjectStore) return inObjectStore;
  const local = localPath(artifactUri);
  if (local !== undefined) {
    const resolved = path.resolve(local);
    for (const { root, repo } of deps.localArtifactRoots) {
      const rel = path.relative(root, resolved);
      if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
        return { repo, basePath: normalizeArtifactPath(rel.split(path.sep).join('/')) };
      }
    }
    throw new InvalidParameter(
      `Run artifact root '${artifactUri}' is outside the directories this server serves artifacts from.`,
    );
  }
  throw new CairnError(
    'NOT_IMPLEMENTED',
    `This server cannot read artifacts at '${artifactUri}'; only mlflow-artifacts:, local roots and the ` +
      'object-store roots it was started with (--default-artifact-root, --artifacts-destination) are supported.',
  );
}
