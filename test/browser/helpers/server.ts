/**
 * Starts the web-mode server for a test file: the real `gmvae serve --port 0 --json` on a fresh
 * home folder, or (GMVAE_UI_BACKEND=fake, or when the real command does not exist yet) the
 * in-memory FakeBackend served the same way. Both print {url, port, token} on one line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { tempDir } from '../../helpers/temp.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export interface Served {
  url: string;
  port: number;
  token: string;
  kind: 'real' | 'fake';
  home: string;
  stop(): Promise<void>;
  /** Everything the server wrote to stderr (for failure messages). */
  log(): string;
}

function start(kind: 'real' | 'fake', home: string, extra: string[]): Promise<Served> {
  const args =
    kind === 'real'
      ? [path.join(ROOT, 'bin/gmvae.js'), '--home', home, 'serve', '--port', '0', '--json']
      : [path.join(ROOT, 'test/browser/helpers/fake-serve.ts'), '--port', '0', ...extra];
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
      reject(new Error(`${kind} server did not print its address within 30 s\n${stderr}`));
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
          kind,
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
      reject(new Error(`${kind} server exited with ${code} before printing its address\n${stderr}`));
    });
  });
}

/** The real server unless told otherwise or unavailable (then the fake, said in the diagnostic). */
export async function serve(options: { seed?: boolean } = {}): Promise<Served> {
  const home = tempDir('gmvae-ui-');
  const wanted = process.env.GMVAE_UI_BACKEND;
  const extra = options.seed ? ['--seed'] : [];
  if (wanted === 'fake') return start('fake', home, extra);
  try {
    return await start('real', home, extra);
  } catch (error) {
    if (wanted === 'real') throw error;
    process.stderr.write(
      `# real server unavailable (${(error as Error).message.split('\n')[0]}); using the fake back end\n`,
    );
    return start('fake', home, extra);
  }
}
