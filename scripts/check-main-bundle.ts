/**
 * Run by `npm run build` after electron-vite: fails when the Electron main process's bundle
 * (out/main/index.js and what it imports) would load TensorFlow. Usage: check-main-bundle [ENTRY]
 */
import path from 'node:path';
import { heavyImports } from './main-bundle.ts';

const entry = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '../out/main/index.js'));
const found = heavyImports(entry);
if (found.length > 0) {
  process.stderr.write(
    `${path.relative(process.cwd(), entry)} loads TensorFlow, which only engine processes may:\n` +
      found.map(({ file, specifier }) => `  ${file} imports ${specifier}\n`).join('') +
      'See docs/architecture.md: code the main process runs lives in src-main/host/.\n',
  );
  process.exit(1);
}
process.stdout.write(`${path.relative(process.cwd(), entry)}: no TensorFlow in the main process's bundle\n`);
