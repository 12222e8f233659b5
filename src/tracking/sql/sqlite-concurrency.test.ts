// Concurrent writers on one SQLite file: within one store, across store instances, and across
// real OS processes. None may see "database is locked" or lose a write.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTrackingStore } from '../open-store.js';
import type { TrackingStore } from '../store.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-sqlite-conc-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function hammer(store: TrackingStore, experimentId: string, label: string, writes: number): Promise<string[]> {
  const errors: string[] = [];
  const run = await store.createRun({ experimentId, runName: label });
  for (let i = 0; i < writes; i += 1) {
    try {
      await store.logBatch(run.info.runId, {
        metrics: [{ key: 'loss', value: i, timestamp: i, step: i }],
        params: [{ key: `p${i}`, value: label }],
        tags: [{ key: 'progress', value: String(i) }],
      });
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  return errors;
}

describe('SQLite concurrency', () => {
  it('8 concurrent async writers on one store: no errors, nothing lost', async () => {
    const store = await openTrackingStore(`sqlite:///${join(dir, 'one.db')}`, { defaultArtifactRoot: '/a' });
    const exp = await store.createExperiment('conc');
    const errors = (await Promise.all(Array.from({ length: 8 }, (_, w) => hammer(store, exp, `w${w}`, 40)))).flat();
    expect(errors).toEqual([]);
    const runs = await store.searchRuns({ experimentIds: [exp] });
    expect(runs.items).toHaveLength(8);
    for (const run of runs.items) {
      expect(run.data.params).toHaveLength(40);
      expect(run.data.metrics).toEqual([{ key: 'loss', value: 39, timestamp: 39, step: 39 }]);
    }
    await store.close();
  });

  it('two store instances on one file writing concurrently: no "database is locked"', async () => {
    const uri = `sqlite:///${join(dir, 'two.db')}`;
    const [a, b] = await Promise.all([
      openTrackingStore(uri, { defaultArtifactRoot: '/a' }),
      openTrackingStore(uri, { defaultArtifactRoot: '/a' }),
    ]);
    const exp = await a.createExperiment('shared');
    const errors = (
      await Promise.all([
        ...Array.from({ length: 4 }, (_, w) => hammer(a, exp, `a${w}`, 30)),
        ...Array.from({ length: 4 }, (_, w) => hammer(b, exp, `b${w}`, 30)),
      ])
    ).flat();
    expect(errors).toEqual([]);
    expect((await b.searchRuns({ experimentIds: [exp] })).items).toHaveLength(8);
    await Promise.all([a.close(), b.close()]);
  });

  it('three OS processes migrating and writing one file at once: no errors', async () => {
    const uri = `sqlite:///${join(dir, 'procs.db')}`;
    const runChild = () =>
      new Promise<{ writes: number; errors: string[] }>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', 'test/support/tracking-writer-process.ts', uri, '0', '120'],
          { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => {
          out += d;
        });
        child.stderr.on('data', (d) => {
          err += d;
        });
        child.once('error', reject);
        child.once('close', () => {
          try {
            resolve(JSON.parse(out.trim().split('\n').pop() ?? ''));
          } catch {
            reject(new Error(`child output: ${out}\n${err}`));
          }
        });
      });
    const results = await Promise.all([runChild(), runChild(), runChild()]);
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(results.map((r) => r.writes)).toEqual([480, 480, 480]);
    const store = await openTrackingStore(uri, { defaultArtifactRoot: '/a' });
    const runs = await store.searchRuns({ experimentIds: ['0'] });
    expect(runs.items).toHaveLength(12);
    expect(runs.items.every((r) => r.data.metrics[0]?.step === 119)).toBe(true);
    await store.close();
  });
});
