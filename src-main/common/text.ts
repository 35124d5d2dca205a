/** Wording shared by every interface (the CLI's lines, the renderer's screens). Pure. */

/** '1 epoch', '3 epochs': a count with its noun agreeing. */
export function plural(count: number | string, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${Number(count) === 1 ? singular : pluralForm}`;
}
