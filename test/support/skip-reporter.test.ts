// The skip reporter end to end: Vitest runs a fixture whose test needs the shared data, with
// CAIRN_SHARED pointing nowhere; the summary names the requirement and the command that provides
// it, and the run fails only when CI=true.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { summariseSkips } from './skip-reporter.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CONFIG = path.join(ROOT, 'test/fixtures/skip-reporter/vitest.fixture.config.ts');

function runFixture(env: Record<string, string | undefined>) {
  const vitest = path.join(ROOT, 'node_modules/vitest/vitest.mjs');
  const res = spawnSync(process.execPath, [vitest, 'run', '--config', CONFIG], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, CI: undefined, ...env },
  });
  return { status: res.status, out: `${res.stdout}${res.stderr}` };
}

describe('skip reporter', () => {
  it('reports a missing requirement with its command, and passes outside CI', () => {
    const { status, out } = runFixture({ CAIRN_SHARED: '/nonexistent-shared' });
    expect(out).toContain('SKIPPED (needs shared-data: put the shared folder at /nonexistent-shared');
    expect(out).toMatch(/\): 1 file\n {2}test\/fixtures\/skip-reporter\/needs-shared\.fixture\.ts/);
    expect(out).toContain('tests: 1 passed, 0 failed, 1 skipped');
    expect(status).toBe(0);
  }, 120_000);

  it('fails the run under CI=true, where every requirement must be installed', () => {
    const { status, out } = runFixture({ CAIRN_SHARED: '/nonexistent-shared', CI: 'true' });
    expect(out).toContain('CI must run every test');
    expect(status).toBe(1);
  }, 120_000);

  it('reports nothing when the requirement is met', () => {
    const shared = mkdtempSync(path.join(tmpdir(), 'cairn-shared-'));
    mkdirSync(path.join(shared, 'data'));
    const { status, out } = runFixture({ CAIRN_SHARED: shared, CI: 'true' });
    rmSync(shared, { recursive: true, force: true });
    expect(out).not.toContain('SKIPPED');
    expect(out).toContain('tests: 2 passed, 0 failed, 0 skipped');
    expect(status).toBe(0);
  }, 120_000);
});

describe('summariseSkips', () => {
  it('groups skips by requirement, counts each file once, and sorts', () => {
    const rec = (requirement: string, file: string) => ({
      requirement,
      reason: 'r',
      enable: `enable ${requirement}`,
      file,
    });
    const lines = summariseSkips(
      [
        rec('sklearn', '/repo/b.test.ts'),
        rec('postgres', '/repo/a.test.ts'),
        rec('sklearn', '/repo/a.test.ts'),
        rec('sklearn', '/repo/b.test.ts'),
      ],
      '/repo',
    );
    expect(lines).toEqual([
      'SKIPPED (needs postgres: enable postgres): 1 file',
      '  a.test.ts',
      'SKIPPED (needs sklearn: enable sklearn): 2 files',
      '  a.test.ts, b.test.ts',
    ]);
  });
});
