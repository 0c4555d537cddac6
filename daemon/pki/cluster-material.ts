// The cluster's shared material: the secrets every API server of one cluster must hold the same
// copy of, as k3s' servers share them through its bootstrap data and kubeadm's control-plane
// nodes through `kubeadm join --control-plane --certificate-key`:
//
//   pki/ca.crt, pki/ca.key          the cluster CA (every certificate chains to it)
//   pki/sa.key, pki/sa.pub          the service account signing key pair (tokens verify anywhere)
//   encryption-config.yaml          the keys Secrets are encrypted with in the shared store
//   admin-token                     the admin's bearer token (one kubeconfig works on any server)
//   gossip-keyring.json             the gossip keys handed to nodes
//   join-token                      the token agents and servers join with
//
// What is NOT shared: each server's own serving certificate (apiserver.crt, valid for its own
// addresses) and kubelet client certificate, which it makes from the shared CA (pki.ts), and its
// instance id (server-instance-id.ts).
//
// This module names the files and checks the document a joining server receives
// (planServerMaterial is pure and table-tested); daemon/api/server-bootstrap.ts serves it and
// daemon/server-join.ts fetches and writes it.

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { caHashOf } from '../../lib/client/join.js';
import { writePrivateFile } from '../../lib/client/private-file.js';
import { ensurePrivateDirectory } from '../private-files.js';
import { ENCRYPTION_CONFIG_FILE } from '../store/encryption-config.js';
import { GOSSIP_KEYRING_FILE } from './gossip-keys.js';
import { JOIN_TOKEN_FILE } from './join-token.js';

/** The shared material as the bootstrap endpoint answers it: one field per file, its exact text. */
export interface ClusterMaterial {
  caCert: string;
  caKey: string;
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
  encryptionConfig: string;
  adminToken: string;
  gossipKeyring: string;
  joinToken: string;
}

/** Where each piece lives, relative to the data dir (pki.ts, service-account-key.ts, ... read them there). */
export const CLUSTER_MATERIAL_FILES: Readonly<Record<keyof ClusterMaterial, string>> = {
  caCert: path.join('pki', 'ca.crt'),
  caKey: path.join('pki', 'ca.key'),
  serviceAccountKey: path.join('pki', 'sa.key'),
  serviceAccountPublicKey: path.join('pki', 'sa.pub'),
  encryptionConfig: ENCRYPTION_CONFIG_FILE,
  adminToken: 'admin-token',
  gossipKeyring: GOSSIP_KEYRING_FILE,
  joinToken: JOIN_TOKEN_FILE,
};

const FIELDS = Object.keys(CLUSTER_MATERIAL_FILES) as (keyof ClusterMaterial)[];

/** Reads what of the material `dataDir` holds (a missing file is simply absent). */
export async function readClusterMaterial(dataDir: string): Promise<Partial<ClusterMaterial>> {
  const material: Partial<ClusterMaterial> = {};
  for (const field of FIELDS) {
    try {
      material[field] = await fs.readFile(path.join(dataDir, CLUSTER_MATERIAL_FILES[field]), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return material;
}

/** Writes every piece, mode 0600 and atomically; the join token last, so a torn bootstrap is redone at the next start. */
export async function writeClusterMaterial(dataDir: string, material: ClusterMaterial): Promise<void> {
  await ensurePrivateDirectory(path.join(dataDir, 'pki'));
  for (const field of [...FIELDS.filter((f) => f !== 'joinToken'), 'joinToken' as const]) {
    await writePrivateFile(path.join(dataDir, CLUSTER_MATERIAL_FILES[field]), material[field]);
  }
}

/**
 * What a joining server does with its data dir (pure):
 * - `use-local`: it holds all the material, of the cluster the token names (a restart: no need
 *   for the first server to be alive);
 * - `fetch`: nothing, or only a part of it (a first start, or one a crash interrupted);
 * - `refuse`: it holds another cluster's CA (the reason says what to do).
 */
export type ServerMaterialPlan = { action: 'use-local' } | { action: 'fetch' } | { action: 'refuse'; reason: string };

export function planServerMaterial(local: Partial<ClusterMaterial>, tokenCaHash: string, dataDir: string): ServerMaterialPlan {
  if (local.caCert !== undefined && caHashOf(local.caCert) !== tokenCaHash) {
    return {
      action: 'refuse',
      reason:
        `${path.join(dataDir, CLUSTER_MATERIAL_FILES.caCert)} holds the CA of another cluster than the one the join token names ` +
        `(sha256 ${caHashOf(local.caCert)}, the token expects ${tokenCaHash}): give this server a new --data-dir, or the token of its own cluster`,
    };
  }
  // All there: a restart. Some missing: a bootstrap torn by a crash (the CA, if there, is the
  // token's), so everything is fetched and written again.
  return FIELDS.every((field) => local[field] !== undefined) ? { action: 'use-local' } : { action: 'fetch' };
}

/** Checks the bootstrap answer: every field a non-empty string, and the CA the one the token pins. Throws an Error naming what is wrong. */
export function checkClusterMaterial(doc: unknown, tokenCaHash: string, server: string): ClusterMaterial {
  const fields = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  const missing = FIELDS.filter((field) => typeof fields[field] !== 'string' || fields[field] === '');
  if (missing.length > 0) {
    throw new Error(`the server at ${server} answered the server bootstrap without ${missing.join(', ')}: is it an older kubelabd? upgrade it first`);
  }
  const material = Object.fromEntries(FIELDS.map((f) => [f, fields[f]])) as unknown as ClusterMaterial;
  if (caHashOf(material.caCert) !== tokenCaHash) {
    throw new Error(`the server at ${server} handed over a CA certificate (sha256 ${caHashOf(material.caCert)}) that is not the one the join token names (${tokenCaHash})`);
  }
  if (!crypto.createPublicKey(material.caKey).equals(new crypto.X509Certificate(material.caCert).publicKey)) {
    throw new Error(`the server at ${server} handed over a CA key that does not belong to its CA certificate`);
  }
  return material;
}
