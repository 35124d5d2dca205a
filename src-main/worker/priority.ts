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
  lowerOwnAutogroup(niceness);
  const threads = process.platform === 'linux' ? fs.readdirSync('/proc/self/task').map(Number) : [0];
  for (const thread of threads) {
    try {
      if (getPriority(thread) < niceness) setPriority(thread, niceness);
    } catch {
      // Gone meanwhile, or not permitted (some sandboxes): that thread keeps its priority.
    }
  }
}

/**
 * Linux's autogroup scheduling (on in most desktop kernels) shares the CPU between sessions
 * first and by niceness only within a session. An engine the supervisor starts detached leads a
 * session of its own, so its threads' niceness alone would not make it yield to the window's
 * session: its autogroup gets the same niceness. Only when it leads its session: otherwise the
 * group holds the application too (Electron's utility process, Windows), which must keep its
 * priority.
 */
function lowerOwnAutogroup(niceness: number): void {
  if (process.platform !== 'linux') return;
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    // After the command name (in parentheses, may hold spaces): state, ppid, pgrp, session.
    const session = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
    if (session !== process.pid) return;
    const current = Number(/nice (-?\d+)/.exec(fs.readFileSync('/proc/self/autogroup', 'utf8'))?.[1]);
    if (current < niceness) fs.writeFileSync('/proc/self/autogroup', String(niceness));
  } catch {
    // No autogroup in this kernel, or not permitted: niceness per thread is what there is.
  }
}
