/**
 * Compute backends, chosen at run time. Order for 'auto':
 *   tensorflow-gpu (tfjs-node-gpu, CUDA) > tensorflow (tfjs-node, native CPU)
 *   > blas (wasm + native BLAS matrix products, see blas/) > webgpu (Dawn, any vendor's GPU;
 *   never a software adapter; slower than blas where both were measured) > wasm > cpu.
 * tfjs-node and tfjs-node-gpu are optional dependencies that download libtensorflow at
 * install time, webgpu and tfjs-backend-webgpu are optional too, and the BLAS addon is built only where a compiler and OpenBLAS exist, so they
 * are often missing; each one that is skipped says why, in one line.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { BACKEND_ORDER, type BackendName } from '../../common/backends.ts';
import type { BackendChoice } from '../../common/config.ts';
import { blasDescription } from '../../host/blas-addon.ts';
import { tf } from '../tf.ts';
import { BLAS_BACKEND, registerBlasBackend } from './blas/backend.ts';
import { installed, NATIVE_PACKAGES, WEBGPU_BACKEND_PACKAGE } from './packages.ts';
import {
  describeAdapter,
  findAdapter,
  installWebGpu,
  NO_ADAPTER,
  type GpuAdapterSummary,
} from './webgpu-adapter.ts';

export interface BackendSelection {
  backend: BackendName;
  /** A description of the device, recorded with every run. */
  device: string;
  /** One line per backend that was skipped, and why. */
  skipped: string[];
}

export interface BackendNeeds {
  /** Training a conv net: the wasm backend has no Conv2DBackpropFilter kernel. */
  trainsConv2d: boolean;
}

export class BackendError extends Error {
  override name = 'BackendError';
}

const require = createRequire(import.meta.url);

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.slice(0, 200);
}

function cpuModel(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} logical cores`;
}

/** Loads a native tfjs package; it registers the 'tensorflow' backend into our tf instance. */
function loadNativePackage(pkg: string): void {
  try {
    require.resolve(pkg);
  } catch {
    throw new BackendError(`${pkg} is not installed`);
  }
  try {
    require(pkg);
  } catch (error) {
    throw new BackendError(`${pkg} failed to load: ${firstLine(error)}`);
  }
}

/**
 * WebGPU on the adapter Dawn offers. `auto` (byName false) refuses a software adapter: it is
 * the CPU in disguise, slower than blas, and a run must never report it as a GPU.
 */
async function activateWebGpu(byName: boolean): Promise<string> {
  let adapter: GpuAdapterSummary | null;
  try {
    adapter = await findAdapter();
  } catch (error) {
    throw new BackendError(firstLine(error));
  }
  if (!adapter) throw new BackendError(NO_ADAPTER);
  if (adapter.software && !byName)
    throw new BackendError(
      `the only adapter is ${describeAdapter(adapter)}; use --backend webgpu to train on it anyway`,
    );
  if (!installed(WEBGPU_BACKEND_PACKAGE))
    throw new BackendError(`${WEBGPU_BACKEND_PACKAGE} is not installed`);
  await installWebGpu(); // Dawn in this process, now that an adapter is known to exist
  await import('@tensorflow/tfjs-backend-webgpu');
  // WEBGPU_CPU_FORWARD (default true) lets a dozen webgpu kernels (casts, slices, concat, gather,
  // transpose, elementwise ops, max and prod, ...) run tfjs-backend-cpu's code instead, silently,
  // when every input has fewer than WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD elements and has never been
  // uploaded: Adam's scalars and the step's small tensors would be computed on the CPU, op by op.
  // That is the per-op CPU fallback issue 13 rules out, and it would let the tests compare
  // tfjs-backend-cpu with itself. Off: everything a webgpu run computes runs on the adapter.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  if (!(await tf.setBackend('webgpu'))) throw new BackendError('the webgpu backend did not initialise');
  return `GPU (WebGPU): ${describeAdapter(adapter)}`;
}

/** Tries to make `name` the active backend; throws BackendError with a one-line reason. */
async function activate(name: BackendName, needs: BackendNeeds, byName: boolean): Promise<string> {
  switch (name) {
    case 'webgpu':
      return activateWebGpu(byName);
    case 'tensorflow-gpu':
    case 'tensorflow': {
      const pkg = NATIVE_PACKAGES[name];
      if (tf.findBackend('tensorflow') === null) loadNativePackage(pkg);
      if (!(await tf.setBackend('tensorflow'))) throw new BackendError(`${pkg} did not initialise`);
      return name === 'tensorflow-gpu' ? 'CUDA GPU via libtensorflow' : `CPU (libtensorflow): ${cpuModel()}`;
    }
    case 'blas': {
      // Trains convolutions too: blas/conv.ts has the Conv2DBackpropFilter wasm lacks.
      const addon = await registerBlasBackend();
      if (!(await tf.setBackend(BLAS_BACKEND))) throw new BackendError('blas backend did not initialise');
      return `CPU (${blasDescription(addon.info())}, matrix products and convolutions; WebAssembly SIMD elsewhere): ${cpuModel()}`;
    }
    case 'wasm': {
      if (needs.trainsConv2d)
        throw new BackendError('wasm cannot train convolutions (no Conv2DBackpropFilter kernel)');
      await import('@tensorflow/tfjs-backend-wasm');
      if (!(await tf.setBackend('wasm'))) throw new BackendError('wasm backend did not initialise');
      return `CPU (WebAssembly, XNNPACK, 1 thread): ${cpuModel()}`;
    }
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new BackendError('cpu backend did not initialise');
      return `CPU (JavaScript, 1 thread): ${cpuModel()}`;
  }
}

/**
 * Selects the compute backend. 'auto' walks BACKEND_ORDER and never fails (cpu always
 * works); a named backend that cannot be used is an error, not a silent fallback.
 */
export async function selectBackend(choice: BackendChoice, needs: BackendNeeds): Promise<BackendSelection> {
  if (choice !== 'auto') {
    try {
      return { backend: choice, device: await activate(choice, needs, true), skipped: [] };
    } catch (error) {
      throw new BackendError(`backend '${choice}' is not available: ${firstLine(error)}`);
    }
  }
  const skipped: string[] = [];
  for (const name of BACKEND_ORDER) {
    try {
      return { backend: name, device: await activate(name, needs, false), skipped };
    } catch (error) {
      skipped.push(`${name}: ${firstLine(error)}`);
    }
  }
  throw new BackendError(`no compute backend could start:\n${skipped.join('\n')}`);
}
