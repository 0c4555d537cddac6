// An AddressManager that remembers, in a file, every address it put on the host.
//
// The proxier removes its Service addresses from `lo` when it stops cleanly. A daemon that is
// killed (SIGKILL, a crash, a power cut) cannot, and its addresses stay on `lo` after it. The next
// start of the same daemon must take them off, yet never touch an address it did not add: another
// daemon on the same host, or the administrator, may own the rest of `lo`. So every address is
// written to the state file *before* it is added and struck off *after* it is removed; at start
// removeLeftovers() takes off exactly what the file still lists. (Writing first means a crash
// between the two steps leaves an entry for an address that may not exist, and removing a
// missing address is success: the harmless side of the race.) An address that is already on the
// device when asked for, and not in the record, belongs to someone else: it is used as it is,
// never recorded, and so never removed.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { AddressManager } from './address-manager.js';

export class RecordedAddressManager implements AddressManager {
  private recorded = new Set<string>();
  /** Writes happen one after another, in call order. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly inner: AddressManager,
    /** A JSON file in the daemon's data dir, e.g. `<data-dir>/proxy-addresses.json`. */
    private readonly stateFile: string,
  ) {}

  /** Removes every address a previous run recorded and did not remove; returns them. Call once, before the proxier starts. */
  async removeLeftovers(): Promise<string[]> {
    const leftovers = await this.readState();
    this.recorded = new Set(leftovers);
    for (const ip of leftovers) await this.removeAddress(ip);
    return leftovers;
  }

  async ensureAddress(ip: string): Promise<void> {
    if (!this.recorded.has(ip)) {
      if ((await this.inner.listAddresses()).includes(ip)) return; // someone else's: use it, leave it
      this.recorded.add(ip);
      await this.save();
    }
    await this.inner.ensureAddress(ip);
  }

  /** Removes `ip` only if this daemon added it. */
  async removeAddress(ip: string): Promise<void> {
    if (!this.recorded.has(ip)) return;
    await this.inner.removeAddress(ip);
    this.recorded.delete(ip);
    await this.save();
  }

  listAddresses(): Promise<string[]> {
    return this.inner.listAddresses();
  }

  private async readState(): Promise<string[]> {
    try {
      const parsed = JSON.parse(await fs.readFile(this.stateFile, 'utf8')) as { addresses?: unknown };
      return Array.isArray(parsed.addresses) ? parsed.addresses.filter((a): a is string => typeof a === 'string') : [];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new Error(`cannot read the proxy's address record ${this.stateFile}: ${(err as Error).message}; remove the file once you have checked \`ip -4 addr show dev lo\``, { cause: err });
    }
  }

  /** Writes the set through a temporary file and a rename, so a crash never leaves half a file. */
  private save(): Promise<void> {
    const content = JSON.stringify({ addresses: [...this.recorded].sort() }, null, 2) + '\n';
    this.writing = this.writing.catch(() => undefined).then(async () => {
      await fs.mkdir(path.dirname(this.stateFile), { recursive: true });
      const temporary = `${this.stateFile}.tmp`;
      await fs.writeFile(temporary, content);
      await fs.rename(temporary, this.stateFile);
    });
    return this.writing;
  }
}
