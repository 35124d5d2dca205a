/** An in-process web-mode server on a fresh home, for the server tests. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkbenchService } from '../../../src-main/host/workbench-service.ts';
import { Store } from '../../../src-main/host/store/index.ts';
import { newToken } from '../../../src-main/server/auth.ts';
import { DownloadStore } from '../../../src-main/server/downloads.ts';
import { UploadStore, type UploadLimits } from '../../../src-main/server/uploads.ts';
import { startWebServer, type RunningWebServer } from '../../../src-main/server/web-server.ts';
import { tempDir } from '../../helpers/temp.ts';

export interface TestServer {
  server: RunningWebServer;
  service: WorkbenchService;
  uploads: UploadStore;
  downloads: DownloadStore;
  home: string;
  token: string;
  /** http://127.0.0.1:PORT/ (no token). */
  base: string;
  stop(): Promise<void>;
}

export async function startTestServer(
  options: { uploadLimits?: Partial<UploadLimits>; uploads?: UploadStore; uploadIdleMs?: number } = {},
): Promise<TestServer> {
  const home = tempDir();
  const renderer = tempDir();
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>GMVAE Workbench</title>');
  const store = await Store.open(home);
  const uploads =
    options.uploads ??
    new UploadStore(path.join(tempDir(), 'uploads'), { limits: options.uploadLimits ?? {} });
  const downloads = DownloadStore.inHome(home);
  const service = new WorkbenchService({
    store,
    home,
    mode: 'web',
    version: '0.0.0',
    resolveUploads: (g) => uploads.resolve(g),
    releaseUploads: (g) => uploads.release(g),
    stageExport: (name, checkpoint) => downloads.stage(name, checkpoint),
  });
  const token = newToken();
  const server = await startWebServer({
    api: service,
    onEvent: (l) => service.onEvent(l),
    rendererDir: renderer,
    uploads,
    downloads,
    token,
    host: '127.0.0.1',
    port: 0,
    ...(options.uploadIdleMs ? { uploadIdleMs: options.uploadIdleMs } : {}),
  });
  return {
    server,
    service,
    uploads,
    downloads,
    home,
    token,
    base: `http://127.0.0.1:${server.port}/`,
    stop: async () => {
      await service.shutdown();
      await server.close();
      downloads.dispose();
      store.close();
    },
  };
}

export interface ChildServer {
  port: number;
  token: string;
  base: string;
  uploads: string;
  /** Whether the process is still running. */
  alive(): boolean;
  /** What the process wrote to stderr. */
  log(): string;
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('../fixtures/serve-child.ts', import.meta.url));

/** startTestServer in a child process (see fixtures/serve-child.ts). */
export function spawnTestServer(env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, [CHILD], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the test server did not start within 30 s\n${stderr}`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the test server exited with ${code}\n${stderr}`));
    });
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!stdout.includes('\n')) return;
      clearTimeout(timer);
      const info = JSON.parse(stdout.split('\n')[0]!) as { port: number; token: string; uploads: string };
      resolve({
        ...info,
        base: `http://127.0.0.1:${info.port}/`,
        alive: () => child.exitCode === null && child.signalCode === null,
        log: () => stderr,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
      });
    });
  });
}
