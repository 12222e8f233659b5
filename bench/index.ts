// Benchmark dispatcher: `npm run bench -- <name> [args…]` runs bench/<name>.ts, whose module
// exports `run(args: string[])`. Benchmarks are not tests: they print tables and write bench/out/.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface BenchModule {
  run(args: string[]): Promise<void> | void;
}

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(benchDir)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name> [args…]\navailable: ${available.join(', ') || '(none)'}`);
  process.exit(name ? 2 : 0);
}

const mod = (await import(pathToFileURL(path.join(benchDir, `${name}.ts`)).href)) as Partial<BenchModule>;
if (typeof mod.run !== 'function') {
  console.error(`bench/${name}.ts does not export run(args)`);
  process.exit(2);
}
await mod.run(args);
