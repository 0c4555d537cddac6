// A server's instance id: made once, kept in its data dir. It is the second half of the server's
// leader-election identity (`<node name>_<id>`, as kube-scheduler's `<hostname>_<uuid>`), kept
// across restarts so a server that crashed renews the Leases it held instead of waiting for them
// to expire. Two processes never share a data dir (the pid file sees to that), so two live
// candidates never share an identity.

import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';

export const SERVER_ID_FILE = 'server-id';

export async function serverInstanceId(dataDir: string): Promise<string> {
  const file = path.join(dataDir, SERVER_ID_FILE);
  try {
    const id = (await fsp.readFile(file, 'utf8')).trim();
    if (/^[0-9a-f-]{36}$/.test(id)) return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const id = crypto.randomUUID();
  await fsp.writeFile(file, `${id}\n`, { mode: 0o644 });
  return id;
}
