/**
 * The optional packages behind the native and GPU backends, and whether they are installed,
 * without loading them. Engine-side: the interface asks the reader process (`backend-probe`),
 * so that no TensorFlow package name, let alone a package, is in the interface's bundle.
 */
import { createRequire } from 'node:module';
import type { BackendName } from '../../common/backends.ts';

export const NATIVE_PACKAGES = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
} as const satisfies Partial<Record<BackendName, string>>;

export const WEBGPU_BACKEND_PACKAGE = '@tensorflow/tfjs-backend-webgpu';

const require = createRequire(import.meta.url);

export function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
