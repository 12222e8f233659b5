// Model URIs: every accepted form, each way a URI can be wrong, and resolution through lookups.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidParameter, NotFound } from '../core/errors.js';
import {
  parseModelUri,
  resolveModelUri,
  resolveRunsDownloadUri,
  type ModelRegistryLookup,
  type ModelVersionRef,
} from './model-uri.js';

describe('parseModelUri: accepted forms', () => {
  it.each([
    ['runs:/abc123/model', { kind: 'runs', runId: 'abc123', artifactPath: 'model' }],
    ['runs:/abc123/nested/dir/model/', { kind: 'runs', runId: 'abc123', artifactPath: 'nested/dir/model' }],
    ['runs:///abc123/model', { kind: 'runs', runId: 'abc123', artifactPath: 'model' }],
    ['models:/heart/3', { kind: 'models-version', name: 'heart', version: '3' }],
    ['models:/heart/Production', { kind: 'models-stage', name: 'heart', stage: 'Production' }],
    ['models:/heart/staging', { kind: 'models-stage', name: 'heart', stage: 'Staging' }],
    ['models:/heart/NONE', { kind: 'models-stage', name: 'heart', stage: 'None' }],
    ['models:/heart/archived', { kind: 'models-stage', name: 'heart', stage: 'Archived' }],
    ['models:/heart/latest', { kind: 'models-latest', name: 'heart' }],
    ['models:/heart/LATEST', { kind: 'models-latest', name: 'heart' }],
    ['models:/heart@champion', { kind: 'models-alias', name: 'heart', alias: 'champion' }],
    ['models:/heart%20disease@champ-1', { kind: 'models-alias', name: 'heart disease', alias: 'champ-1' }],
    ['models:///heart/1', { kind: 'models-version', name: 'heart', version: '1' }],
    ['mlflow-artifacts:/1/abc/artifacts/model', { kind: 'mlflow-artifacts', path: '1/abc/artifacts/model' }],
    ['mlflow-artifacts:///1/abc/artifacts/model/', { kind: 'mlflow-artifacts', path: '1/abc/artifacts/model' }],
    ['file:///tmp/pkg', { kind: 'local', path: '/tmp/pkg' }],
    ['file://localhost/tmp/pkg', { kind: 'local', path: '/tmp/pkg' }],
    ['/tmp/pkg', { kind: 'local', path: '/tmp/pkg' }],
    ['relative/pkg', { kind: 'local', path: path.resolve('relative/pkg') }],
  ])('%s', (uri, expected) => {
    expect(parseModelUri(uri)).toMatchObject({ ...expected, uri });
  });
});

describe('parseModelUri: errors', () => {
  it.each([
    ['', /it is empty/],
    ['   ', /it is empty/],
    ['models:/', /the model name is empty/],
    ['models:/@champion', /the model name is empty/],
    ['models:/%20/1', /the model name is empty/],
    ['models:/heart', /names no version, stage, "latest" or alias/],
    ['models:/heart/', /names no version, stage, "latest" or alias/],
    ['models:/heart@', /the alias after "@" is empty/],
    ['models:/heart@bad alias', /the alias 'bad alias' may only contain/],
    ['models:/heart/0', /the version '0' is not a positive integer/],
    ['models:/heart/-2', /the version '-2' is not a positive integer/],
    ['models:/heart/1.5', /the version '1.5' is not a positive integer/],
    ['models:/heart/v2', /the version 'v2' is not a positive integer/],
    ['models:/heart/99999999999999999999', /not a positive integer/],
    [
      'models:/heart/Prod',
      /'Prod' is neither a version number, "latest", nor a stage \(None, Staging, Production, Archived\)/,
    ],
    ['models:/a/b/c', /more than two path parts/],
    ['models:/heart@x/1', /cannot be combined/],
    ['models://profile/heart/1', /a host or profile \('profile'\) is not supported/],
    ['models:/heart/1?x=1', /query strings and fragments/],
    ['runs:/', /the run id is empty/],
    ['runs:/abc123', /artifact path of the model inside the run is missing/],
    ['runs:/abc123/', /artifact path of the model inside the run is missing/],
    ['runs:/abc 123/model', /the run id 'abc 123' has characters/],
    ['runs:/abc123/../other', /contains "\." or "\.\."/],
    ['mlflow-artifacts:/', /the artifact path is missing/],
    ['file://otherhost/tmp/pkg', /a file URI must be local/],
    ['s3://bucket/model', /unknown scheme 's3:'/],
    ['http://host/model', /unknown scheme 'http:'/],
  ])('%j', (uri, message) => {
    let caught: unknown;
    try {
      parseModelUri(uri);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidParameter);
    expect((caught as Error).message).toMatch(message);
  });
});

