// The store's datafile writer: an append-only log with group commit.
//
// Every write of the store becomes one or more lines appended to the datafile (nedb's format:
// one JSON document per line, a later line for the same _id replaces the earlier one, and
// `{"$$deleted":true,"_id":...}` removes it). A write is acknowledged only after its lines reached
// the file. Appending each write on its own costs one open/write/close per write and makes every
// writer wait for all the appends queued before it, one by one: under 32 concurrent clients the
// queue, not the work, sets the pace.
//
// Group commit (as databases do with their write-ahead log): while one append is in flight, the
// writes that arrive queue up; when it completes, all of them go to the file in ONE write, and
// each is acknowledged after that write returned. Order is kept (lines are written in the order
// the writes were accepted, and batches one after another), and so is the promise "acknowledged
// = in the file": a batch's writes are acknowledged together, after their bytes were written.
// As before (nedb appends the same way), "in the file" means handed to the kernel with write(2);
// a crash of the process loses nothing acknowledged, a power cut may lose the last moments.
//
// Compaction rewrites the file from the store's memory, crash-safely as nedb does (a new file
// `objects.db~`, fsync, rename over the old one, fsync the directory), without stopping the
// appends: the snapshot is taken between two batches (so it holds exactly what the file holds),
// the new file is written and synced in the background while batches go on to the old file and
// are also kept aside, and at the next pause between batches those are appended to the new file
// and it replaces the old one. A write never waits for a whole-store fsync.

import fs from 'node:fs/promises';
import path from 'node:path';

interface QueuedAppend {
  text: string;
  /** Runs right after the batch holding this text was written, in order: the write becomes visible. */
  commit: () => void;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** A compaction under way: its new file is being written while batches go on to the old one. */
interface Rewrite {
  /** Batches written to the old file since the snapshot: appended to the new file before the swap. */
  since: string[];
  /** Set when the new file is written and synced (or failed). */
  ready: boolean;
  error?: unknown;
  waiters: Waiter[];
}

export interface AppendLogOptions {
  /** The datafile; absent: nothing is written (an in-memory store), batches still form. */
  filename?: string;
  fileMode?: number;
  /** Told about a failed append: the store forgets the writes it had not yet made visible. */
  onFailure?: (err: unknown) => void;
}

export class AppendLog {
  private handle: fs.FileHandle | undefined;
  private queue: QueuedAppend[] = [];
  private flushing: Promise<void> | undefined;
  private requested: { lines: () => Iterable<string>; waiters: Waiter[] } | undefined;
  private rewriting: Rewrite | undefined;
  /** Batches written so far and the appends they held (tests and the bench read them). */
  readonly stats = { batches: 0, appends: 0, rewrites: 0 };

  constructor(private readonly options: AppendLogOptions) {}

  async open(): Promise<void> {
    if (this.options.filename) this.handle = await fs.open(this.options.filename, 'a', this.options.fileMode);
  }

  /**
   * Queues `text` (whole lines, each ending in "\n") for the next batch; `commit` runs right after
   * the batch reached the file, before any later batch is written. Resolves after commit ran.
   */
  append(text: string, commit: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ text, commit, resolve, reject });
      this.kick();
    });
  }

  /**
   * Replaces the file by `lines` (compaction); resolves once the new file is in place. `lines` is
   * called between two batches, when memory shows exactly what the file holds.
   */
  rewrite(lines: () => Iterable<string>): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.options.filename) return resolve();
      if (this.requested) this.requested.lines = lines;
      else this.requested = { lines, waiters: [] };
      this.requested.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  /** Waits for every queued append and rewrite, then closes the file. */
  async close(): Promise<void> {
    while (this.flushing || this.rewriting || this.requested) {
      this.kick();
      await (this.flushing ?? new Promise((resolve) => setTimeout(resolve, 5)));
    }
    await this.handle?.close();
    this.handle = undefined;
  }

  private kick(): void {
    this.flushing ??= this.flush();
  }

  private async flush(): Promise<void> {
    try {
      // Let the writes of the current tick join the first batch.
      await Promise.resolve();
      for (;;) {
        if (this.rewriting?.ready) {
          await this.finishRewrite(this.rewriting);
          continue;
        }
        if (this.requested && !this.rewriting) {
          this.startRewrite(this.requested);
          this.requested = undefined;
          continue;
        }
        if (this.queue.length === 0) break;
        await this.writeBatch();
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async writeBatch(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    const text = batch.map((entry) => entry.text).join('');
    try {
      if (this.handle) await this.handle.write(text);
    } catch (err) {
      // Writes queued after the failed batch were accepted on top of it: they fail too.
      const failed = [...batch, ...this.queue];
      this.queue = [];
      this.options.onFailure?.(err);
      for (const entry of failed) entry.reject(err);
      return;
    }
    this.rewriting?.since.push(text);
    this.stats.batches += 1;
    this.stats.appends += batch.length;
    for (const entry of batch) entry.commit();
    for (const entry of batch) entry.resolve();
  }

  /** Takes the snapshot now (between batches) and writes the new file in the background. */
  private startRewrite(request: { lines: () => Iterable<string>; waiters: Waiter[] }): void {
    const rewrite: Rewrite = { since: [], ready: false, waiters: request.waiters };
    this.rewriting = rewrite;
    let snapshot: string;
    try {
      snapshot = [...request.lines()].join('');
    } catch (err) {
      rewrite.error = err;
      rewrite.ready = true;
      return;
    }
    void writeSynced(`${this.options.filename!}~`, snapshot, this.options.fileMode).then(
      () => this.rewriteReady(rewrite),
      (err: unknown) => this.rewriteReady(rewrite, err),
    );
  }

  private rewriteReady(rewrite: Rewrite, error?: unknown): void {
    rewrite.ready = true;
    rewrite.error = error;
    this.kick();
  }

  /** Between two batches: the batches written meanwhile go to the new file, which replaces the old. */
  private async finishRewrite(rewrite: Rewrite): Promise<void> {
    const filename = this.options.filename!;
    const temporary = `${filename}~`;
    try {
      if (rewrite.error) throw rewrite.error;
      if (rewrite.since.length > 0) {
        const out = await fs.open(temporary, 'a', this.options.fileMode);
        try {
          await out.write(rewrite.since.join(''));
          await out.sync();
        } finally {
          await out.close();
        }
      }
      await this.handle?.close();
      this.handle = undefined;
      try {
        await fs.rename(temporary, filename);
        await syncDirectory(path.dirname(filename));
      } finally {
        // Appends go on to the datafile: the new one, or (if the rename failed) the old one.
        this.handle = await fs.open(filename, 'a', this.options.fileMode);
      }
      this.stats.rewrites += 1;
      for (const waiter of rewrite.waiters) waiter.resolve();
    } catch (err) {
      for (const waiter of rewrite.waiters) waiter.reject(err);
    } finally {
      this.rewriting = undefined;
    }
  }
}

/** Writes a whole file and fsyncs it. */
async function writeSynced(file: string, text: string, mode: number | undefined): Promise<void> {
  const out = await fs.open(file, 'w', mode);
  try {
    await out.write(text);
    await out.sync();
  } finally {
    await out.close();
  }
}

/** fsync of the directory makes the rename itself durable (where the platform allows it). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory (EPERM, EISDIR): nedb ignores it too.
  } finally {
    await handle?.close();
  }
}
