// One process at a time on a store directory.
//
// nedb keeps the whole store in the memory of the process that opened it and rewrites the
// datafile from that memory when it compacts: a second process writing the same file (a second
// server, or `kubelabd encryption rotate-key` while the server runs) would have its changes
// overwritten, or overwrite the server's. etcd holds a lock on its data directory for the same
// reason. The lock is a file `LOCK` holding the owner's pid, created exclusively; a lock whose
// process is gone (a killed server) is taken over.

import fs from 'node:fs/promises';
import path from 'node:path';

export const LOCK_FILE = 'LOCK';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock of `dir` (which must exist); returns the function that releases it. A lock this
 * process already holds is shared (a test reopening a store), and released by its first taker only.
 */
export async function acquireStoreLock(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => fs.rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
    if (owner === process.pid) return async () => undefined;
    if (Number.isInteger(owner) && owner > 0 && isRunning(owner)) {
      throw new Error(
        `the store in ${dir} is in use by process ${owner} (a running kubelabd server?): stop it first. ` +
          `If no kubelabd runs, that pid belongs to another program: remove ${file}`,
      );
    }
    await fs.rm(file, { force: true }); // its owner is gone: take it over
  }
  throw new Error(`cannot take the lock ${file}: another process keeps taking it`);
}
