// The one place an artifact location is turned into a repository: the URI's scheme picks the kind.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CairnError, InvalidParameter } from '../core/errors.js';
import type { ArtifactRepository } from './artifact-repository.js';
import { LocalArtifactRepository } from './local-artifact-repository.js';
import { S3ArtifactRepository } from './s3-artifact-repository.js';
import { isS3Uri } from './s3-config.js';

/** True for locations whose repository this process opens itself (as opposed to `mlflow-artifacts:` or http). */
export function isDirectArtifactLocation(location: string): boolean {
  return isS3Uri(location) || location.startsWith('file:') || !/^[a-z][a-z0-9+.-]*:/i.test(location);
}

/**
 * Opens the repository rooted at `location`: `s3://bucket/prefix` (object storage, configured from
 * MLFLOW_S3_* and AWS_* in `env`), or a local directory (a path, or a `file:` URI), created if needed.
 */
export async function openArtifactRepository(
  location: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ArtifactRepository> {
  if (isS3Uri(location)) return S3ArtifactRepository.open(location, env);
  if (location.startsWith('file:')) {
    let dir: string;
    try {
      dir = fileURLToPath(location);
    } catch (err) {
      throw new InvalidParameter(`Artifact location '${location}' is not a local file URI: ${(err as Error).message}`);
    }
    return LocalArtifactRepository.open(dir);
  }
  if (!/^[a-z][a-z0-9+.-]*:/i.test(location) || /^[a-z]:[\\/]/i.test(location)) {
    return LocalArtifactRepository.open(path.resolve(location));
  }
  throw new CairnError(
    'NOT_IMPLEMENTED',
    `Artifacts at '${location}' cannot be opened from this process; supported locations are s3://bucket/prefix ` +
      'and local directories (a path or a file: URI).',
  );
}
