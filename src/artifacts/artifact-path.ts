// Joining artifact locations: a root (a URI such as `mlflow-artifacts:/`, `s3://b/p/`, a directory,
// or a repository-relative path, possibly empty) and relative parts.

/**
 * Joins `root` and `parts` with single slashes: a trailing slash of the root is not doubled, empty
 * parts are skipped, and an empty root leaves a relative path (no leading slash).
 */
export function joinArtifactPath(root: string, ...parts: string[]): string {
  const rest = parts.filter((p) => p !== '');
  if (root === '') return rest.join('/');
  if (rest.length === 0) return root;
  return [root.replace(/\/+$/, ''), ...rest].join('/');
}
