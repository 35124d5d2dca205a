/**
 * WebGPU on a machine without a GPU: Dawn on Chromium's SwiftShader Vulkan driver (Debian's
 * chromium and libvulkan1, which `npm run setup` installs). Correct, and far too slow to say
 * anything about speed. Call before the first adapter request: the Vulkan loader reads the
 * variables when Dawn starts, and engine processes spawned later inherit them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export function useSwiftShader(): void {
  // A driver the caller named is kept: on a machine with a GPU, VK_ICD_FILENAMES set to its
  // Vulkan driver runs the numerical checks on the GPU (the "software adapter" ones then fail).
  if (!process.env['VK_ICD_FILENAMES'] && !fs.existsSync(SWIFTSHADER_ICD))
    throw new Error(
      `no SwiftShader Vulkan driver at ${SWIFTSHADER_ICD}: install Debian's chromium and libvulkan1 (npm run setup)`,
    );
  process.env['VK_ICD_FILENAMES'] ??= SWIFTSHADER_ICD;
  if (!process.env['XDG_RUNTIME_DIR']) {
    const dir = path.join(os.tmpdir(), `gmvae-xdg-${process.getuid?.() ?? 0}`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env['XDG_RUNTIME_DIR'] = dir;
  }
}
