// The output of one fake container, kept as Docker's json-file log driver keeps it: one entry per
// line with the time it was written, so tail, since, timestamps and follow work as on the engine.

import { EventEmitter } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import type { LogOptions } from '../../daemon/runtime/container-runtime.js';

export interface LogLine {
  time: Date;
  stream: 'stdout' | 'stderr';
  text: string;
}

export class FakeLog {
  readonly lines: LogLine[] = [];
  private readonly events = new EventEmitter();
  private closed = false;

  /** Appends text; a text of several lines becomes several entries, all at `time`. */
  write(stream: 'stdout' | 'stderr', text: string, time: Date): void {
    for (const part of text.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
      const line = { time, stream, text: part };
      this.lines.push(line);
      this.events.emit('line', line);
    }
  }

  /** The writer is gone (the container exited or was removed): followers reach the end. */
  close(): void {
    this.closed = true;
    this.events.emit('close');
  }

  /** Opens the log again for a restarted process. */
  reopen(): void {
    this.closed = false;
  }

  /** Calls onLine for each line written from now on and onClose when the writer goes (at once if gone). */
  subscribe(onLine: (line: LogLine) => void, onClose: () => void): () => void {
    const unsubscribe = () => {
      this.events.off('line', onLine);
      this.events.off('close', closed);
    };
    const closed = () => {
      unsubscribe();
      onClose();
    };
    if (this.closed) {
      onClose();
      return () => undefined;
    }
    this.events.on('line', onLine);
    this.events.once('close', closed);
    return unsubscribe;
  }

  read(options: LogOptions, now: Date): Readable {
    const sinceMs = options.sinceTime
      ? new Date(options.sinceTime).getTime()
      : options.sinceSeconds !== undefined
        ? now.getTime() - options.sinceSeconds * 1000
        : undefined;
    let selected = this.lines.filter((l) => sinceMs === undefined || l.time.getTime() >= sinceMs);
    if (options.tailLines !== undefined) selected = options.tailLines > 0 ? selected.slice(-options.tailLines) : [];
    const format = (l: LogLine) => (options.timestamps ? `${l.time.toISOString()} ${l.text}` : l.text);

    const out = new PassThrough();
    let bytesLeft = options.limitBytes ?? Infinity;
    const push = (text: string) => {
      if (bytesLeft <= 0) return;
      const bytes = Buffer.from(text).subarray(0, bytesLeft);
      bytesLeft -= bytes.length;
      out.write(bytes);
      if (bytesLeft <= 0) finish();
    };
    const onLine = (l: LogLine) => push(format(l));
    const finish = () => {
      this.events.off('line', onLine);
      this.events.off('close', finish);
      out.end();
    };
    for (const l of selected) push(format(l));
    if (options.follow && !this.closed && bytesLeft > 0) {
      this.events.on('line', onLine);
      this.events.once('close', finish);
      out.once('close', finish);
    } else {
      finish();
    }
    return out;
  }
}
