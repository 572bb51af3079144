/**
 * The worker's queue of files to classify, run in batches: the model takes up to batchSize()
 * images per run (batch-size.ts), drawn in order from the accepted slices of the queued files (a
 * multi-frame DICOM file fills batches with its own slices). The next batch's files are decoded
 * while a batch runs. Results still go to the page file by file, as soon as a file's last slice
 * is done; whatever fails (decode, the not-a-chest-CT rule, inference) fails its own file only.
 */
import { checkChestCt } from '@respidetect/contract';
import { asFileRefusal } from '../../lib/file-refusal';
import { allSlicesRefused, fileResult, type RefusedSlice, type SliceResult } from './file-result';
import type { Inferred, ModelSlot } from './model-slot';
import { prepareFile, type PreparedFile } from './prepare-file';
import type { ClassifyRequest, WorkerMessage } from '../../lib/worker-protocol/messages';

/** A file taken from the queue: decoded, its slices checked, some of them maybe still to infer. */
interface FileJob {
  req: ClassifyRequest;
  prepared: PreparedFile;
  t0: number;
  /** Indices of accepted slices not yet in a model run, in order. */
  pending: number[];
  results: SliceResult[];
  refused: RefusedSlice[];
}

/** One image of a batch: a slice of a file. */
interface BatchSlot {
  job: FileJob;
  index: number;
}


export class ClassifyQueue {
  private readonly queue: ClassifyRequest[] = [];
  /** Files decoded ahead of their batch, by id; a cancel drops them. */
  private readonly prepared = new Map<string, Promise<PreparedFile>>();
  /** Files in the running batch (or with slices left for the next one): what cancel cannot stop. */
  private readonly active: FileJob[] = [];
  private pumping = false;

  constructor(
    private readonly model: ModelSlot,
    private readonly post: (m: WorkerMessage) => void,
  ) {}

  /** Files queued or being classified: the model must not change under them. */
  get busy(): boolean {
    return this.pumping || this.queue.length > 0;
  }

  add(req: ClassifyRequest): void {
    this.queue.push(req);
    void this.pump();
  }

  /** Drops queued files (`ids`, or all); files already in a batch finish. */
  cancel(ids?: readonly string[]): void {
    const drop = ids ? new Set(ids) : null;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const id = this.queue[i]!.id;
      if (!drop || drop.has(id)) {
        this.queue.splice(i, 1);
        this.prepared.delete(id);
      }
    }
  }

  async pump(): Promise<void> {
    if (this.pumping || !this.model.classifier) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 || this.active.length > 0) {
        const n = this.model.batchSize();
        await this.fill(n);
        const batch = this.nextBatch(n);
        // The files after this batch decode while it runs (a batch's worth; fewer are used when some are multi-slice).
        this.queue.slice(0, n).forEach((req) => this.prefetch(req));
        if (batch.length > 0) await this.run(batch);
        this.finishDone();
      }
    } finally {
      this.pumping = false;
    }
  }

  private pendingSlices(): number {
    return this.active.reduce((sum, j) => sum + j.pending.length, 0);
  }

  /** Takes queued files until their accepted slices fill a batch (or the queue is empty). */
  private async fill(n: number): Promise<void> {
    while (this.queue.length > 0 && this.pendingSlices() < n) {
      const req = this.queue.shift()!;
      const t0 = performance.now();
      try {
        const prepared = await this.take(req);
        const job: FileJob = { req, prepared, t0, pending: [], results: [], refused: [] };
        // The not-a-chest-CT rule runs on the decoded pixels first: a refused slice is never inferred.
        for (const [index, slice] of prepared.slices.entries()) {
          const check = checkChestCt(slice);
          if (check.ok) job.pending.push(index);
          else job.refused.push({ index, reason: check.reason });
        }
        if (job.pending.length === 0) throw allSlicesRefused(req.file.name, prepared, job.refused, this.model.classifier!.metadata);
        this.active.push(job);
      } catch (e) {
        this.fail(req, e);
      }
    }
  }

  /** The file's decoded slices: prepared ahead, or now (reporting its stages, as it is running). */
  private take(req: ClassifyRequest): Promise<PreparedFile> {
    const ahead = this.prepared.get(req.id);
    this.prepared.delete(req.id);
    if (ahead) {
      this.post({ type: 'progress', id: req.id, stage: 'decoding', fraction: 0.3 });
      return ahead;
    }
    return prepareFile(req, (stage, fraction) => this.post({ type: 'progress', id: req.id, stage, fraction }));
  }

  /**
   * Decodes a queued file ahead of its batch, silently: the page still shows it queued, so a
   * cancel still drops it.
   */
  private prefetch(req: ClassifyRequest): void {
    if (this.prepared.has(req.id)) return;
    const p = prepareFile(req);
    // Handled when taken; this stops an "unhandled rejection" while it waits its turn.
    p.catch(() => undefined);
    this.prepared.set(req.id, p);
  }

  /** The next n pending slices, in file order. */
  private nextBatch(n: number): BatchSlot[] {
    const batch: BatchSlot[] = [];
    for (const job of this.active) {
      while (batch.length < n && job.pending.length > 0) batch.push({ job, index: job.pending.shift()! });
      if (batch.length === n) break;
    }
    return batch;
  }

  private async run(batch: BatchSlot[]): Promise<void> {
    const jobs = [...new Set(batch.map((s) => s.job))];
    for (const job of jobs) {
      const total = job.pending.length + job.results.length + batch.filter((s) => s.job === job).length;
      this.post({ type: 'progress', id: job.req.id, stage: 'inferring', fraction: 0.4 + (0.6 * job.results.length) / total });
    }
    try {
      this.record(batch, await this.model.infer(batch.map((s) => s.job.prepared.slices[s.index]!)));
    } catch (e) {
      if (jobs.length === 1) return this.failJob(jobs[0]!, e);
      // One bad image throws the whole run: retry file by file, so only the bad one fails.
      for (const job of jobs) {
        const own = batch.filter((s) => s.job === job);
        try {
          this.record(own, await this.model.infer(own.map((s) => job.prepared.slices[s.index]!)));
        } catch (err) {
          this.failJob(job, err);
        }
      }
    }
  }

  private record(batch: BatchSlot[], { predictions, backend }: Inferred): void {
    batch.forEach((s, k) => s.job.results.push({ index: s.index, out: predictions[k]!, backend, batch: batch.length }));
  }

  /** Posts every file whose slices are all inferred, and lets it go. */
  private finishDone(): void {
    for (const job of this.active.filter((j) => j.pending.length === 0)) {
      this.active.splice(this.active.indexOf(job), 1);
      try {
        const { req, prepared, results, refused, t0 } = job;
        this.post(fileResult(req.id, prepared, results, refused, this.model.classifier!.metadata, performance.now() - t0));
      } catch (e) {
        this.fail(job.req, e);
      }
    }
  }

  private failJob(job: FileJob, e: unknown): void {
    const at = this.active.indexOf(job);
    if (at >= 0) this.active.splice(at, 1);
    this.fail(job.req, e);
  }

  private fail(req: ClassifyRequest, e: unknown): void {
    const r = asFileRefusal(req.file.name, e);
    this.post({ type: 'file-error', id: req.id, status: r.status, code: r.code, message: r.message, ...(r.details !== undefined ? { details: r.details } : {}) });
  }
}