describe('resolveModelUri', () => {
  const versions: Array<ModelVersionRef & { currentStage: string; location: string }> = [
    {
      name: 'heart',
      version: '1',
      currentStage: 'Archived',
      runId: 'r1',
      location: 'mlflow-artifacts:/1/r1/artifacts/model',
    },
    {
      name: 'heart',
      version: '2',
      currentStage: 'Production',
      runId: 'r2',
      location: 'mlflow-artifacts:/1/r2/artifacts/model',
    },
    {
      name: 'heart',
      version: '3',
      currentStage: 'Staging',
      runId: 'r3',
      location: 'mlflow-artifacts:/1/r3/artifacts/model',
    },
    { name: 'heart', version: '4', currentStage: 'None', runId: 'r4', location: '/data/r4/model' },
    // MLflow stores a runs:/ source as given: resolved through tracking only when the files are read
    { name: 'runs-sourced', version: '1', currentStage: 'None', runId: 'r5', location: 'runs:/r5/models/forest/' },
    { name: 'runs-sourced', version: '2', currentStage: 'None', runId: 'gone', location: 'runs:/gone/model' },
  ];
  const find = (name: string, version: string) => {
    const v = versions.find((x) => x.name === name && x.version === version);
    if (!v) throw new NotFound(`Model Version (name=${name}, version=${version}) not found`);
    return v;
  };
  const registry: ModelRegistryLookup = {
    getModelVersion: async (name, version) => find(name, version),
    async getLatestVersions(name, stages = []) {
      const wanted = stages.length ? stages : ['None', 'Staging', 'Production', 'Archived'];
      return wanted.flatMap((s) => versions.filter((v) => v.name === name && v.currentStage === s).slice(-1));
    },
    getModelVersionByAlias: async (name, alias) => {
      if (alias !== 'champion') throw new NotFound(`alias ${alias} not found`);
      return find(name, '2');
    },
    getModelVersionDownloadUri: async (name, version) => find(name, version).location,
  };
  const tracking = {
    getRunArtifactUri: async (runId: string) => {
      if (runId === 'gone') throw new NotFound(`Run with id=${runId} not found`);
      return `mlflow-artifacts:/1/${runId}/artifacts/`;
    },
  };

  it.each([
    ['models:/heart/1', '1', 'mlflow-artifacts:/1/r1/artifacts/model'],
    ['models:/heart/production', '2', 'mlflow-artifacts:/1/r2/artifacts/model'],
    ['models:/heart/Staging', '3', 'mlflow-artifacts:/1/r3/artifacts/model'],
    ['models:/heart/latest', '4', '/data/r4/model'],
    ['models:/heart@champion', '2', 'mlflow-artifacts:/1/r2/artifacts/model'],
  ])('%s → version %s', async (uri, version, artifactUri) => {
    const resolved = await resolveModelUri(uri, { registry, tracking });
    expect(resolved.modelVersion?.version).toBe(version);
    expect(resolved.artifactUri).toBe(artifactUri);
    expect(resolved.runId).toBe(`r${version}`);
  });

  it('runs:/ joins the run artifact root and the path; local forms need no lookups', async () => {
    expect((await resolveModelUri('runs:/r9/models/forest', { tracking })).artifactUri).toBe(
      'mlflow-artifacts:/1/r9/artifacts/models/forest',
    );
    expect(await resolveModelUri('/tmp/pkg', {})).toMatchObject({ artifactUri: '/tmp/pkg', local: true });
    expect(await resolveModelUri('mlflow-artifacts:/x/y', {})).toMatchObject({
      artifactUri: 'mlflow-artifacts:/x/y',
      local: false,
    });
  });

  it('a version whose source is runs:/ resolves through the run; a run tracking does not have is named', async () => {
    const resolved = await resolveModelUri('models:/runs-sourced/1', { registry, tracking });
    expect(resolved).toMatchObject({ artifactUri: 'mlflow-artifacts:/1/r5/artifacts/models/forest', runId: 'r5' });
    await expect(resolveModelUri('models:/runs-sourced/2', { registry, tracking })).rejects.toThrow(
      /Run 'gone' not found: the model source 'runs:\/gone\/model' names a run this tracking server does not have/,
    );
    await expect(resolveModelUri('models:/runs-sourced/1', { registry })).rejects.toThrow(/needs a tracking lookup/);
    // split as MLflow's parse_runs_uri: an empty authority is no part of the run id; a bare runs:/ names no run
    expect(await resolveRunsDownloadUri('runs:///r5/model', tracking)).toBe('mlflow-artifacts:/1/r5/artifacts/model');
    expect(await resolveRunsDownloadUri('runs:/r5', tracking)).toBe('mlflow-artifacts:/1/r5/artifacts/');
    for (const bad of ['runs:/', 'runs:', 'runs:r5/model']) {
      await expect(resolveRunsDownloadUri(bad, tracking), bad).rejects.toThrow(/it names no run/);
    }
    expect(await resolveRunsDownloadUri('s3://b/m', undefined)).toBe('s3://b/m');
  });

  it('reports a stage without versions, an unknown version, and a missing lookup', async () => {
    const empty: ModelRegistryLookup = { ...registry, getLatestVersions: async () => [] };
    await expect(resolveModelUri('models:/heart/Production', { registry: empty })).rejects.toThrow(
      /No versions of model with name 'heart' and stage 'Production' found/,
    );
    await expect(resolveModelUri('models:/heart/latest', { registry: empty })).rejects.toThrow(
      /No versions of model with name 'heart' found/,
    );
    await expect(resolveModelUri('models:/heart/9', { registry })).rejects.toBeInstanceOf(NotFound);
    await expect(resolveModelUri('models:/heart/1', { tracking })).rejects.toThrow(/needs a model registry lookup/);
    await expect(resolveModelUri('runs:/r1/model', { registry })).rejects.toThrow(/needs a tracking lookup/);
  });
});
