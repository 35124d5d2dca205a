/**
 * Which backends a run could use, without activating any of them in this process (the
 * interface's process never trains, so it must not load native TensorFlow just to ask).
 */
import type { BackendStatus } from '../common/api/contract.ts';
import { BACKEND_ORDER, type BackendName } from '../common/backends.ts';
import type { BackendProbeReport, GpuAdapterReport } from '../common/worker-protocol.ts';
import { blasStatus } from './blas-addon.ts';

/** TensorFlow.js has no Conv2DBackpropFilter kernel for wasm ('blas' brings its own). */
const CANNOT_TRAIN_CONV: readonly BackendName[] = ['wasm'];

/**
 * Every backend in the order 'auto' tries them. `optional`: what an engine process found about
 * the backends behind optional packages (WorkbenchService asks its reader process); without it
 * they are checked when a run starts.
 */
export function probeBackends(optional?: BackendProbeReport): BackendStatus[] {
  return BACKEND_ORDER.map((name) => ({
    auto: true,
    ...(name === 'webgpu' ? probeWebGpu(optional?.gpuAdapter) : probe(name, optional)),
    trainsConv: !CANNOT_TRAIN_CONV.includes(name),
  }));
}

function probeWebGpu(report?: GpuAdapterReport): Omit<BackendStatus, 'trainsConv'> {
  const name = 'webgpu';
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

function probe(name: BackendName, optional?: BackendProbeReport): Omit<BackendStatus, 'trainsConv' | 'auto'> {
  if (name === 'tensorflow-gpu' || name === 'tensorflow')
    return { name, ...(optional?.native[name] ?? { available: true, detail: 'checked when a run starts' }) };
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
