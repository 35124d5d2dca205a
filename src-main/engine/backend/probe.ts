/**
 * The reader process's answer to the interface's question "which optional backends are here"
 * (host/backend-probe.ts turns it into the New run screen's list). Loads no TensorFlow.
 */
import type { BackendProbeReport, GpuAdapterReport } from '../../common/worker-protocol.ts';
import { installed, NATIVE_PACKAGES, WEBGPU_BACKEND_PACKAGE } from './packages.ts';
import { describeAdapter, findAdapter, NO_ADAPTER } from './webgpu-adapter.ts';

async function gpuAdapter(): Promise<GpuAdapterReport> {
  if (!installed(WEBGPU_BACKEND_PACKAGE))
    return { found: false, reason: `${WEBGPU_BACKEND_PACKAGE} is not installed` };
  try {
    const adapter = await findAdapter();
    if (!adapter) return { found: false, reason: NO_ADAPTER };
    return { found: true, description: describeAdapter(adapter), software: adapter.software };
  } catch (error) {
    return { found: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

export async function probeOptionalBackends(): Promise<BackendProbeReport> {
  const native: BackendProbeReport['native'] = {};
  for (const [name, pkg] of Object.entries(NATIVE_PACKAGES) as [keyof typeof NATIVE_PACKAGES, string][])
    native[name] = installed(pkg)
      ? { available: true, detail: `${pkg} is installed (loaded when a run starts)` }
      : { available: false, detail: `${pkg} is not installed` };
  return { native, gpuAdapter: await gpuAdapter() };
}
