// Runs the `cairn` CLI from source as a child process, with no tracking URI or user inherited.
import { spawn } from 'node:child_process';
import path from 'node:path';

const REPO = path.resolve(import.meta.dirname, '../..');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Async spawn: a server under test may run in the calling process, so a sync spawn would deadlock it. */
export function runCairnCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), ...args], {
      cwd: REPO,
      env: { ...process.env, MLFLOW_TRACKING_URI: '', CAIRN_TRACKING_URI: '', CAIRN_USER: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}
