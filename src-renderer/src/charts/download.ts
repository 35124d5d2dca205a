/** Saving what the page made (a chart's PNG, a CSV) as a file: a link with `download`, clicked. */

function save(fileName: string, url: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
}

export function downloadDataUrl(fileName: string, dataUrl: string): void {
  save(fileName, dataUrl);
}

export function downloadText(fileName: string, text: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  save(fileName, url);
  // The click has started the download; the URL is no longer needed once it has been read.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
