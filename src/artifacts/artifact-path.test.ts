// joinArtifactPath: what the tracking store (experiment and run locations) and the server's
// artifact routes (paths inside a repository) rely on.
import { describe, expect, it } from 'vitest';
import { joinArtifactPath } from './artifact-path.js';

describe('joinArtifactPath', () => {
  it('joins a root URI and parts without doubling its trailing slash', () => {
    expect(joinArtifactPath('mlflow-artifacts:/', '0')).toBe('mlflow-artifacts:/0');
    expect(joinArtifactPath('/artifacts/', '3', 'abc', 'artifacts')).toBe('/artifacts/3/abc/artifacts');
    expect(joinArtifactPath('s3://bucket/path', 'run', 'artifacts')).toBe('s3://bucket/path/run/artifacts');
    expect(joinArtifactPath('/', '0')).toBe('/0');
  });

  it('joins repository paths without doubled or leading slashes', () => {
    expect(joinArtifactPath('', 'a/b')).toBe('a/b');
    expect(joinArtifactPath('1/x/artifacts', '')).toBe('1/x/artifacts');
    expect(joinArtifactPath('1/x/artifacts', 'model')).toBe('1/x/artifacts/model');
    expect(joinArtifactPath('', '')).toBe('');
  });
});
