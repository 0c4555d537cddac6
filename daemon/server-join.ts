// A server joining a cluster: `kubelabd server --server https://HOST:PORT --token TOKEN --store
// etcd --etcd-endpoints ...` (k3s' flags for a second server).
//
// Before the server makes anything (the CA, the service account key, the encryption key, the
// gossip keys are all made at a first start when missing), it fills its data dir with the
// cluster's shared material (daemon/pki/cluster-material.ts) so that nothing is generated twice:
//
//   1. pin the first server's CA by the hash in the join token (GET /cacerts, as an agent does);
//   2. GET /kubelab/v1/server-bootstrap over that verified connection, presenting the token;
//   3. write every file, mode 0600, in the data dir.
//
// Its own serving certificate and kubelet client certificate are then made from the shared CA by
// ensurePki as on any start. A restart finds the material in the data dir and needs no live
// first server: any server of the cluster is as good as the first one from then on.
//
// As with k3s' single token, a holder of the join token may join as a server and so read the CA
// key and every other shared secret: the join token is as secret as the CA key.

import { fetchPinnedCa, joinRequest, parseJoinToken } from '../lib/client/join.js';
import { checkClusterMaterial, planServerMaterial, readClusterMaterial, writeClusterMaterial } from './pki/cluster-material.js';
import { SERVER_BOOTSTRAP_PATH } from './api/server-bootstrap.js';

export interface ServerJoinOptions {
  dataDir: string;
  /** --server: a running server of the cluster, https://HOST:PORT. */
  server: string;
  /** --token: the cluster's join token. */
  token: string;
}

/** Makes sure `dataDir` holds the cluster's shared material; says whether it was fetched now. */
export async function ensureJoinedServerMaterial(options: ServerJoinOptions): Promise<{ fetched: boolean }> {
  const { caHash } = parseJoinToken(options.token);
  const plan = planServerMaterial(await readClusterMaterial(options.dataDir), caHash, options.dataDir);
  if (plan.action === 'refuse') throw new Error(plan.reason);
  if (plan.action === 'use-local') return { fetched: false };

  const server = options.server.replace(/\/+$/, '');
  const caPem = await fetchPinnedCa(server, caHash);
  const answer = await joinRequest(server, 'GET', SERVER_BOOTSTRAP_PATH, { ca: caPem, bearer: options.token.trim() });
  let doc: unknown;
  try {
    doc = JSON.parse(answer.body);
  } catch (err) {
    throw new Error(`the server at ${server} answered ${SERVER_BOOTSTRAP_PATH} with something that is not JSON`, { cause: err });
  }
  await writeClusterMaterial(options.dataDir, checkClusterMaterial(doc, caHash, server));
  return { fetched: true };
}

/**
 * A server on etcd that is about to make a new CA (no pki/ca.crt in its data dir, no --server)
 * must find an empty store: if the store already holds a cluster (its CA published in
 * kube-system/kube-root-ca.crt), a CA and encryption key of its own would split the cluster in
 * two (Secrets it could not decrypt, tokens nobody else accepts). It is refused with what to do.
 */
export async function refuseSecondFirstServer(options: { dataDir: string; storeHoldsCluster: () => Promise<boolean>; endpoints: string[] }): Promise<void> {
  const local = await readClusterMaterial(options.dataDir);
  if (local.caCert !== undefined) return;
  if (!(await options.storeHoldsCluster())) return;
  throw new Error(
    `etcd at ${options.endpoints.join(',')} already holds a cluster, and ${options.dataDir} has no CA of it: ` +
      'join that cluster with --server https://HOST:PORT --token-file FILE (a server of it and its <data-dir>/join-token), or start a new cluster with another --etcd-prefix',
  );
}
