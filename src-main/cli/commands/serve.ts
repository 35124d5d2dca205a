/** gmvae serve: the workbench interface in a browser (web mode). */
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { WorkbenchService } from '../../host/workbench-service.ts';
import { resolveHome } from '../../host/home.ts';
import { Store } from '../../host/store/index.ts';
import { newToken } from '../../server/auth.ts';
import { DownloadStore } from '../../server/downloads.ts';
import { UploadStore } from '../../server/uploads.ts';
import { startWebServer } from '../../server/web-server.ts';
import type { GlobalOptions } from '../context.ts';
import { integer } from '../options.ts';
import { emitResult, note } from '../output.ts';

const RENDERER_DIR = fileURLToPath(new URL('../../../out/renderer', import.meta.url));
const PACKAGE_JSON = fileURLToPath(new URL('../../../package.json', import.meta.url));

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

export function registerServeCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('serve')
    .description('serve the workbench interface to a browser (token-protected, loopback by default)')
    .option('--port <port>', 'port to listen on (0 = any free port)', integer, 8321)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--json', 'print one JSON line with the URL once listening')
    .action(async (opts) => {
      const options = { ...globals(), ...opts };
      const home = resolveHome(options.home);
      const store = await Store.open(home);
      // Both remove what a crashed server left, and go when this one exits, however it exits.
      const uploads = UploadStore.temporary(os.tmpdir());
      const downloads = DownloadStore.inHome(home);
      const version = (JSON.parse(fs.readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;
      const service = new WorkbenchService({
        store,
        home,
        mode: 'web',
        version,
        resolveUploads: (groups) => uploads.resolve(groups),
        releaseUploads: (groups) => uploads.release(groups),
        stageExport: (runName, checkpoint) => downloads.stage(runName, checkpoint),
      });
      const token = newToken();
      const server = await startWebServer({
        api: service,
        onEvent: (listener) => service.onEvent(listener),
        rendererDir: RENDERER_DIR,
        uploads,
        downloads,
        token,
        host: opts.host,
        port: opts.port,
      });
      if (!isLoopback(opts.host))
        note(
          `warning: listening on ${opts.host}: anyone who can reach it and has the token can use the workbench`,
        );
      emitResult(options, { url: server.url, port: server.port, token, home }, () =>
        [`GMVAE Workbench is serving ${home}`, `open: ${server.url}`, 'press Ctrl-C to stop'].join('\n'),
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      note('stopping: training runs checkpoint and can be resumed later');
      await service.shutdown();
      await server.close();
      uploads.dispose();
      downloads.dispose();
      store.close();
    });
}
