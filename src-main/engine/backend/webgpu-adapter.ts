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
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

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

/**
 * Asked in a child process: Dawn prints to the process's stderr while it looks for drivers
 * (Vulkan loader warnings, drivers it refuses), which a machine without a GPU would otherwise
 * show at every `auto` run. The child inherits the environment (VK_ICD_FILENAMES and the like)
 * and answers one line of JSON. `process.execPath` is Electron's binary in the app, hence
 * ELECTRON_RUN_AS_NODE.
 */
const PROBE = `
const { create } = await import(process.argv[1]);
const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
const info = adapter?.info;
process.stdout.write(JSON.stringify(info ? {
  vendor: info.vendor, architecture: info.architecture, description: info.description,
  software: info.isFallbackAdapter === true,
} : null));
process.exit(0);
`;

let probed: Promise<GpuAdapterSummary | null> | null = null;

function probeAdapter(): Promise<GpuAdapterSummary | null> {
  let dawn: string;
  try {
    dawn = pathToFileURL(require.resolve('webgpu')).href;
  } catch {
    return Promise.reject(new WebGpuUnavailableError('the webgpu package is not installed'));
  }
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', PROBE, dawn],
      { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 30_000 },
      (error, stdout) => {
        if (error) {
          reject(
            new WebGpuUnavailableError(`the WebGPU adapter query failed: ${error.message.split('\n')[0]}`),
          );
          return;
        }
        try {
          resolve(JSON.parse(stdout) as GpuAdapterSummary | null);
        } catch {
          reject(new WebGpuUnavailableError(`the WebGPU adapter query answered '${stdout.slice(0, 80)}'`));
        }
      },
    );
  });
}

/**
 * The adapter tfjs-backend-webgpu will get (it asks for high performance too); null when there
 * is none. Asked once per process: the machine's adapters do not change while it runs.
 */
export function findAdapter(): Promise<GpuAdapterSummary | null> {
  probed ??= probeAdapter();
  return probed;
}

/** How a device line ends for a software adapter; `gmvae bench` reads it off its rows. */
export const SOFTWARE_ADAPTER_NOTE = ', a software adapter (WebGPU on the CPU, not a GPU)';

/** "google swiftshader (SwiftShader driver 5.0.0), a software adapter", as runs record it. */
export function describeAdapter(adapter: GpuAdapterSummary): string {
  const name = [adapter.vendor, adapter.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  const detail = adapter.description ? ` (${adapter.description})` : '';
  return `${name}${detail}${adapter.software ? SOFTWARE_ADAPTER_NOTE : ''}`;
}
