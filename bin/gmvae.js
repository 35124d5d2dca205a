#!/usr/bin/env node
// The `gmvae` command. Node 22 runs the TypeScript sources directly (type stripping).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `gmvae: Node ${process.versions.node} is too old; Node 22.12+ is needed. ` +
      'Run it through npm (`npx gmvae` or `npm run gmvae --`), which uses the Node 22 the project installs.\n',
  );
  process.exit(1);
}
await import('../src-main/cli/main.ts');
