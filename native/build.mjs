#!/usr/bin/env node
// Builds the optional BLAS addon (native/binding.gyp) for the engine's 'blas' backend.
//
// Run by the root package's `install` script, so `npm install` / `npm ci` build it where they
// can. It never fails the install: without a C compiler, OpenBLAS headers (libopenblas-dev) or
// node-gyp it prints one line and exits 0, and the engine runs on wasm instead (the backend's
// "skipped" line says why). Plain JavaScript so that any Node that runs npm can run it.
//
//   node native/build.mjs            build, or explain in one line why not
//   GMVAE_SKIP_NATIVE=1              do not try
//   node native/build.mjs --strict   exit non-zero when the build fails (npm run build:native)
//   GMVAE_NATIVE_STRICT=1            the same
// Under CI (CI set) a failed build also prints the end of its log; the backend tests then fail.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const strict = process.argv.includes('--strict') || Boolean(process.env.GMVAE_NATIVE_STRICT);
const verbose = strict || Boolean(process.env.CI);
const logFile = path.join(here, 'build.log');

function giveUp(reason, log = '') {
  if (log) writeFileSync(logFile, log);
  const where = log ? ` (log: ${path.relative(process.cwd(), logFile)})` : '';
  process.stderr.write(`gmvae: optional BLAS addon not built: ${reason}${where}; the engine will use wasm\n`);
  if (verbose && log) process.stderr.write(log.split('\n').slice(-40).join('\n') + '\n');
  process.exit(strict ? 1 : 0);
}

if (process.env.GMVAE_SKIP_NATIVE) giveUp('GMVAE_SKIP_NATIVE is set');
if (process.platform === 'win32') giveUp('Windows is not supported yet (no BLAS configured in binding.gyp)');

// node-gyp: the devDependency, else the copy bundled with the npm running this script.
function findNodeGyp() {
  try {
    return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    const bundled = process.env.npm_config_node_gyp;
    return bundled && existsSync(bundled) ? bundled : null;
  }
}

// Node's headers: node-gyp downloads them unless told where they are, and offline machines
// often have them already (an npm `nodedir` setting, or Debian's /usr/include/node). Node-API
// is ABI-stable, so the headers of any Node >= 18 build an addon every later Node can load.
function findNodeDir() {
  if (process.env.npm_config_nodedir) return null; // node-gyp reads it itself
  const candidates = [path.resolve(path.dirname(process.execPath), '..'), '/usr', '/usr/local'];
  return candidates.find((dir) => existsSync(path.join(dir, 'include', 'node', 'common.gypi'))) ?? null;
}

const nodeGyp = findNodeGyp();
if (!nodeGyp) giveUp('node-gyp is not available');
const args = [nodeGyp, 'rebuild', '--loglevel=warn'];
const nodeDir = findNodeDir();
if (nodeDir) args.push(`--nodedir=${nodeDir}`);

const result = spawnSync(process.execPath, args, { cwd: here, encoding: 'utf8' });
const log = `${result.stdout ?? ''}${result.stderr ?? ''}`;
if (result.error) giveUp(`node-gyp did not run: ${result.error.message}`);
if (result.status !== 0) {
  // The first compiler or linker error is the reason worth one line ("cblas.h: No such file").
  const line =
    log.split('\n').find((l) => /error:|cannot find -l|not found|No such file/.test(l)) ?? 'node-gyp failed';
  giveUp(
    line
      .replace(/^.*?error:\s*/, '')
      .trim()
      .slice(0, 160),
    log,
  );
}
process.stderr.write('gmvae: built the BLAS addon (native/build/Release/gmvae_blas.node)\n');
