/** The store's public surface. Everything else in this folder is an implementation detail. */
export { Store, DATABASE_FILE, DEFAULT_STALE_GRACE_MS } from './store.ts';
export type { StoreOptions, CommitCheckpointInput, SchemaStatus } from './store.ts';
export type { CreateRunInput, RunPatch, RunState } from './runs.ts';
export { RUN_STATUSES, isProcessAlive, parseProgress } from './runs.ts';
export { StoreError } from './errors.ts';
export { encodeTensors, decodeTensors, TENSOR_FORMAT_VERSION } from './tensors.ts';
export { MIGRATIONS } from './migrations/index.ts';
export type { Migration } from './migrations/index.ts';
export type { SweepRecord, SweepTaskRecord, CollectResult } from './sweeps.ts';
