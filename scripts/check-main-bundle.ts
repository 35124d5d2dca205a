/**
 * Run by `npm run build`: fails when any file of the Electron main process's bundle (out/main)
 * imports TensorFlow, or when the engine bundle the app starts for training is missing.
 * Usage: check-main-bundle [MAIN_DIR [ENGINE_ENTRY]]
 */
import fs from 'node:fs';
import path from 'node:path';
import { heavyImports } from './main-bundle.ts';

const out = path.join(import.meta.dirname, '../out');
const dir = path.resolve(process.argv[2] ?? path.join(out, 'main'));
const engine = path.resolve(process.argv[3] ?? path.join(out, 'engine/engine-process.js'));
const found = heavyImports(dir);
if (found.length > 0) {
  process.stderr.write(
    `${path.relative(process.cwd(), dir)} imports TensorFlow, which only engine processes may:\n` +
      found.map(({ file, specifier }) => `  ${file} imports ${specifier}\n`).join('') +
      'See docs/architecture.md: code the main process runs lives in src-main/host/.\n',
  );
  process.exit(1);
}
if (!fs.existsSync(engine)) {
  process.stderr.write(`${path.relative(process.cwd(), engine)} is missing: run npm run build:engine\n`);
  process.exit(1);
}
process.stdout.write(`${path.relative(process.cwd(), dir)}: no TensorFlow in the main process's bundle\n`);
