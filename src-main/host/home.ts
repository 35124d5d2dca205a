/**
 * Where runs and datasets live. The CLI and the desktop app share one folder so that both
 * see the same runs: --home DIR, else $GMVAE_HOME, else the app's per-user data folder
 * (the path Electron's app.getPath('userData') gives for the product name below).
 */
import os from 'node:os';
import path from 'node:path';

export const PRODUCT_NAME = 'GMVAE Workbench';

export function defaultUserDataDir(platform: NodeJS.Platform = process.platform, env = process.env): string {
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  if (platform === 'win32')
    return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), PRODUCT_NAME);
}

export function resolveHome(explicit?: string, env = process.env): string {
  if (explicit) return path.resolve(explicit);
  if (env.GMVAE_HOME) return path.resolve(env.GMVAE_HOME);
  return defaultUserDataDir(process.platform, env);
}
