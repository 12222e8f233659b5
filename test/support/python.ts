// Runs Debian's Python (which has scikit-learn, XGBoost and pandas) with a JSON payload on stdin
// and parses the JSON it prints: the parity tests compare Cairn against the real libraries this way.
import { spawnSync } from 'node:child_process';

export const DEBIAN_PYTHON = '/usr/bin/python3';

export function runPython<T = unknown>(script: string, input: unknown = null, timeoutMs = 120_000): T {
  const res = spawnSync(DEBIAN_PYTHON, ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: timeoutMs,
  });
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`python exited ${res.status}:\n${res.stderr}`);
  return JSON.parse(res.stdout) as T;
}

/** Null when Debian's Python imports `module`, else why not. */
export function pythonImportError(module: string): string | null {
  const res = spawnSync(DEBIAN_PYTHON, ['-c', `import ${module}`], { encoding: 'utf8', timeout: 60_000 });
  if (res.error) return `${DEBIAN_PYTHON}: ${res.error.message}`;
  return res.status === 0 ? null : `${DEBIAN_PYTHON} cannot import ${module}`;
}

/** True when Debian's scikit-learn is installed (tests skip with `lacks('sklearn')`, test/support/requirements.ts). */
export function hasSklearn(): boolean {
  return pythonImportError('sklearn') === null;
}

/** True when Debian's XGBoost is installed. */
export function hasXgboost(): boolean {
  return pythonImportError('xgboost') === null;
}
