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

/** True when Debian's scikit-learn is installed (CI installs it in scripts/setup-system.sh). */
export function hasSklearn(): boolean {
  return spawnSync(DEBIAN_PYTHON, ['-c', 'import sklearn, xgboost'], { encoding: 'utf8' }).status === 0;
}
