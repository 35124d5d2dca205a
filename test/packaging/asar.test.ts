/**
 * The packaged desktop app (electron-builder.yml, `npm run package`): electron-builder packs the
 * build into app.asar, and every native binary (a `.node` addon, or a library one loads) stays
 * outside it in app.asar.unpacked, where the operating system's loader can open it.
 *
 * Electron's binary cannot be downloaded here (nor in CI), so the test gives electron-builder a
 * stand-in Electron folder (its `electronDist` option): a Linux `--dir` build takes only the
 * `electron` executable from it, which it renames to the app's. Everything the test checks is
 * electron-builder's own work on the project's real configuration: the production node_modules
 * it collects, the archive, what it unpacks. Linux only (on macOS the stand-in would be an .app).
 */
import assert from 'node:assert/strict';
import { extractAll, extractFile, getRawHeader } from '@electron/asar';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { resolveConfig } from '../../src-main/common/config.ts';
import { Store } from '../../src-main/host/store/index.ts';
import { EngineSupervisor, forkLauncher } from '../../src-main/host/supervisor.ts';
import { blobs } from '../helpers/blobs.ts';
import { tempDir } from '../helpers/temp.ts';
import { SWIFTSHADER_ICD, useSwiftShader } from '../helpers/webgpu.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);

/** A `.node` addon or a shared library: what must never be read from inside the archive. */
const NATIVE = /\.(node|dll|dylib|so)$|\.so\.\d/;

interface Entry {
  unpacked: boolean;
  directory: boolean;
}

/** Every path in the archive (relative, '/'-separated), with whether it lies in app.asar.unpacked. */
function archiveEntries(archive: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  type Node = { files?: Record<string, Node>; unpacked?: boolean };
  const walk = (node: Node, prefix: string) => {
    for (const [name, child] of Object.entries(node.files ?? {})) {
      const at = prefix ? `${prefix}/${name}` : name;
      entries.set(at, { unpacked: child.unpacked === true, directory: child.files !== undefined });
      walk(child, at);
    }
  };
  walk(getRawHeader(archive).header as Node, '');
  return entries;
}

/**
 * The folders of the installed production packages: the root's dependencies and optional
 * dependencies that are installed, and theirs, found as Node finds them; never devDependencies.
 */
function productionPackages(root: string): string[] {
  const found = new Set<string>();
  const locate = (from: string, name: string): string | null => {
    for (let dir = from; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'node_modules', name);
      if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
      if (dir === root || path.dirname(dir) === dir) return null;
    }
  };
  const visit = (dir: string) => {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string> | undefined
    >;
    const names = Object.keys({
      ...pkg['dependencies'],
      ...pkg['optionalDependencies'],
      ...pkg['peerDependencies'],
    });
    for (const name of names) {
      const at = locate(dir, name); // null: an optional dependency that did not install
      if (at !== null && !found.has(at)) {
        found.add(at);
        visit(at);
      }
    }
  };
  visit(root);
  return [...found];
}

/** Native binaries under `dir`, not descending into nested packages (node_modules). */
function nativeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const at = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') out.push(...nativeFiles(at));
    else if (entry.isFile() && NATIVE.test(entry.name)) out.push(at);
  }
  return out;
}

function allFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

const relative = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');

/**
 * Packages that ship binaries for every platform name them by folder or file
 * (`dist/darwin-universal/dawn.node`, `prebuilds/linux-x64.node`); other binaries are built here.
 */
function platformOf(rel: string): string | null {
  const named = rel.split('/').find((part) => /^(darwin|linux|linuxmusl|win32)-/.test(part));
  return named ? named.replace(/(musl)?-.*$/, '') : null;
}
const HOST = `${process.platform}-${process.arch}`;
/** Binaries this machine can load: built here, or named for this platform and architecture. */
const forThisMachine = (rel: string) =>
  platformOf(rel) === null || rel.split('/').some((part) => part === HOST || part.startsWith(`${HOST}.`));

