/** Runs the real `gmvae` command in a child process, as a user or script would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const GMVAE_BIN = fileURLToPath(new URL('../../bin/gmvae.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function startGmvae(home: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn(process.execPath, [GMVAE_BIN, '--home', home, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
}

export function gmvae(home: string, args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult> {
  const child = startGmvae(home, args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Runs a --json command that must succeed, and parses its one JSON object. */
export async function gmvaeJson<T = Record<string, unknown>>(home: string, args: string[]): Promise<T> {
  const result = await gmvae(home, [...args, '--json']);
  if (result.code !== 0) throw new Error(`gmvae ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  const lines = result.stdout.trim().split('\n');
  if (lines.length !== 1) throw new Error(`expected one JSON line on stdout, got ${lines.length}`);
  return JSON.parse(lines[0]!) as T;
}
