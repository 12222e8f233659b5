import { describe, expect, it } from 'vitest';
import { relocateSource } from './mlruns-models.js';

describe('relocateSource', () => {
  const runs = new Map([
    ['r1', { from: 'file:///old/mlruns/7/r1/artifacts', to: 'mlflow-artifacts:/2/r1/artifacts' }],
    ['r2', { from: 'file:///old/mlruns/7/r2/artifacts/', to: 'mlflow-artifacts:/2/r2/artifacts' }],
  ]);

  it("re-roots paths inside an imported run's old artifact directory, with or without the run id", () => {
    expect(relocateSource('file:///old/mlruns/7/r1/artifacts/model', 'r1', runs)).toBe(
      'mlflow-artifacts:/2/r1/artifacts/model',
    );
    expect(relocateSource('file:///old/mlruns/7/r2/artifacts/model', null, runs)).toBe(
      'mlflow-artifacts:/2/r2/artifacts/model',
    );
    expect(relocateSource('file:///old/mlruns/7/r1/artifacts', 'r1', runs)).toBe('mlflow-artifacts:/2/r1/artifacts');
  });

  it('resolves runs:/ URIs of imported runs and leaves everything else alone', () => {
    expect(relocateSource('runs:/r1/model', 'r1', runs)).toBe('mlflow-artifacts:/2/r1/artifacts/model');
    expect(relocateSource('runs:/unknown/model', null, runs)).toBe('runs:/unknown/model');
    expect(relocateSource('file:///old/mlruns/7/r1/artifacts-other/model', 'r1', runs)).toBe(
      'file:///old/mlruns/7/r1/artifacts-other/model',
    );
    expect(relocateSource('s3://bucket/model', 'r1', runs)).toBe('s3://bucket/model');
  });
});