/** Packs the app as `npm run package -- --dir` does, with the stand-in Electron; where it is. */
function packageApp(): { archive: string; unpackedDir: string; seconds: number } {
  const electronDist = tempDir('gmvae-electron-dist-');
  fs.writeFileSync(path.join(electronDist, 'electron'), '#!/bin/sh\necho "a stand-in for Electron"\n', {
    mode: 0o755,
  });
  const output = tempDir('gmvae-package-');
  const started = Date.now();
  const builder = spawnSync(
    process.execPath,
    [
      require.resolve('electron-builder/cli.js'),
      '--linux',
      'dir',
      `--${process.arch}`,
      '--publish',
      'never',
      `--config.electronDist=${electronDist}`,
      `--config.directories.output=${output}`,
    ],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const log = `${builder.stdout}${builder.stderr}`;
  assert.equal(builder.status, 0, `electron-builder failed:\n${log.slice(-4000)}`);
  const appDir = fs
    .readdirSync(output)
    .find((name) => name.startsWith('linux') && name.endsWith('-unpacked'));
  assert.ok(appDir, `no unpacked app in ${output}: ${fs.readdirSync(output).join(', ')}`);
  const archive = path.join(output, appDir, 'resources', 'app.asar');
  return { archive, unpackedDir: `${archive}.unpacked`, seconds: (Date.now() - started) / 1000 };
}

const RELEASE = path.join(ROOT, 'native/build/Release');
/** The BLAS addon(s) native/build.mjs built here, if it could. */
const addons = fs.existsSync(RELEASE)
  ? fs
      .readdirSync(RELEASE)
      .filter((name) => name.endsWith('.node'))
      .map((name) => path.join(RELEASE, name))
  : [];

describe(
  'the packaged app',
  { skip: process.platform !== 'linux' && 'the stand-in Electron is a Linux one', timeout: 300_000 },
  () => {
    let app: ReturnType<typeof packageApp>;
    before(() => {
      assert.ok(fs.existsSync(path.join(ROOT, 'out/main/index.js')), 'npm test builds before it tests');
      app = packageApp();
    });

    test('the build and the production modules in app.asar, every native binary unpacked beside it', (t) => {
      const { archive, unpackedDir } = app;
      t.diagnostic(`electron-builder: ${app.seconds.toFixed(1)} s`);
      const entries = archiveEntries(archive);
      const files = [...entries].filter(([, entry]) => !entry.directory);

      // Nothing native inside the archive; what the header marks unpacked is on disk.
      assert.deepEqual(
        files.filter(([at, entry]) => !entry.unpacked && NATIVE.test(at)).map(([at]) => at),
        [],
        'native binaries inside app.asar',
      );
      assert.deepEqual(
        files
          .filter(([at, entry]) => entry.unpacked && !fs.existsSync(path.join(unpackedDir, at)))
          .map(([at]) => at),
        [],
        'marked unpacked in app.asar but missing from app.asar.unpacked',
      );

      // Every native binary of the production modules and the BLAS addon, for this platform, is
      // unpacked; those for other platforms are left out (electron-builder.yml's `files`).
      if (process.env['CI']) assert.ok(addons.length > 0, 'in CI the BLAS addon is built (`npm ci`)');
      const natives = [...productionPackages(ROOT).flatMap(nativeFiles), ...addons].map(relative);
      const ours = natives.filter((rel) => (platformOf(rel) ?? process.platform) === process.platform);
      const foreign = natives.filter((rel) => !ours.includes(rel));
      t.diagnostic(
        `native binaries: ${ours.length} for ${process.platform}, ${foreign.length} for other platforms`,
      );
      assert.ok(
        ours.some((rel) => rel.startsWith('node_modules/better-sqlite3/')),
        'better-sqlite3 has a binary',
      );
      assert.deepEqual(
        ours.filter((rel) => !entries.get(rel)?.unpacked || !fs.existsSync(path.join(unpackedDir, rel))),
        [],
        'native binaries not in app.asar.unpacked',
      );
      assert.deepEqual(
        foreign.filter((rel) => entries.has(rel)),
        [],
        "other platforms' binaries packaged",
      );

      // The unpacked copies are whole: this machine's load (Node-API, as in Electron).
      for (const rel of ours.filter(forThisMachine).filter((rel) => rel.endsWith('.node'))) {
        assert.doesNotThrow(
          () => require(path.join(unpackedDir, rel)),
          `${rel} loads from app.asar.unpacked`,
        );
      }

      // The build (interface bundles and the engine's) is in the archive, and is the app's entry.
      const built = allFiles(path.join(ROOT, 'out')).map(relative);
      assert.ok(built.includes('out/main/index.js') && built.includes('out/engine/engine-process.js'));
      assert.deepEqual(
        built.filter((rel) => entries.get(rel)?.unpacked !== false),
        [],
        'build output not inside app.asar',
      );
      const manifest = JSON.parse(extractFile(archive, 'package.json').toString('utf8')) as { main: string };
      assert.equal(manifest.main, 'out/main/index.js');
      assert.equal(entries.get(manifest.main)?.unpacked, false);
    });

    test('the packaged engine, from the packaged files alone, trains a run and finds the WebGPU adapter', async (t) => {
      // The files as Electron shows them to the app: app.asar's, with app.asar.unpacked's in
      // place. Outside the project, so every import resolves in the packaged node_modules.
      const files = tempDir('gmvae-packaged-files-');
      extractAll(app.archive, files);
      const swiftShader = fs.existsSync(SWIFTSHADER_ICD);
      if (swiftShader) useSwiftShader(); // the engine processes inherit it
      const backend = addons.length > 0 ? 'blas' : 'cpu'; // blas: the addon found from out/engine

      const home = tempDir();
      const store = await Store.open(home);
      const data = blobs(200, 50);
      store.saveDataset(data);
      const config = resolveConfig(data.info, { k: 3, hidden: 16, epochs: 1, batchSize: 50, backend });
      const run = store.createRun({ dataset: 'blobs', config, status: 'interrupted', pid: null });
      const supervisor = new EngineSupervisor(
        store,
        home,
        forkLauncher(path.join(files, 'out/engine/engine-process.js')),
      );
      try {
        const finished = new Promise<string>((resolve) =>
          supervisor.onEvent((e) => {
            if (e.type === 'status' && e.status !== 'running') resolve(e.status);
          }),
        );
        supervisor.start(run.id);
        assert.equal(await finished, 'completed');
        assert.equal(store.getRun(run.id)!.backend, backend);

        const probe = await supervisor.runTask({ kind: 'backend-probe' }).result;
        t.diagnostic(`trained on ${backend}; WebGPU: ${JSON.stringify(probe.gpuAdapter)}`);
        if (swiftShader) assert.equal(probe.gpuAdapter.found, true, JSON.stringify(probe.gpuAdapter));
        else if (process.env['CI']) assert.fail(`CI installs Chromium's SwiftShader (${SWIFTSHADER_ICD})`);
      } finally {
        await supervisor.shutdown();
        store.close();
      }
    });
  },
);
