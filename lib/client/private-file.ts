// Writing a secret to disk: a private key, a bearer token, a kubeconfig, a node's credentials.
//
// Two promises, as kubeadm and client-go keep them: only the owner can read the file (mode 0600
// from the moment it exists), and a crash never leaves half a secret behind. The content goes to
// a temporary file first, which is then renamed over the real one: a rename within a directory is
// atomic, so a reader sees the old file or the new one, never a torn one.
//
// The agent's join (lib/client/join.ts) and the server's PKI (daemon/pki/) both write secrets so.

import crypto from 'node:crypto';
import fs from 'node:fs/promises';

/** Writes a file only its owner can read, atomically: a crash never leaves half a secret. */
export async function writePrivateFile(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(tmp, content, { mode: 0o600 });
  await fs.rename(tmp, file);
}

/**
 * Makes an existing secret file 0600 (a file copied in, or written by an older kubelab, may be
 * 0644); a file that does not exist (yet) is fine. Files written by writePrivateFile already are.
 */
export async function restrictFileIfPresent(file: string): Promise<void> {
  await fs.chmod(file, 0o600).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}
