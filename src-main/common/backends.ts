/**
 * The compute backends by name, in the order `--backend auto` tries them. Here rather than
 * beside the backends themselves because the interface process lists them (host/backend-probe.ts)
 * and must not load the code that activates them (engine/backend/backends.ts).
 */
import type { BackendChoice } from './config.ts';

export type BackendName = Exclude<BackendChoice, 'auto'>;

export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'blas', 'wasm', 'cpu'];
