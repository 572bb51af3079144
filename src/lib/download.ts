/** Saves a blob through the browser's download, from memory: nothing is sent anywhere. */
function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  // Revoked later, not at once: some browsers start reading the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Saves text as a file (a report, a CSV). */
export const downloadText = (name: string, type: string, text: string): void => downloadBlob(name, new Blob([text], { type }));

/** Saves bytes (a model file). */
export const downloadBytes = (name: string, type: string, bytes: ArrayBuffer): void => downloadBlob(name, new Blob([bytes], { type }));

/** Saves a file under its own name (a kept model's files). */
export const downloadFile = (file: File): void => downloadBlob(file.name, file);
