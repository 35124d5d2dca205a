/**
 * The one error type of the data importers. Its message is shown to the user as is (CLI and
 * app), so it always starts with the file or folder it is about and then says what is wrong,
 * e.g. `train.idx: file is truncated: header says ...`.
 */
export class DatasetImportError extends Error {
  override name = 'DatasetImportError';
  /** The file or folder the message starts with. */
  readonly file: string;

  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.file = file;
  }
}

/**
 * Thrown when the caller's AbortSignal fires. Named 'AbortError' like the errors of fetch and
 * the Node stream APIs, so callers can tell a cancellation from a failure by `err.name`.
 */
export function abortError(): Error {
  const err = new Error('dataset import was cancelled');
  err.name = 'AbortError';
  return err;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError();
}
