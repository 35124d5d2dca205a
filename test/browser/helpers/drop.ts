/** A synthetic drop of files on the window, as a user dragging them from the desktop would make. */
import type { Page } from 'playwright-core';

// The page's globals, for the function evaluated in it (this file is type-checked as Node code).
declare const window: { dispatchEvent(event: unknown): boolean };
declare const DataTransfer: new () => { items: { add(file: File): unknown } };
declare const DragEvent: new (
  type: string,
  init: { dataTransfer: unknown; bubbles: boolean; cancelable: boolean },
) => unknown;

export async function dropFiles(
  page: Page,
  files: { name: string; text: string; type?: string }[],
): Promise<void> {
  await page.evaluate((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([f.text], f.name, { type: f.type ?? 'text/csv' }));
    for (const type of ['dragenter', 'dragover', 'drop'])
      window.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, files);
}
