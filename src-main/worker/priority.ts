/**
 * Training's CPU priority, applied by the engine process to itself (the supervisor says which,
 * host/supervisor.ts `trainingNiceness`). A run trains on every core (OpenBLAS starts a thread per core); at
 * the default priority two runs leave the window's main thread (and web mode's browser)
 * waiting for a core, so frames and garbage collections that take a few milliseconds of work
 * take a hundred and more (docs/performance.md, "The interface while runs train"). At nice 10
 * training still gets every cycle that nothing interactive wants.
 */
import fs from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Lowers this process to `niceness`, every thread it has now; threads it starts later inherit
 * the value from the thread that starts them. On Linux niceness belongs to a thread, not to
 * the process, so each thread in /proc/self/task is set (Node's and V8's were started before
 * this runs); elsewhere the call sets the whole process. It only ever raises a niceness, which
 * needs no privileges; a system that refuses anyway leaves training at the default priority.
 */
export function lowerOwnPriority(niceness: number): void {
  if (niceness <= 0) return;
  const threads = process.platform === 'linux' ? fs.readdirSync('/proc/self/task').map(Number) : [0];
  for (const thread of threads) {
    try {
      if (getPriority(thread) < niceness) setPriority(thread, niceness);
    } catch {
      // Gone meanwhile, or not permitted (some sandboxes): that thread keeps its priority.
    }
  }
}
