import type { DownloadedFile } from '@babble-buddy/shared';

/** Saves a file the API answered with (the request carried the bearer token, so a plain link cannot). */
export function saveFile(file: DownloadedFile): void {
  const url = URL.createObjectURL(file.body);
  const link = document.createElement('a');
  link.href = url;
  link.download = file.filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
