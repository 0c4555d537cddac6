// The join token: the one secret a new node needs to become part of the cluster (k3s' token).
//
//   K10<sha256 hex of the CA certificate PEM>::<secret>
//
// The first half lets a joining node recognise the real server's CA before trusting anything
// (lib/client/join.ts); the second half authorises it to ask for node credentials
// (daemon/api/node-credentials.ts). Nothing else is derived from it: whoever holds the token may
// register a *new* node name, nothing more. The gossip keys are a secret of their own
// (gossip-keys.ts), handed to nodes after they authenticate, and the kubelets and the API server
// prove themselves to each other with certificates of the cluster CA (pki.ts).
//
// The token is created once and kept in `<dataDir>/join-token` (mode 0600), so agents that joined
// keep working across server restarts.

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { caHashOf, formatJoinToken, parseJoinToken } from '../../lib/client/join.js';
import { restrictFileIfPresent, writePrivateFile } from '../../lib/client/private-file.js';

export { caHashOf, parseJoinToken, type JoinTokenParts } from '../../lib/client/join.js';

export const JOIN_TOKEN_FILE = 'join-token';

/**
 * The cluster's join token, from `<dataDir>/join-token` or newly made. When the CA changed since
 * the token was written (its pki/ was removed), the secret is kept and the hash brought up to
 * date, so the token still names the CA that /cacerts serves.
 */
export async function ensureJoinToken(dataDir: string, caCertPem: string): Promise<string> {
  const file = path.join(dataDir, JOIN_TOKEN_FILE);
  const caHash = caHashOf(caCertPem);
  let existing: string | undefined;
  await restrictFileIfPresent(file);
  try {
    existing = (await fs.readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (existing) {
    let secret: string;
    try {
      secret = parseJoinToken(existing).secret;
    } catch (err) {
      throw new Error(`${file} does not hold a join token (${(err as Error).message}); remove the file to make a new one`, { cause: err });
    }
    const token = formatJoinToken({ caHash, secret });
    if (token !== existing) await writePrivateFile(file, token + '\n');
    return token;
  }
  const token = formatJoinToken({ caHash, secret: crypto.randomBytes(24).toString('hex') });
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writePrivateFile(file, token + '\n');
  return token;
}
