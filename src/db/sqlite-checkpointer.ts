// Moves WAL checkpoints off the request path: a worker thread with its own connection runs
// PASSIVE checkpoints on a timer. SQLite otherwise checkpoints inside whichever commit crosses
// wal_autocheckpoint, blocking that process's event loop (copy + fsync) for tens of milliseconds.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the thread checkpoints; a PASSIVE checkpoint with nothing to copy costs microseconds. */
export const CHECKPOINT_INTERVAL_MS = 200;

// CommonJS run by the worker thread (eval): no TypeScript loader needed there.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename);
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or locked: next tick */ }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.close(); } finally { parentPort.close(); }
});
parentPort.postMessage('ready');
`;

export class SqliteCheckpointer {
  private constructor(private readonly worker: Worker) {}

  /**
   * Starts the thread; resolves once its connection is open, or rejects if it cannot open one.
   * `onExit` is called if the thread later ends without stop() (the caller restores autocheckpoints).
   */
  static start(filename: string, onExit: () => void, intervalMs = CHECKPOINT_INTERVAL_MS): Promise<SqliteCheckpointer> {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, filename, intervalMs } });
    worker.unref();
    return new Promise((resolve, reject) => {
      let started = false;
      worker.once('message', () => {
        started = true;
        resolve(new SqliteCheckpointer(worker));
      });
      worker.on('error', (error) => {
        if (!started) reject(error);
      });
      worker.once('exit', (code) => {
        if (started) onExit();
        else reject(new Error(`checkpointer thread exited (${code}) before starting`));
      });
    });
  }

  /** Stops the timer and closes the thread's connection. */
  async stop(): Promise<void> {
    this.worker.removeAllListeners('exit');
    this.worker.ref(); // keeps the process alive until the thread has closed its connection
    const exited = new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
    });
    this.worker.postMessage('stop');
    await exited;
  }
}
