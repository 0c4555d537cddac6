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
// `objects.db~`, fsync, rename over the old one, fsync the directory): it runs between two
// batches, so it sees exactly what the file holds, and appends queued meanwhile follow it.

import fs from 'node:fs/promises';
import path from 'node:path';

interface QueuedAppend {
  text: string;
  /** Runs right after the batch holding this text was written, in order: the write becomes visible. */
  commit: () => void;
  resolve: () => void;
  reject: (err: unknown) => void;
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
  private rewriteRequested: { lines: () => Iterable<string>; done: Array<{ resolve: () => void; reject: (err: unknown) => void }> } | undefined;
  /** Batches written so far and the appends they held (tests and the bench read them). */
  readonly stats = { batches: 0, appends: 0 };

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
      this.flushing ??= this.flush();
    });
  }

  /** Rewrites the whole file from `lines` between two batches (compaction). */
  rewrite(lines: () => Iterable<string>): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.rewriteRequested) this.rewriteRequested.lines = lines;
      else this.rewriteRequested = { lines, done: [] };
      this.rewriteRequested.done.push({ resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Waits for every queued append and rewrite, then closes the file. */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.handle?.close();
    this.handle = undefined;
  }

  private async flush(): Promise<void> {
    try {
      // Let the writes of the current tick join the first batch.
      await Promise.resolve();
      while (this.queue.length > 0 || this.rewriteRequested) {
        if (this.rewriteRequested) {
          const request = this.rewriteRequested;
          this.rewriteRequested = undefined;
          try {
            await this.rewriteNow(request.lines());
            for (const waiter of request.done) waiter.resolve();
          } catch (err) {
            for (const waiter of request.done) waiter.reject(err);
          }
          continue;
        }
        const batch = this.queue;
        this.queue = [];
        try {
          if (this.handle) await this.handle.write(batch.map((entry) => entry.text).join(''));
        } catch (err) {
          // Writes queued after the failed batch were accepted on top of it: they fail too.
          const failed = [...batch, ...this.queue];
          this.queue = [];
          this.options.onFailure?.(err);
          for (const entry of failed) entry.reject(err);
          continue;
        }
        this.stats.batches += 1;
        this.stats.appends += batch.length;
        for (const entry of batch) entry.commit();
        for (const entry of batch) entry.resolve();
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async rewriteNow(lines: Iterable<string>): Promise<void> {
    const filename = this.options.filename;
    if (!filename) return;
    const temporary = `${filename}~`;
    const out = await fs.open(temporary, 'w', this.options.fileMode);
    try {
      let chunk = '';
      for (const line of lines) {
        chunk += line;
        if (chunk.length > 1 << 20) {
          await out.write(chunk);
          chunk = '';
        }
      }
      if (chunk) await out.write(chunk);
      await out.sync();
    } finally {
      await out.close();
    }
    await this.handle?.close();
    this.handle = undefined;
    try {
      await fs.rename(temporary, filename);
      await syncDirectory(path.dirname(filename));
    } finally {
      // Appends go on to the datafile, the new one or (if the rename failed) the old one.
      this.handle = await fs.open(filename, 'a', this.options.fileMode);
    }
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
