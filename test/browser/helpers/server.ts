/**
 * Starts the web-mode server for a test file: the real `gmvae serve --port 0 --json` on a fresh
 * home folder, which prints {url, port, token} on one line. There is no fallback: if the real
 * server cannot start, the browser tests fail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { tempDir } from '../../helpers/temp.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export interface Served {
  url: string;
  port: number;
  token: string;
  home: string;
  stop(): Promise<void>;
  /** Everything the server wrote to stderr (for failure messages). */
  log(): string;
}

function start(home: string): Promise<Served> {
  const args = [path.join(ROOT, 'bin/gmvae.js'), '--home', home, 'serve', '--port', '0', '--json'];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, GMVAE_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gmvae serve did not print its address within 30 s\n${stderr}`));
    }, 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n').find((l) => l.trim().startsWith('{'));
      if (!line || !stdout.includes('\n')) return;
      clearTimeout(timer);
      try {
        const info = JSON.parse(line) as { url: string; port: number; token: string; error?: string };
        if (info.error || !info.url) throw new Error(info.error ?? `unexpected: ${line}`);
        resolve({
          ...info,
          home,
          log: () => stderr,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 5000).unref();
            }),
        });
      } catch (error) {
        child.kill('SIGKILL');
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gmvae serve exited with ${code} before printing its address\n${stderr}`));
    });
  });
}

/** Serves `home` (default: a fresh folder). */
export async function serve(home: string = tempDir('gmvae-ui-')): Promise<Served> {
  return start(home);
}
