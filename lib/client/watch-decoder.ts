// A watch response is a stream of JSON objects, one per line ("newline-delimited JSON"), that
// arrive in chunks cut anywhere: in the middle of an object, of a line, even of a UTF-8
// character. The decoder keeps the unfinished tail and hands back only complete events.

import { StringDecoder } from 'node:string_decoder';

export class WatchDecoder {
  private readonly text = new StringDecoder('utf8');
  private pending = '';

  /** Feeds one chunk; returns the events completed by it, in order. */
  push(chunk: Buffer | string): unknown[] {
    this.pending += typeof chunk === 'string' ? chunk : this.text.write(chunk);
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    return lines.filter((l) => l.trim() !== '').map((l) => this.parseLine(l));
  }

  /** The stream ended: a last line without its newline still counts. */
  end(): unknown[] {
    const rest = (this.pending + this.text.end()).trim();
    this.pending = '';
    return rest ? [this.parseLine(rest)] : [];
  }

  private parseLine(line: string): unknown {
    try {
      return JSON.parse(line);
    } catch (err) {
      throw new Error(`watch stream: a line is not JSON: ${line.slice(0, 200)}`, { cause: err });
    }
  }
}
