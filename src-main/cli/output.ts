/**
 * How every command reports: with --json exactly one JSON object on stdout and progress on
 * stderr; without it, human-readable lines. Errors exit non-zero with one line.
 */
export interface OutputOptions {
  json?: boolean;
}

export class CliError extends Error {
  override name = 'CliError';
}

/** Progress and notes: stderr, so stdout stays one JSON object under --json. */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function emitResult(options: OutputOptions, result: object, human: () => string): void {
  if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${human()}\n`);
}

/** A plain aligned table for terminal output. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((v, c) => v.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatNumber(value: number | undefined | null, digits = 4): string {
  if (value === undefined || value === null || Number.isNaN(value)) return '-';
  return Math.abs(value) >= 1000 ? value.toFixed(1) : value.toPrecision(digits);
}
