// A Vitest reporter that ends the run with what was skipped for want of a requirement (from the skip
// log test/support/requirements.ts writes), the command that provides each, and a plain closing line
// ("tests: N passed, N failed, N skipped"). With CI=true a skipped requirement fails the run: the CI
// machine installs everything, so a skip there means its set-up is broken.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/** Environment variable naming the skip log (one JSON line per skip), set for the test workers. */
export const SKIP_LOG_ENV = 'CAIRN_SKIP_LOG';

/** One skip as the skip log records it. */
export interface SkipRecord {
  requirement: string;
  reason: string;
  enable: string;
  file: string;
}

function readSkips(file: string): SkipRecord[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as SkipRecord);
}

/** One line per missing requirement: what it needs, how to enable it, and which files skipped. */
export function summariseSkips(skips: SkipRecord[], root: string): string[] {
  const byRequirement = new Map<string, { enable: string; files: Set<string> }>();
  for (const s of skips) {
    const entry = byRequirement.get(s.requirement) ?? { enable: s.enable, files: new Set<string>() };
    entry.files.add(path.relative(root, s.file));
    byRequirement.set(s.requirement, entry);
  }
  const lines: string[] = [];
  for (const [requirement, { enable, files }] of [...byRequirement].sort(([a], [b]) => a.localeCompare(b))) {
    const count = `${files.size} file${files.size === 1 ? '' : 's'}`;
    lines.push(`SKIPPED (needs ${requirement}: ${enable}): ${count}`);
    lines.push(`  ${[...files].sort().join(', ')}`);
  }
  return lines;
}

export default class SkipReporter implements Reporter {
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'cairn-skips-'));
  private readonly log = path.join(this.dir, 'skips.jsonl');
  private root = process.cwd();

  constructor() {
    // Set before the pool forks its workers, which inherit it.
    process.env[SKIP_LOG_ENV] = this.log;
    writeFileSync(this.log, '');
    process.once('exit', () => rmSync(this.dir, { recursive: true, force: true }));
  }

  onInit(ctx: { config: { root: string } }): void {
    this.root = ctx.config.root;
  }

  onTestRunStart(): void {
    writeFileSync(this.log, ''); // watch mode: each run reports its own skips
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    for (const m of modules) {
      const before = counts.failed;
      for (const t of m.children.allTests()) counts[t.result().state] += 1;
      // A file that failed to load has no tests to count: count it as one failure.
      if (m.state() === 'failed' && counts.failed === before) counts.failed += 1;
    }
    const lines = summariseSkips(readSkips(this.log), this.root);
    const out = process.stdout;
    if (lines.length > 0) {
      out.write(`\n${lines.join('\n')}\n`);
      if (process.env.CI === 'true') {
        out.write('CI must run every test: the requirements above are missing on this machine');
        out.write(' (scripts/setup-system.sh installs them)\n');
        process.exitCode = 1;
      }
    }
    out.write(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped + counts.pending} skipped\n`);
  }
}
