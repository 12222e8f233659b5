// `importMlruns` into a real SQLite store from hand-written file stores: a symbolic link in the
// metadata (meta.yaml, params, metrics, tags, inputs, a registered model's meta.yaml) leading out of
// the tree refuses the whole import, naming the link, and writes nothing; links that stay inside
// the tree keep working.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidParameter } from '../../core/errors.js';
import { importMlrunsModels } from '../../registry/import/mlruns-models.js';
import { openSqlStores, type SqlStores } from '../../registry/open-stores.js';
import { assertMetadataInTree } from './metadata-confinement.js';
import { importMlruns } from './mlruns-import.js';

const RUN = 'b'.repeat(32);
const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-confine-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
let base: string;
beforeEach(() => {
  base = path.join(tmp, `case-${n++}`);
  mkdirSync(base);
});

/** An mlruns/ with experiment 1 ("confined") holding run RUN: a param, a metric and a tag. */
function writeStore(): { mlruns: string; run: string } {
  const mlruns = path.join(base, 'mlruns');
  const run = path.join(mlruns, '1', RUN);
  for (const d of ['params', 'metrics', 'tags']) mkdirSync(path.join(run, d), { recursive: true });
  writeFileSync(path.join(mlruns, '1', 'meta.yaml'), "experiment_id: '1'\nlifecycle_stage: active\nname: confined\n");
  writeFileSync(
    path.join(run, 'meta.yaml'),
    `artifact_uri: file://${run}/artifacts\nexperiment_id: '1'\nlifecycle_stage: active\nrun_id: ${RUN}\n` +
      'run_name: r\nstart_time: 1\nend_time: 2\nstatus: 3\nuser_id: u\n',
  );
  writeFileSync(path.join(run, 'params', 'alpha'), '0.5');
  writeFileSync(path.join(run, 'metrics', 'loss'), '10 0.25 0\n');
  writeFileSync(path.join(run, 'tags', 'team'), 'cardio');
  return { mlruns, run };
}

/** A file outside every store. */
function secretFile(): string {
  const dir = path.join(base, 'elsewhere');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'secret');
  writeFileSync(file, '10 42 0\n');
  return file;
}

async function withStore<T>(fn: (stores: SqlStores, artifacts: string) => Promise<T>): Promise<T> {
  const stores = await openSqlStores(`sqlite:///${path.join(base, 'cairn.db')}`, {
    defaultArtifactRoot: path.join(base, 'artifacts'),
  });
  try {
    return await fn(stores, path.join(base, 'artifacts'));
  } finally {
    await stores.close();
  }
}

/** Imports and expects a refusal naming `link`; then checks nothing was written. */
async function expectRefused(mlruns: string, link: string): Promise<void> {
  await withStore(async (stores, artifacts) => {
    const before = (await stores.tracking.searchExperiments({ viewType: 'ALL' as const })).items.map((e) => e.name);
    const err = await importMlruns(stores.tracking, mlruns, { artifactsDestination: artifacts }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidParameter);
    expect(err.message).toContain(`Import refused: ${link} is a symbolic link to `);
    expect(err.message).toContain(`outside the source tree ${mlruns}`);
    expect(err.message).toContain('nothing was imported');
    const after = (await stores.tracking.searchExperiments({ viewType: 'ALL' as const })).items.map((e) => e.name);
    expect(after).toEqual(before);
    await expect(stores.tracking.getRun(RUN)).rejects.toThrow(/not found/i);
  });
}

