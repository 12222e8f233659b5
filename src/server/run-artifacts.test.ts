import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnError } from '../core/errors.js';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import { S3ArtifactRepository } from '../artifacts/s3-artifact-repository.js';
import type { TrackingStore } from '../tracking/store.js';
import type { RouteDeps } from './route-deps.js';
import { resolveRunArtifactRoot } from './run-artifacts.js';
import { SearchBodyCache } from './search-body-cache.js';

describe('resolveRunArtifactRoot', () => {
  let base: string;
  let deps: RouteDeps;
  let proxyRepo: LocalArtifactRepository;
  let localRepo: LocalArtifactRepository;
  // opening an S3 repository makes no request: resolution is checked without a server
  const s3Repo = S3ArtifactRepository.open('s3://team-bucket/cairn', { AWS_REGION: 'us-east-1' });
  beforeAll(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'cairn-run-artifacts-'));
    proxyRepo = await LocalArtifactRepository.open(path.join(base, 'proxy'));
    localRepo = await LocalArtifactRepository.open(path.join(base, 'local'));
    deps = {
      store: undefined as unknown as TrackingStore, // resolution never touches the store
      artifactRepo: proxyRepo,
      serveArtifacts: true,
      localArtifactRoots: [{ root: localRepo.root, repo: localRepo }],
      uriArtifactRoots: [{ uri: 's3://team-bucket/cairn', repo: s3Repo }],
      searchBodies: new SearchBodyCache(),
    };
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('maps every proxied URI form onto the proxy repository', () => {
    for (const uri of [
      'mlflow-artifacts:/1/abc/artifacts',
      'mlflow-artifacts://tracking.example:5000/1/abc/artifacts',
      'http://tracking.example:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts',
    ]) {
      expect(resolveRunArtifactRoot(deps, uri)).toEqual({ repo: proxyRepo, basePath: '1/abc/artifacts' });
    }
  });

  it('maps local paths and file:// URIs inside an allowed directory, and refuses others', () => {
    const inside = path.join(localRepo.root, '2', 'def', 'artifacts');
    expect(resolveRunArtifactRoot(deps, inside)).toEqual({ repo: localRepo, basePath: '2/def/artifacts' });
    expect(resolveRunArtifactRoot(deps, pathToFileURL(inside).href)).toEqual({
      repo: localRepo,
      basePath: '2/def/artifacts',
    });
    expect(resolveRunArtifactRoot(deps, localRepo.root)).toEqual({ repo: localRepo, basePath: '' });
    expect(() => resolveRunArtifactRoot(deps, '/etc')).toThrow(/outside/);
    expect(() => resolveRunArtifactRoot(deps, `${localRepo.root}/../proxy`)).toThrow(/outside/);
    expect(() => resolveRunArtifactRoot(deps, `${localRepo.root}-sibling/x`)).toThrow(/outside/);
  });

  it('refuses proxied roots whose path climbs out, proxied roots without --serve-artifacts, and other schemes', () => {
    expect(() => resolveRunArtifactRoot(deps, 'mlflow-artifacts:/1/%2e%2e/%2e%2e/etc')).toThrow(CairnError);
    const noProxy = { ...deps, serveArtifacts: false, artifactRepo: undefined };
    expect(() => resolveRunArtifactRoot(noProxy, 'mlflow-artifacts:/1/abc')).toThrow(/no-serve-artifacts/);
    const err = (() => {
      try {
        resolveRunArtifactRoot(deps, 's3://bucket/1/abc');
      } catch (e) {
        return e as CairnError;
      }
    })();
    expect(err?.errorCode).toBe('NOT_IMPLEMENTED');
  });

  it('maps s3:// run roots under a configured object-store root, and refuses other buckets, prefixes and climbs', () => {
    expect(resolveRunArtifactRoot(deps, 's3://team-bucket/cairn/3/abc/artifacts')).toEqual({
      repo: s3Repo,
      basePath: '3/abc/artifacts',
    });
    expect(resolveRunArtifactRoot(deps, 's3://team-bucket/cairn/')).toEqual({ repo: s3Repo, basePath: '' });
    expect(() => resolveRunArtifactRoot(deps, 's3://team-bucket/cairn/3/../../secrets')).toThrow(/Invalid path/);
    expect(() => resolveRunArtifactRoot(deps, 's3://team-bucket/cairn/%2e%2e/secrets')).toThrow(/Invalid path/);
    for (const other of ['s3://team-bucket/cairn-other/1', 's3://other-bucket/cairn/1', 's3://team-bucket/x']) {
      expect(() => resolveRunArtifactRoot(deps, other), other).toThrow(/object-store roots/);
    }
  });
});
