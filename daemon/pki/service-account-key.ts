// The service account signing key (kubeadm's sa.key / sa.pub): the RSA key pair the API server
// signs service account tokens with (kube-apiserver's --service-account-signing-key-file) and
// checks them against (--service-account-key-file). Made once, at the server's first start, and
// kept under `<dataDir>/pki/` with mode 0600, so tokens issued before a restart stay valid.

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { restrictFileIfPresent, writePrivateFile } from '../../lib/client/private-file.js';

export interface ServiceAccountKey {
  privateKeyPem: string;
  publicKeyPem: string;
}

const KEY_FILE = 'sa.key';
const PUBLIC_FILE = 'sa.pub';

/** Loads `<dataDir>/pki/sa.key` and `sa.pub`, making the pair (RSA 2048, as kubeadm does) when missing. */
export async function ensureServiceAccountKey(dataDir: string): Promise<ServiceAccountKey> {
  const dir = path.join(dataDir, 'pki');
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const keyFile = path.join(dir, KEY_FILE);
  const publicFile = path.join(dir, PUBLIC_FILE);
  await restrictFileIfPresent(keyFile);
  await restrictFileIfPresent(publicFile);
  const existing = await fs.readFile(keyFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (existing) {
    // The public half follows from the private one: a lost or stale sa.pub is written again.
    const publicKeyPem = crypto.createPublicKey(existing).export({ type: 'spki', format: 'pem' }).toString();
    if ((await fs.readFile(publicFile, 'utf8').catch(() => '')) !== publicKeyPem) await writePrivateFile(publicFile, publicKeyPem);
    return { privateKeyPem: existing, publicKeyPem };
  }
  const pair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  await writePrivateFile(keyFile, privateKeyPem);
  await writePrivateFile(publicFile, publicKeyPem);
  return { privateKeyPem, publicKeyPem };
}