describe('metadata of an imported file store stays inside it', () => {
  it('refuses a run meta.yaml linked out of the tree', async () => {
    const { mlruns, run } = writeStore();
    const outside = path.join(base, 'elsewhere', 'meta.yaml');
    mkdirSync(path.dirname(outside), { recursive: true });
    writeFileSync(outside, `run_id: ${RUN}\nstatus: 3\n`);
    rmSync(path.join(run, 'meta.yaml'));
    symlinkSync(outside, path.join(run, 'meta.yaml'));
    await expectRefused(mlruns, path.join(run, 'meta.yaml'));
  });

  it('refuses a metric file, a params directory or a tag linked out of the tree', async () => {
    for (const [sub, make] of [
      ['metrics/stolen', (link: string) => symlinkSync(secretFile(), link)],
      ['params', (link: string) => symlinkSync(path.dirname(secretFile()), link)],
      ['tags/team', (link: string) => symlinkSync(secretFile(), link)],
    ] as const) {
      const { mlruns, run } = writeStore();
      const link = path.join(run, sub);
      rmSync(link, { recursive: true, force: true });
      make(link);
      await expectRefused(mlruns, link);
      base = path.join(tmp, `case-${n++}`);
      mkdirSync(base);
    }
  });

  it('refuses a chain of links that leaves the tree, even through a run artifacts directory', async () => {
    const { mlruns, run } = writeStore();
    // artifacts/ is the copier's business (links there are left out and reported), but metadata
    // reached through it is not: inputs/x -> artifacts/ds, whose meta.yaml leads out
    mkdirSync(path.join(run, 'artifacts', 'ds'), { recursive: true });
    const leak = path.join(run, 'artifacts', 'ds', 'meta.yaml');
    symlinkSync(secretFile(), leak);
    mkdirSync(path.join(run, 'inputs'));
    symlinkSync(path.join(run, 'artifacts', 'ds'), path.join(run, 'inputs', 'x'));
    await expectRefused(mlruns, path.join(run, 'inputs', 'x', 'meta.yaml'));
  });

  it("refuses a registered model's meta.yaml linked out of the tree", async () => {
    const { mlruns } = writeStore();
    mkdirSync(path.join(mlruns, 'models', 'm'), { recursive: true });
    const link = path.join(mlruns, 'models', 'm', 'meta.yaml');
    symlinkSync(secretFile(), link);
    await expectRefused(mlruns, link);
    // the registry's own importer refuses it too, when called without importMlruns first
    await withStore(async (stores) => {
      const err = await importMlrunsModels(stores.registry, mlruns, new Map()).catch((e) => e);
      expect(err).toBeInstanceOf(InvalidParameter);
      expect(err.message).toContain(`Import refused: ${link} is a symbolic link to `);
      expect((await stores.registry.searchRegisteredModels({})).items).toEqual([]);
    });
  });

  it('leaves a link among the artifacts to the artifact copier (reported there, not refused here)', async () => {
    const { mlruns, run } = writeStore();
    mkdirSync(path.join(run, 'artifacts'));
    symlinkSync(secretFile(), path.join(run, 'artifacts', 'leak.txt'));
    await expect(assertMetadataInTree(mlruns)).resolves.toBeUndefined();
    await withStore(async (stores, artifacts) => {
      const summary = await importMlruns(stores.tracking, mlruns, { artifactsDestination: artifacts });
      expect(summary.runsCreated).toBe(1);
      expect(summary.artifactProblems.map((p) => p.reason)).toEqual([
        'leak.txt (a symbolic link) left out: only regular files and directories are copied',
      ]);
    });
  });

  it('follows links that stay inside the tree: meta.yaml, a params directory and a metric file', async () => {
    const { mlruns, run } = writeStore();
    const shared = path.join(mlruns, 'shared');
    mkdirSync(path.join(shared, 'params'), { recursive: true });
    writeFileSync(path.join(shared, 'params', 'beta'), '7');
    // meta.yaml moved into shared/ and linked back (a relative link)
    const meta = path.join(run, 'meta.yaml');
    writeFileSync(path.join(shared, 'run-meta.yaml'), readFileSync(meta));
    rmSync(meta);
    symlinkSync(path.relative(run, path.join(shared, 'run-meta.yaml')), meta);
    rmSync(path.join(run, 'params'), { recursive: true });
    symlinkSync(path.join(shared, 'params'), path.join(run, 'params'));
    writeFileSync(path.join(shared, 'accuracy'), '10 0.75 3\n');
    symlinkSync(path.join(shared, 'accuracy'), path.join(run, 'metrics', 'accuracy'));
    await expect(assertMetadataInTree(mlruns)).resolves.toBeUndefined();
    await withStore(async (stores, artifacts) => {
      const summary = await importMlruns(stores.tracking, mlruns, { artifactsDestination: artifacts });
      expect(summary.skipped).toEqual([]);
      expect(summary.runsCreated).toBe(1);
      const got = await stores.tracking.getRun(RUN);
      expect(got.data.params).toEqual([{ key: 'beta', value: '7' }]);
      const metrics = got.data.metrics.map((m) => [m.key, m.value, m.step]);
      expect(metrics.sort()).toEqual([
        ['accuracy', 0.75, 3],
        ['loss', 0.25, 0],
      ]);
    });
  });
});
