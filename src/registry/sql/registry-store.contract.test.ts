// The RegistryStore contract, run against SQLite and a real PostgreSQL server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExists, CairnError, InvalidParameter, NotFound } from '../../core/errors.js';
import type { SqlStores as Stores } from '../open-stores.js';
import type { RegistryStore } from '../store.js';
import { registryStoreBackends } from '../../../test/support/registry-stores.js';

let counter = 0;
const unique = (prefix: string): string => `${prefix}-${Date.now()}-${counter++}`;

async function rejection(p: Promise<unknown>): Promise<CairnError> {
  try {
    await p;
  } catch (e) {
    return e as CairnError;
  }
  throw new Error('expected the promise to reject');
}

describe.each(registryStoreBackends())('RegistryStore on $name', (backend) => {
  let stores: Stores;
  let store: RegistryStore;
  beforeAll(async () => {
    stores = await backend.open();
    store = stores.registry;
  }, 120_000);
  afterAll(async () => {
    await backend.cleanup();
  });

  const newModel = async (prefix = 'model') => (await store.createRegisteredModel(unique(prefix))).name;
  const addVersions = async (name: string, n: number) => {
    for (let i = 0; i < n; i++) await store.createModelVersion({ name, source: `s3://bucket/${name}/${i}` });
  };

  describe('registered models', () => {
    it('creates, reads, updates and rejects duplicates and bad names', async () => {
      const name = unique('heart');
      const created = await store.createRegisteredModel(
        name,
        [
          { key: 'team', value: 'cardio' },
          { key: 'team', value: 'ml' },
        ],
        'first',
      );
      expect(created).toMatchObject({
        name,
        description: 'first',
        tags: [{ key: 'team', value: 'ml' }],
        latestVersions: [],
        aliases: [],
      });
      expect(created.creationTimestamp).toBeGreaterThan(0);
      expect(created.lastUpdatedTimestamp).toBe(created.creationTimestamp);
      expect(await store.getRegisteredModel(name)).toEqual(created);
      const err = await rejection(store.createRegisteredModel(name));
      expect(err).toBeInstanceOf(AlreadyExists);
      expect(err.message).toBe(`Registered Model (name=${name}) already exists.`);

      await new Promise((r) => setTimeout(r, 5));
      const updated = await store.updateRegisteredModel(name, 'second');
      expect(updated.description).toBe('second');
      expect(updated.lastUpdatedTimestamp).toBeGreaterThan(created.lastUpdatedTimestamp);

      const missing = await rejection(store.getRegisteredModel(`${name}-nope`));
      expect(missing).toBeInstanceOf(NotFound);
      expect(missing.message).toBe(`Registered Model with name=${name}-nope not found`);
      expect(await rejection(store.createRegisteredModel(''))).toBeInstanceOf(InvalidParameter);
      expect(await rejection(store.updateRegisteredModel(`${name}-nope`, 'x'))).toBeInstanceOf(NotFound);
    });

    it('sets, overwrites and deletes model tags', async () => {
      const name = await newModel();
      await store.setRegisteredModelTag(name, 'b', '1');
      await store.setRegisteredModelTag(name, 'a', '2');
      await store.setRegisteredModelTag(name, 'b', '3');
      expect((await store.getRegisteredModel(name)).tags).toEqual([
        { key: 'a', value: '2' },
        { key: 'b', value: '3' },
      ]);
      await store.deleteRegisteredModelTag(name, 'a');
      await store.deleteRegisteredModelTag(name, 'never-set'); // not an error, as MLflow
      expect((await store.getRegisteredModel(name)).tags).toEqual([{ key: 'b', value: '3' }]);
      expect(await rejection(store.setRegisteredModelTag(`${name}-nope`, 'k', 'v'))).toBeInstanceOf(NotFound);
      expect(await rejection(store.setRegisteredModelTag(name, '', 'v'))).toBeInstanceOf(InvalidParameter);
      expect(await rejection(store.setRegisteredModelTag(name, 'k', 'v'.repeat(5001)))).toBeInstanceOf(
        InvalidParameter,
      );
    });

    it('renames a model with its versions, tags, version tags and aliases', async () => {
      const name = await newModel('old');
      await addVersions(name, 2);
      await store.setRegisteredModelTag(name, 'k', 'v');
      await store.setModelVersionTag(name, '2', 'vk', 'vv');
      await store.setRegisteredModelAlias(name, 'champion', '2');
      const newName = unique('new');
      const renamed = await store.renameRegisteredModel(name, newName);
      expect(renamed).toMatchObject({
        name: newName,
        tags: [{ key: 'k', value: 'v' }],
        aliases: [{ alias: 'champion', version: '2' }],
      });
      expect(await rejection(store.getRegisteredModel(name))).toBeInstanceOf(NotFound);
      const v2 = await store.getModelVersion(newName, '2');
      expect(v2).toMatchObject({
        name: newName,
        version: '2',
        tags: [{ key: 'vk', value: 'vv' }],
        aliases: ['champion'],
      });
      expect((await store.getModelVersionByAlias(newName, 'champion')).version).toBe('2');
      // numbering continues under the new name
      expect((await store.createModelVersion({ name: newName, source: 's3://b/x' })).version).toBe('3');

      const other = await newModel('other');
      expect(await rejection(store.renameRegisteredModel(other, newName))).toBeInstanceOf(AlreadyExists);
      expect(await rejection(store.renameRegisteredModel(`${name}-nope`, unique('x')))).toBeInstanceOf(NotFound);
    });

    it('deletes a model with everything under it; a new model of that name starts at version 1', async () => {
      const name = await newModel();
      await addVersions(name, 3);
      await store.setRegisteredModelAlias(name, 'a', '1');
      await store.setModelVersionTag(name, '1', 'k', 'v');
      await store.deleteRegisteredModel(name);
      expect(await rejection(store.getRegisteredModel(name))).toBeInstanceOf(NotFound);
      expect(await rejection(store.getModelVersion(name, '1'))).toBeInstanceOf(NotFound);
      expect(await rejection(store.deleteRegisteredModel(name))).toBeInstanceOf(NotFound);
      await store.createRegisteredModel(name);
      const v1 = await store.createModelVersion({ name, source: 's3://b/new' });
      expect(v1).toMatchObject({ version: '1', tags: [], aliases: [] });
    });
  });

  describe('model versions', () => {
    it('numbers versions from 1 and never reuses a deleted number', async () => {
      const name = await newModel();
      const before = (await store.getRegisteredModel(name)).lastUpdatedTimestamp;
      const v1 = await store.createModelVersion({
        name,
        source: 's3://bucket/model',
        runId: 'abc123',
        runLink: 'http://x/run',
        description: 'd',
        tags: [{ key: 'k', value: 'v' }],
      });
      expect(v1).toMatchObject({
        name,
        version: '1',
        currentStage: 'None',
        status: 'READY',
        source: 's3://bucket/model',
        runId: 'abc123',
        runLink: 'http://x/run',
        description: 'd',
        tags: [{ key: 'k', value: 'v' }],
        aliases: [],
      });
      expect(v1.creationTimestamp).toBeGreaterThanOrEqual(before);
      expect((await store.getRegisteredModel(name)).lastUpdatedTimestamp).toBe(v1.creationTimestamp);
      await addVersions(name, 2);
      await store.deleteModelVersion(name, '3');
      expect(await rejection(store.getModelVersion(name, '3'))).toBeInstanceOf(NotFound);
      expect(await rejection(store.deleteModelVersion(name, '3'))).toBeInstanceOf(NotFound);
      expect((await store.createModelVersion({ name, source: 's3://b/4' })).version).toBe('4');
      const listed = await store.searchModelVersions({ filter: `name = '${name}'` });
      expect(listed.items.map((v) => v.version).sort()).toEqual(['1', '2', '4']);
    });

    it('hands out distinct consecutive numbers to concurrent creators', async () => {
      const name = await newModel('concurrent');
      const other = await backend.reopen();
      const created = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? other.registry : store).createModelVersion({ name, source: `s3://b/${i}` }),
        ),
      );
      expect(created.map((v) => Number(v.version)).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
    }, 60_000);

    it('reports missing models and versions and bad version strings', async () => {
      const name = await newModel();
      const noModel = await rejection(store.createModelVersion({ name: `${name}-nope`, source: 's3://b' }));
      expect(noModel).toBeInstanceOf(NotFound);
      const noVersion = await rejection(store.getModelVersion(name, '7'));
      expect(noVersion).toBeInstanceOf(NotFound);
      expect(noVersion.message).toBe(`Model Version (name=${name}, version=7) not found`);
      expect(await rejection(store.getModelVersion(name, 'abc'))).toBeInstanceOf(InvalidParameter);
      expect(await rejection(store.getModelVersion(name, '99999999999'))).toBeInstanceOf(NotFound);
      expect(await rejection(store.createModelVersion({ name, source: '' }))).toBeInstanceOf(InvalidParameter);
      expect(await rejection(store.createModelVersion({ name, source: `s3://${'x'.repeat(2001)}` }))).toBeInstanceOf(
        InvalidParameter,
      );
      expect(
        await rejection(store.createModelVersion({ name, source: 's3://b', runId: 'r'.repeat(257) })),
      ).toBeInstanceOf(InvalidParameter);
      expect((await store.createModelVersion({ name, source: 's3://b/m', runId: 'r'.repeat(64) })).runId).toBe(
        'r'.repeat(64),
      );
      expect(await rejection(store.createRegisteredModel('m'.repeat(257)))).toBeInstanceOf(InvalidParameter);
    });

    it('updates descriptions and version tags', async () => {
      const name = await newModel();
      await addVersions(name, 1);
      const updated = await store.updateModelVersion(name, '1', 'better');
      expect(updated.description).toBe('better');
      await store.setModelVersionTag(name, '1', 'k', 'v1');
      await store.setModelVersionTag(name, '1', 'k', 'v2');
      await store.setModelVersionTag(name, '1', 'a', 'x');
      expect((await store.getModelVersion(name, '1')).tags).toEqual([
        { key: 'a', value: 'x' },
        { key: 'k', value: 'v2' },
      ]);
      await store.deleteModelVersionTag(name, '1', 'k');
      expect((await store.getModelVersion(name, '1')).tags).toEqual([{ key: 'a', value: 'x' }]);
      expect(await rejection(store.setModelVersionTag(name, '9', 'k', 'v'))).toBeInstanceOf(NotFound);
    });

    it('transitions stages case-insensitively, archives existing versions, reports latest per stage', async () => {
      const name = await newModel();
      await addVersions(name, 4);
      expect((await store.transitionModelVersionStage(name, '1', 'production', false)).currentStage).toBe('Production');
      await store.transitionModelVersionStage(name, '2', 'STAGING', false);
      await store.transitionModelVersionStage(name, '3', 'Production', false);
      let latest = await store.getLatestVersions(name);
      expect(latest.map((v) => [v.currentStage, v.version])).toEqual([
        ['Staging', '2'],
        ['Production', '3'],
        ['None', '4'],
      ]);
      expect((await store.getLatestVersions(name, ['production'])).map((v) => v.version)).toEqual(['3']);
      expect((await store.getRegisteredModel(name)).latestVersions.map((v) => v.version)).toEqual(['2', '3', '4']);

      await store.transitionModelVersionStage(name, '4', 'Production', true);
      const stages = await Promise.all(
        ['1', '2', '3', '4'].map(async (v) => (await store.getModelVersion(name, v)).currentStage),
      );
      expect(stages).toEqual(['Archived', 'Staging', 'Archived', 'Production']);
      latest = await store.getLatestVersions(name, ['Production', 'Archived']);
      expect(latest.map((v) => [v.currentStage, v.version]).sort()).toEqual([
        ['Archived', '3'],
        ['Production', '4'],
      ]);

      expect(await rejection(store.transitionModelVersionStage(name, '1', 'Retired', false))).toBeInstanceOf(
        InvalidParameter,
      );
      expect(await rejection(store.transitionModelVersionStage(name, '1', 'None', true))).toBeInstanceOf(
        InvalidParameter,
      );
      expect(await rejection(store.getLatestVersions(name, ['Bogus']))).toBeInstanceOf(InvalidParameter);
      expect(await rejection(store.getLatestVersions(`${name}-nope`))).toBeInstanceOf(NotFound);
    });

    it('resolves the download URI of models:/ sources and keeps storage locations', async () => {
      const name = await newModel();
      await store.createModelVersion({
        name,
        source: 'runs:/abc/model',
        runId: 'abc',
        storageLocation: 'mlflow-artifacts:/1/abc/artifacts/model',
      });
      expect(await store.getModelVersionDownloadUri(name, '1')).toBe('mlflow-artifacts:/1/abc/artifacts/model');
      await store.setRegisteredModelAlias(name, 'base', '1');
      const copy = await newModel('copy');
      const byNumber = await store.createModelVersion({ name: copy, source: `models:/${name}/1` });
      expect(byNumber.source).toBe(`models:/${name}/1`);
      expect(await store.getModelVersionDownloadUri(copy, '1')).toBe('mlflow-artifacts:/1/abc/artifacts/model');
      await store.createModelVersion({ name: copy, source: `models:/${name}@base` });
      expect(await store.getModelVersionDownloadUri(copy, '2')).toBe('mlflow-artifacts:/1/abc/artifacts/model');
      expect(await rejection(store.createModelVersion({ name: copy, source: `models:/${name}/9` }))).toBeInstanceOf(
        InvalidParameter,
      );
    });
  });

  describe('aliases', () => {
    it('sets, moves, reads and deletes aliases; deleting a version drops its aliases', async () => {
      const name = await newModel();
      await addVersions(name, 3);
      await store.setRegisteredModelAlias(name, 'champion', '1');
      await store.setRegisteredModelAlias(name, 'challenger', '2');
      expect((await store.getModelVersion(name, '1')).aliases).toEqual(['champion']);
      await store.setRegisteredModelAlias(name, 'champion', '2');
      expect((await store.getModelVersion(name, '1')).aliases).toEqual([]);
      expect((await store.getModelVersion(name, '2')).aliases).toEqual(['challenger', 'champion']);
      expect((await store.getModelVersionByAlias(name, 'champion')).version).toBe('2');
      expect((await store.getRegisteredModel(name)).aliases).toEqual([
        { alias: 'challenger', version: '2' },
        { alias: 'champion', version: '2' },
      ]);

      await store.deleteModelVersion(name, '2');
      expect((await store.getRegisteredModel(name)).aliases).toEqual([]);
      const gone = await rejection(store.getModelVersionByAlias(name, 'champion'));
      expect(gone).toBeInstanceOf(InvalidParameter);
      expect(gone.message).toBe('Registered model alias champion not found.');

      await store.setRegisteredModelAlias(name, 'champion', '3');
      await store.deleteRegisteredModelAlias(name, 'champion');
      await store.deleteRegisteredModelAlias(name, 'champion'); // already gone: not an error
      expect((await store.getModelVersion(name, '3')).aliases).toEqual([]);
    });

    it('rejects reserved or malformed alias names and missing targets', async () => {
      const name = await newModel();
      await addVersions(name, 1);
      for (const bad of ['latest', 'LATEST', 'v1', 'V12', 'has space', '']) {
        expect(await rejection(store.setRegisteredModelAlias(name, bad, '1')), bad).toBeInstanceOf(InvalidParameter);
      }
      expect(await rejection(store.setRegisteredModelAlias(name, 'ok', '5'))).toBeInstanceOf(NotFound);
      expect(await rejection(store.setRegisteredModelAlias(`${name}-nope`, 'ok', '1'))).toBeInstanceOf(NotFound);
      expect(await rejection(store.setRegisteredModelAlias(name, 'ok', 'x'))).toBeInstanceOf(InvalidParameter);
    });

    it('100 concurrent alias moves from two connections leave exactly one version holding the alias', async () => {
      const name = await newModel('race');
      await addVersions(name, 5);
      const other = await backend.reopen();
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          (i % 2 ? other.registry : store).setRegisteredModelAlias(name, 'champion', String((i % 5) + 1)),
        ),
      );
      const holders = [];
      for (const v of ['1', '2', '3', '4', '5']) {
        if ((await store.getModelVersion(name, v)).aliases.includes('champion')) holders.push(v);
      }
      expect(holders).toHaveLength(1);
      expect((await store.getModelVersionByAlias(name, 'champion')).version).toBe(holders[0]);
      expect((await store.getRegisteredModel(name)).aliases).toEqual([{ alias: 'champion', version: holders[0] }]);
    }, 120_000);
  });

  describe('search', () => {
    let prefix: string;
    let names: string[];
    beforeAll(async () => {
      prefix = unique('Search');
      names = [`${prefix}-b`, `${prefix}-a`, `${prefix}-c`];
      for (const n of names) {
        await store.createRegisteredModel(
          n,
          n.endsWith('-a') || n.endsWith('-c')
            ? [{ key: 'team', value: n.slice(-1) === 'a' ? 'cardio' : 'neuro' }]
            : [],
        );
        await new Promise((r) => setTimeout(r, 3));
      }
      await store.createModelVersion({
        name: names[0],
        source: 's3://x/run1/model',
        runId: 'run1',
        tags: [{ key: 'validated', value: 'yes' }],
      });
      await store.createModelVersion({ name: names[0], source: 's3://x/run2/model', runId: 'run2' });
      await new Promise((r) => setTimeout(r, 5)); // distinct last-update times for the order checks
      await store.createModelVersion({ name: names[1], source: 's3://x/run1/other', runId: 'run1' });
      await store.createModelVersion({
        name: names[1],
        source: 's3://x/run3/other',
        runId: 'run3',
        tags: [{ key: 'validated', value: 'no' }],
      });
    });

    it('filters and orders registered models and pages through them', async () => {
      const q = async (filter: string, orderBy?: string[]) =>
        (await store.searchRegisteredModels({ filter, orderBy })).items.map((m) => m.name.slice(-1));
      expect(await q(`name LIKE '${prefix}-%'`)).toEqual(['a', 'b', 'c']);
      expect(await q(`name = '${prefix}-b'`)).toEqual(['b']);
      expect(await q(`name != '${prefix}-b' AND name LIKE '${prefix}%'`)).toEqual(['a', 'c']);
      expect(await q(`name LIKE '${prefix.toLowerCase()}-%'`)).toEqual([]);
      expect(await q(`name ILIKE '${prefix.toLowerCase()}-%'`)).toEqual(['a', 'b', 'c']);
      expect(await q(`name LIKE '${prefix}-%' AND tags.team = 'cardio'`)).toEqual(['a']);
      expect(await q(`name LIKE '${prefix}-%' AND tags.team LIKE '%o'`)).toEqual(['a', 'c']);
      expect(await q(`name LIKE '${prefix}-%'`, ['name DESC'])).toEqual(['c', 'b', 'a']);
      // c has no versions; b's were created before a's, so a was updated last
      expect((await q(`name LIKE '${prefix}-%'`, ['last_updated_timestamp DESC']))[0]).toBe('a');
      expect(await q(`name LIKE '${prefix}-%'`, ['timestamp ASC'])).toEqual(['c', 'b', 'a']);

      const first = await store.searchRegisteredModels({ filter: `name LIKE '${prefix}-%'`, maxResults: 2 });
      expect(first.items.map((m) => m.name.slice(-1))).toEqual(['a', 'b']);
      expect(first.nextPageToken).toBeTruthy();
      const second = await store.searchRegisteredModels({
        filter: `name LIKE '${prefix}-%'`,
        maxResults: 2,
        pageToken: first.nextPageToken,
      });
      expect(second.items.map((m) => m.name.slice(-1))).toEqual(['c']);
      expect(second.nextPageToken).toBeUndefined();
      expect(second.items[0].latestVersions).toEqual([]);
      const b = (await store.searchRegisteredModels({ filter: `name = '${prefix}-b'` })).items[0];
      expect(b.latestVersions.map((v) => v.version)).toEqual(['2']);
    });

    it('rejects filters and order keys outside the grammar', async () => {
      for (const filter of [
        'creation_timestamp > 0',
        "name > 'a'",
        "run_id = 'x'",
        "name = 'a' OR name = 'b'",
        "metrics.x = 'y'",
        "name LIKE 'x",
      ]) {
        expect(await rejection(store.searchRegisteredModels({ filter })), filter).toBeInstanceOf(InvalidParameter);
      }
      expect(await rejection(store.searchRegisteredModels({ orderBy: ['creation_timestamp'] }))).toBeInstanceOf(
        InvalidParameter,
      );
      expect(await rejection(store.searchRegisteredModels({ orderBy: ['name', 'name DESC'] }))).toBeInstanceOf(
        InvalidParameter,
      );
      expect(await rejection(store.searchRegisteredModels({ maxResults: 1001 }))).toBeInstanceOf(InvalidParameter);
      expect(await rejection(store.searchRegisteredModels({ pageToken: 'not a token' }))).toBeInstanceOf(
        InvalidParameter,
      );
    });

    it('filters model versions by name, run_id, run_id IN, source_path, version_number and tags', async () => {
      const q = async (filter: string, orderBy?: string[]) =>
        (await store.searchModelVersions({ filter, orderBy })).items.map((v) => `${v.name.slice(-1)}${v.version}`);
      const mine = `name LIKE '${prefix}-%'`;
      expect((await q(`name = '${names[0]}'`)).sort()).toEqual(['b1', 'b2']);
      expect(await q(`${mine} AND run_id = 'run1'`, ['name ASC'])).toEqual(['a1', 'b1']);
      expect(await q(`${mine} AND run_id IN ('run2', 'run3')`, ['name ASC'])).toEqual(['a2', 'b2']);
      expect(await q(`${mine} AND run_id != 'run1'`, ['name ASC'])).toEqual(['a2', 'b2']);
      expect(await q(`${mine} AND source_path LIKE '%/other'`, ['name ASC'])).toEqual(['a2', 'a1']);
      expect(await q(`${mine} AND version_number > 1`, ['name ASC'])).toEqual(['a2', 'b2']);
      expect(await q(`${mine} AND version_number = '1'`, ['name DESC'])).toEqual(['b1', 'a1']);
      expect(await q(`${mine} AND tags.validated = 'yes'`)).toEqual(['b1']);
      expect(await q(`${mine} AND tags.\`validated\` != 'yes'`)).toEqual(['a2']);
      expect(await q(`${mine}`, ['version_number ASC', 'name DESC'])).toEqual(['b1', 'a1', 'b2', 'a2']);
      // default order: last updated first
      expect(await q(mine)).toEqual(['a2', 'a1', 'b2', 'b1']);

      const page1 = await store.searchModelVersions({ filter: mine, maxResults: 3 });
      const page2 = await store.searchModelVersions({ filter: mine, maxResults: 3, pageToken: page1.nextPageToken });
      expect([...page1.items, ...page2.items].map((v) => `${v.name.slice(-1)}${v.version}`)).toEqual([
        'a2',
        'a1',
        'b2',
        'b1',
      ]);
      expect(page2.nextPageToken).toBeUndefined();

      expect(await q(`${mine} AND version_number > 1.5`, ['name ASC'])).toEqual(['a2', 'b2']);
      expect(await q(`${mine} AND version_number < 99999999999`, ['name ASC', 'version_number ASC'])).toEqual([
        'a1',
        'a2',
        'b1',
        'b2',
      ]);
      expect(await q(`${mine} AND version_number = -99999999999`)).toEqual([]);

      for (const filter of [
        "name IN ('a')",
        "version_number LIKE '1'",
        "status = 'READY'",
        "tags.k > 'a'",
        "version_number = 'x'",
      ]) {
        expect(await rejection(store.searchModelVersions({ filter })), filter).toBeInstanceOf(InvalidParameter);
      }
      expect(await rejection(store.searchModelVersions({ orderBy: ['stage'] }))).toBeInstanceOf(InvalidParameter);
      expect(await rejection(store.searchModelVersions({ maxResults: 200_001 }))).toBeInstanceOf(InvalidParameter);
    });
  });
  describe('importRegisteredModel', () => {
    const version = (n: number, stage: string, extra: Partial<import('../store.js').ImportedModelVersion> = {}) => ({
      version: n,
      creationTime: 1_600_000_000_000 + n,
      lastUpdatedTime: 1_600_000_000_500 + n,
      description: `v${n}`,
      userId: 'bob',
      stage,
      source: `s3://bucket/m/${n}`,
      storageLocation: null,
      runId: null,
      runLink: null,
      status: 'READY',
      statusMessage: null,
      tags: [],
      ...extra,
    });

    it('keeps version numbers, stages, times, aliases and tags; deleted versions hold their numbers; a second import writes nothing', async () => {
      const name = unique('imported');
      const model = {
        name,
        description: 'from MLflow',
        creationTime: 1_500_000_000_000,
        lastUpdatedTime: 1_500_000_000_001,
        tags: [{ key: 'domain', value: 'cardio' }],
        aliases: [{ alias: 'champion', version: 2 }],
        versions: [
          version(1, 'Production'),
          version(2, 'None', { tags: [{ key: 'validated', value: 'yes' }] }),
          version(3, 'Deleted_Internal'),
        ],
      };
      expect(await store.importRegisteredModel(model, 'test')).toEqual({ created: true, versions: 2 });
      const got = await store.getRegisteredModel(name);
      expect(got).toMatchObject({
        description: 'from MLflow',
        creationTimestamp: 1_500_000_000_000,
        tags: [{ key: 'domain', value: 'cardio' }],
      });
      expect(await store.getModelVersion(name, '1')).toMatchObject({
        currentStage: 'Production',
        creationTimestamp: 1_600_000_000_001,
        userId: 'bob',
        description: 'v1',
      });
      expect((await store.getModelVersionByAlias(name, 'champion')).tags).toEqual([{ key: 'validated', value: 'yes' }]);
      expect(await rejection(store.getModelVersion(name, '3'))).toBeInstanceOf(NotFound);
      expect((await store.createModelVersion({ name, source: 's3://bucket/m/4' })).version).toBe('4');
      expect(await store.importRegisteredModel({ ...model, description: 'changed' }, 'test')).toEqual({
        created: false,
        versions: 0,
      });
      expect((await store.getRegisteredModel(name)).description).toBe('from MLflow');
    });

    it('refuses bad input and writes nothing', async () => {
      const name = unique('imported-bad');
      const base = {
        name,
        description: null,
        creationTime: null,
        lastUpdatedTime: null,
        tags: [],
        aliases: [] as Array<{ alias: string; version: number }>,
      };
      expect(
        await rejection(store.importRegisteredModel({ ...base, versions: [version(1, 'Live')] }, 't')),
      ).toBeInstanceOf(InvalidParameter);
      expect(
        await rejection(
          store.importRegisteredModel({ ...base, versions: [version(1, 'None'), version(1, 'None')] }, 't'),
        ),
      ).toBeInstanceOf(InvalidParameter);
      expect(
        await rejection(
          store.importRegisteredModel(
            {
              ...base,
              aliases: [{ alias: 'champion', version: 2 }],
              versions: [version(1, 'None'), version(2, 'Deleted_Internal')],
            },
            't',
          ),
        ),
      ).toBeInstanceOf(InvalidParameter);
      expect(await rejection(store.getRegisteredModel(name))).toBeInstanceOf(NotFound);
    });
  });
});
