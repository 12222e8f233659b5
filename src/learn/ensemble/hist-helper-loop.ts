// The worker side of a histogram helper session (hist-helper.ts): sleeps on the session's shared
// control block, claims tasks of each published job alongside the fitting thread, and runs them
// with the same kernels, until the fitting thread sets STOP.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { runTask, TASK_INTS, type HistKernelData } from './hist-kernels.js';
import { claimTask, CTRL, TASK_DONE } from './hist-helper.js';

export interface HistHelperSession {
  /** Control block (CTRL) on a SharedArrayBuffer. */
  ctrl: Int32Array;
  /** Kernel data messages from the fitting thread: { id, data } (the last one wins; id 0 releases). */
  port: MessagePort;
}

/** Spin this long after a job before sleeping: the next job of the same tree usually follows within it. */
const SPIN_MS = 0.2;

/** Runs the session until STOP; the number of tasks this thread ran. */
export function serveHistHelper({ ctrl, port }: HistHelperSession): number {
  let data: HistKernelData | null = null;
  let dataId = 0;
  let seen = 0;
  let ran = 0;

  const drainPort = (): void => {
    for (let msg = receiveMessageOnPort(port); msg; msg = receiveMessageOnPort(port)) {
      const m = msg.message as { id: number; data: HistKernelData | null };
      data = m.data;
      dataId = m.id;
    }
  };
  const haveData = (id: number): boolean => {
    for (let tries = 0; dataId !== id && tries < 200; tries++) {
      drainPort();
      if (dataId !== id) Atomics.wait(ctrl, CTRL.IDLE, 0, 1);
    }
    return dataId === id && data !== null;
  };
  const stopped = (): boolean => Atomics.load(ctrl, CTRL.STOP) !== 0;
  /** The next job's sequence number; -1 once the session is over. */
  const nextSeq = (): number => {
    const until = performance.now() + SPIN_MS;
    for (let spin = 1; ; spin++) {
      const s = Atomics.load(ctrl, CTRL.SEQ);
      if (s !== seen) return s;
      if ((spin & 127) === 0 && (stopped() || performance.now() > until)) break;
    }
    for (;;) {
      if (stopped()) return -1;
      if (Atomics.wait(ctrl, CTRL.SEQ, seen, 1000) === 'timed-out') drainPort();
      const s = Atomics.load(ctrl, CTRL.SEQ);
      if (s !== seen) return s;
    }
  };

  Atomics.store(ctrl, CTRL.READY, 1);
  try {
    for (;;) {
      const seq = nextSeq();
      if (seq < 0) return ran;
      seen = seq;
      const kind = Atomics.load(ctrl, CTRL.KIND),
        count = Atomics.load(ctrl, CTRL.COUNT),
        id = Atomics.load(ctrl, CTRL.DATA_ID);
      if (Atomics.load(ctrl, CTRL.CLAIM) >>> 16 !== seq || !haveData(id)) continue;
      try {
        const d = data!;
        for (let i = claimTask(ctrl, seq, count); i >= 0; i = claimTask(ctrl, seq, count)) {
          runTask(d, kind, i);
          d.tasks[i * TASK_INTS + TASK_DONE] = 1;
          ran++;
          Atomics.add(ctrl, CTRL.HELPER_TASKS, 1);
          Atomics.add(ctrl, CTRL.FINISHED, 1);
          Atomics.notify(ctrl, CTRL.FINISHED);
        }
      } catch (e) {
        // the fitting thread sees ERROR, runs the rest itself and ends the session
        Atomics.store(ctrl, CTRL.ERROR, 1);
        Atomics.notify(ctrl, CTRL.FINISHED);
        throw e;
      }
    }
  } finally {
    port.close();
  }
}
