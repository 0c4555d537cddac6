// The daemon's data directory holds what must stay private: the store (every Secret, base64
// only), keys, tokens, node credentials. Only the daemon's user may read it.
//
// `mkdir(dir, { mode: 0o700 })` is not enough: the mode applies only when the directory is
// created. The quick start makes the data directory beforehand with the usual 0755, and a store
// written by an older kubelab kept 0644 files, so every local user could read every Secret. These
// helpers set the mode every time the daemon starts, whatever was there before.

import fs from 'node:fs/promises';

export { restrictFileIfPresent } from '../lib/client/private-file.js';

/** Only the owner may list, enter or change a private directory. */
export const PRIVATE_DIRECTORY_MODE = 0o700;
/** Only the owner may read or write a private file. */
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and its parents) if needed, and makes it 0700 even when it already existed. */
export async function ensurePrivateDirectory(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  await fs.chmod(dir, PRIVATE_DIRECTORY_MODE);
}
