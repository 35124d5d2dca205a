/** What to try, for the errors a run can end with. Pure. */
export function runErrorHint(status: string, error: string | null): string {
  const e = (error ?? '').toLowerCase();
  if (e.includes('nan') || e.includes('infinite'))
    return 'The loss diverged. Duplicate the run with a lower learning rate (e.g. a tenth), a larger batch, or λ = 0; the last good checkpoint is kept, so you can also evaluate it.';
  if (e.includes('out of memory') || e.includes('oom') || e.includes('allocation'))
    return 'The backend ran out of memory. Duplicate the run with a smaller batch size or hidden width, or pick another backend.';
  if (e.includes('backend') || e.includes('tensorflow') || e.includes('wasm'))
    return 'The compute backend failed. Duplicate the run with backend = cpu or wasm to rule it out.';
  if (e.includes('dataset') || e.includes('no such file'))
    return 'Its dataset could not be loaded. Check the Datasets screen; re-import it if it is gone.';
  if (status === 'interrupted')
    return 'Its training process ended without finishing (killed, crashed, or the app closed). Resume continues from the last checkpoint with the same numbers.';
  if (status === 'failed')
    return 'Resume retries from the last good checkpoint; duplicate it to change settings first.';
  return 'Resume continues from the last checkpoint.';
}
