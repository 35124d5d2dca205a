/**
 * Engine processes in the app: Electron's utilityProcess (a Node child that Electron manages,
 * closed with the app), presented to the supervisor as the same WorkerHandle as child_process.
 */
import type { UtilityProcess } from 'electron';
import type { SupervisorMessage, WorkerMessage } from '../common/worker-protocol.ts';
import type { WorkerHandle, WorkerLauncher } from '../host/supervisor.ts';

export interface UtilityProcessDeps {
  fork(
    modulePath: string,
    args?: string[],
    options?: { serviceName?: string; stdio?: 'inherit' | 'pipe' | 'ignore' },
  ): UtilityProcess;
}

export function utilityProcessLauncher(utilityProcess: UtilityProcessDeps, entry: string): WorkerLauncher {
  return (): WorkerHandle => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'GMVAE engine', stdio: 'inherit' });
    return {
      get pid() {
        return child.pid;
      },
      send: (message: SupervisorMessage) => child.postMessage(message),
      onMessage: (listener) => child.on('message', (message: unknown) => listener(message as WorkerMessage)),
      onExit: (listener) => child.on('exit', (code: number) => listener(code)),
      kill: () => void child.kill(),
    };
  };
}
