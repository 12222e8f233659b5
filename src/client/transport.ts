// What CairnClient logs through: a TrackingStore (over REST, or a database opened in this process)
// that also reaches its runs' artifacts, through an ArtifactRepository per run root.
import type { ArtifactRepository } from '../artifacts/artifact-repository.js';
import type { TrackingStore } from '../tracking/store.js';

export interface ClientTransport extends TrackingStore {
  /** The repository holding a run's artifacts, rooted at `artifactUri` (a run's `info.artifactUri`). */
  artifactRepository(artifactUri: string): Promise<ArtifactRepository>;
}

/** The URI with any user:password replaced by ***, for messages. */
export function maskCredentials(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}

const PROXY_ANCHOR = '/api/2.0/mlflow-artifacts/artifacts';

export type ArtifactLocation =
  | { kind: 'proxy' /** Path below the proxy root, no leading slash. */; path: string }
  | { kind: 'local'; dir: string };

/**
 * Where a run artifact URI points: through the artifact proxy (`mlflow-artifacts:/…` or an
 * `http(s)://…/api/2.0/mlflow-artifacts/artifacts/…` URL) or at a local directory (`file:` or absolute).
 */
export function parseArtifactUri(uri: string): ArtifactLocation | undefined {
  const scheme = /^(mlflow-artifacts|https?):/.exec(uri);
  if (scheme) {
    let rest = uri.slice(scheme[0].length).split(/[?#]/)[0];
    if (rest.startsWith('//')) rest = rest.slice(2).replace(/^[^/]*/, '');
    if (scheme[1] !== 'mlflow-artifacts') {
      const at = rest.indexOf(PROXY_ANCHOR);
      if (at < 0) return undefined;
      rest = rest.slice(at + PROXY_ANCHOR.length);
    }
    return { kind: 'proxy', path: rest.replace(/^\/+/, '').replace(/\/+$/, '') };
  }
  if (uri.startsWith('file:')) {
    const p = decodeURIComponent(uri.replace(/^file:(\/\/[^/]*)?/, ''));
    return { kind: 'local', dir: p };
  }
  if (uri.startsWith('/')) return { kind: 'local', dir: uri };
  return undefined;
}
