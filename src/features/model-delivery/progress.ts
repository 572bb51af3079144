/** Byte progress over all shards of one load, from the weights manifest's total when it can say. */

export interface ModelLoadProgress {
  /** Weight bytes in hand (from the network or the cache). */
  loadedBytes: number;
  /** All weight bytes of the model, from the weights manifest (or Content-Length when it cannot say). */
  totalBytes: number;
  /** The shard that moved last. */
  file?: string;
}

export class Progress {
  private readonly files = new Map<string, { loaded: number; total: number | null }>();
  private expected: number | null = null;

  constructor(private readonly onProgress?: (p: ModelLoadProgress) => void) {}

  start(expected: number | null): void {
    this.expected = expected;
    if (expected !== null) this.onProgress?.({ loadedBytes: 0, totalBytes: expected });
  }

  update(file: string, loaded: number, total: number | null): void {
    this.files.set(file, { loaded, total });
    if (!this.onProgress) return;
    let loadedBytes = 0;
    let known = 0;
    for (const f of this.files.values()) {
      loadedBytes += f.loaded;
      known += f.total ?? f.loaded;
    }
    const totalBytes = Math.max(this.expected ?? known, loadedBytes);
    this.onProgress({ loadedBytes, totalBytes, file });
  }
}
