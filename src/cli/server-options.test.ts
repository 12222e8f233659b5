import { InvalidArgumentError } from 'commander';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BACKEND_STORE_URI,
  defaultBackendStoreUri,
  parseArtifactsDestination,
  parseBackendStoreUri,
  parseDefaultArtifactRoot,
  parsePort,
  parseRunCacheSize,
  parseWorkers,
  sqliteFilePath,
} from './server-options.js';

describe('server options', () => {
  it('validates ports and workers with messages naming the flag', () => {
    expect(parsePort('5000')).toBe(5000);
    expect(parsePort('0')).toBe(0);
    for (const bad of ['-1', '65536', 'abc', '1.5', '']) expect(() => parsePort(bad)).toThrow(/--port/);
    expect(() => parseWorkers('0')).toThrow(InvalidArgumentError);
    expect(parseWorkers('2')).toBe(2);
    expect(parseRunCacheSize('0')).toBe(0);
    expect(parseRunCacheSize('20000')).toBe(20000);
    for (const bad of ['-1', '1.5', 'many', '']) expect(() => parseRunCacheSize(bad)).toThrow(/--run-cache-size/);
  });

  it('accepts only database URIs for the backend store', () => {
    expect(parseBackendStoreUri('sqlite:///a.db')).toBe('sqlite:///a.db');
    expect(parseBackendStoreUri('postgresql://u:p@h:5432/db')).toBe('postgresql://u:p@h:5432/db');
    expect(() => parseBackendStoreUri('http://localhost:5000')).toThrow(/--backend-store-uri/);
    expect(() => parseBackendStoreUri('./mlruns')).toThrow(/--backend-store-uri/);
  });

  it('takes the default store from CAIRN_/MLFLOW_TRACKING_URI only when it names a database', () => {
    expect(defaultBackendStoreUri({})).toBe(DEFAULT_BACKEND_STORE_URI);
    expect(defaultBackendStoreUri({ MLFLOW_TRACKING_URI: 'http://x:5000' })).toBe(DEFAULT_BACKEND_STORE_URI);
    expect(defaultBackendStoreUri({ MLFLOW_TRACKING_URI: 'sqlite:///m.db' })).toBe('sqlite:///m.db');
    expect(
      defaultBackendStoreUri({ MLFLOW_TRACKING_URI: 'sqlite:///m.db', CAIRN_TRACKING_URI: 'sqlite:///c.db' }),
    ).toBe('sqlite:///c.db');
  });

  it('maps sqlite URIs to files (relative to the working directory, or absolute)', () => {
    expect(sqliteFilePath('sqlite:///cairn-data/cairn.db')).toBe(path.resolve('cairn-data/cairn.db'));
    expect(sqliteFilePath('sqlite:////tmp/x.db')).toBe('/tmp/x.db');
    expect(sqliteFilePath('postgresql://h/db')).toBeUndefined();
  });

  it('takes a directory or s3://bucket/prefix as --artifacts-destination, checking the bucket name', () => {
    expect(parseArtifactsDestination('s3://team-bucket/cairn')).toBe('s3://team-bucket/cairn');
    expect(parseArtifactsDestination('relative/dir')).toBe(path.resolve('relative/dir'));
    expect(() => parseArtifactsDestination('s3://Team_Bucket/x')).toThrow(/--artifacts-destination.*bucket name/);
    expect(() => parseArtifactsDestination('gs://bucket/x')).toThrow(/directory or s3:\/\/bucket\/prefix/);
    expect(parseDefaultArtifactRoot('s3://team-bucket')).toBe('s3://team-bucket');
    expect(parseDefaultArtifactRoot('mlflow-artifacts:/')).toBe('mlflow-artifacts:/');
    expect(() => parseDefaultArtifactRoot('s3://x/y')).toThrow(InvalidArgumentError);
  });
});
