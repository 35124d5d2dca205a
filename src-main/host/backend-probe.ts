/**
 * Which backends a run could use, without activating any of them in this process (the
 * interface's process never trains, so it must not load native TensorFlow just to ask).
 */
import { createRequire } from 'node:module';
import type { BackendStatus } from '../common/api/contract.ts';
import { BACKEND_ORDER, type BackendName } from '../common/backends.ts';
import type { GpuAdapterReport } from '../common/worker-protocol.ts';
import { blasStatus } from './blas-addon.ts';

const require = createRequire(import.meta.url);

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

const NATIVE_PACKAGES: Partial<Record<BackendName, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

/** TensorFlow.js has no Conv2DBackpropFilter kernel for wasm ('blas' brings its own). */
const CANNOT_TRAIN_CONV: readonly BackendName[] = ['wasm'];

/** The packages WebGPU training needs; the adapter itself is asked for in an engine process. */
const WEBGPU_PACKAGES = ['webgpu', '@tensorflow/tfjs-backend-webgpu'];

/**
 * Every backend in the order 'auto' tries them. `gpuAdapter`: what an engine process found
 * (WorkbenchService asks its reader process); without it webgpu is checked when a run starts.
 */
export function probeBackends(gpuAdapter?: GpuAdapterReport): BackendStatus[] {
  return BACKEND_ORDER.map((name) => ({
    auto: true,
    ...(name === 'webgpu' ? probeWebGpu(gpuAdapter) : probe(name)),
    trainsConv: !CANNOT_TRAIN_CONV.includes(name),
  }));
}

function probeWebGpu(report?: GpuAdapterReport): Omit<BackendStatus, 'trainsConv'> {
  const name = 'webgpu';
  const missing = WEBGPU_PACKAGES.find((pkg) => !installed(pkg));
  if (missing) return { name, available: false, detail: `${missing} is not installed`, auto: false };
  if (!report)
    return { name, available: true, detail: 'the adapter is checked when a run starts', auto: true };
  if (!report.found) return { name, available: false, detail: report.reason, auto: false };
  return report.software
    ? {
        name,
        available: true,
        detail: `${report.description}: auto passes it over; choose webgpu to use it anyway`,
        auto: false,
      }
    : { name, available: true, detail: report.description, auto: true };
}

function probe(name: BackendName): Omit<BackendStatus, 'trainsConv' | 'auto'> {
  const pkg = NATIVE_PACKAGES[name];
  if (pkg)
    return installed(pkg)
      ? { name, available: true, detail: `${pkg} is installed (loaded when a run starts)` }
      : { name, available: false, detail: `${pkg} is not installed` };
  if (name === 'wasm')
    return {
      name,
      available: true,
      detail: 'WebAssembly (XNNPACK), 1 thread; cannot train the conv architecture',
    };
  if (name === 'cpu') return { name, available: true, detail: 'plain JavaScript, 1 thread (slow)' };
  if (name === 'blas') return { name, ...blasStatus() };
  return { name, available: true, detail: 'checked when a run starts' };
}
