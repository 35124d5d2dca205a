/**
 * The machine's WebGPU adapter through Dawn for Node (the optional `webgpu` package: Vulkan on
 * Linux, Metal on macOS, Direct3D 12 on Windows). No TensorFlow here: the interface asks an
 * engine process for the adapter to list it, and the backend (backends.ts) activates
 * tfjs-backend-webgpu on it.
 *
 * A software adapter (SwiftShader, llvmpipe, WARP: Dawn flags them `isFallbackAdapter`) runs
 * WebGPU on the CPU, far slower than the CPU backends; it is a GPU to nobody. `auto` passes it
 * over; asking for `--backend webgpu` by name uses it (the tests do, on SwiftShader).
 */
import { createRequire } from 'node:module';

/** What the interface shows and a run records about the adapter. */
export interface GpuAdapterSummary {
  vendor: string;
  architecture: string;
  description: string;
  /** A CPU implementation of WebGPU, not a GPU. */
  software: boolean;
}

export const NO_ADAPTER = 'no WebGPU adapter (a Vulkan, Metal or Direct3D 12 driver is needed)';

export class WebGpuUnavailableError extends Error {
  override name = 'WebGpuUnavailableError';
}

/** The parts of Dawn's objects read here (the package's own types pull in the DOM's GPU types). */
interface AdapterLike {
  info: { vendor: string; architecture: string; description: string; isFallbackAdapter?: boolean };
}
interface GpuLike {
  requestAdapter(options?: {
    powerPreference?: 'high-performance' | 'low-power';
  }): Promise<AdapterLike | null>;
}
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: object;
}

const require = createRequire(import.meta.url);
let installed: GpuLike | null = null;

/**
 * Dawn's `navigator.gpu` and WebGPU's global constants (GPUBufferUsage, ...) in this process, as
 * tfjs-backend-webgpu expects in a browser. Node's `navigator` has getters only, so the property
 * is defined rather than assigned. Throws WebGpuUnavailableError when the package is missing.
 */
export async function installWebGpu(): Promise<GpuLike> {
  if (installed) return installed;
  try {
    require.resolve('webgpu');
  } catch {
    throw new WebGpuUnavailableError('the webgpu package is not installed');
  }
  let dawn: DawnModule;
  try {
    dawn = (await import('webgpu')) as unknown as DawnModule;
  } catch (error) {
    throw new WebGpuUnavailableError(`the webgpu package failed to load: ${String(error).split('\n')[0]}`);
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  Object.defineProperty(globalThis.navigator, 'gpu', { value: gpu, configurable: true });
  installed = gpu;
  return gpu;
}

/** The adapter tfjs-backend-webgpu will get (it asks for high performance too); null when there is none. */
export async function findAdapter(): Promise<GpuAdapterSummary | null> {
  const gpu = await installWebGpu();
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return null;
  const { vendor, architecture, description, isFallbackAdapter } = adapter.info;
  return { vendor, architecture, description, software: isFallbackAdapter === true };
}

/** "google swiftshader (SwiftShader driver 5.0.0), a software adapter", as runs record it. */
export function describeAdapter(adapter: GpuAdapterSummary): string {
  const name = [adapter.vendor, adapter.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  const detail = adapter.description ? ` (${adapter.description})` : '';
  return `${name}${detail}${adapter.software ? ', a software adapter (WebGPU on the CPU, not a GPU)' : ''}`;
}
