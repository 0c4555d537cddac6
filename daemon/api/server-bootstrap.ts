// The server bootstrap: how a second API server gets the cluster's shared material (k3s' server
// join, kubeadm's `join --control-plane`).
//
//   GET /kubelab/v1/server-bootstrap   `Authorization: Bearer <join token>`
//                                      → 200 {"caCert", "caKey", "serviceAccountKey", "serviceAccountPublicKey",
//                                             "encryptionConfig", "adminToken", "gossipKeyring", "joinToken"}
//
// The joining server has already pinned this server's CA by the hash in the token (as an agent
// does, lib/client/join.ts), so the answer travels over a connection it verified. What it gets is
// the whole of daemon/pki/cluster-material.ts: the CA and its key, the service account key pair,
// the encryption keys, the admin token, the gossip keys and the join token.
//
// As with k3s' single token, whoever holds the join token may therefore join as a server and
// read every secret of the cluster: the join token is exactly as secret as the CA key. (k3s lets
// agents join with a separate agent token; kubelab has one token for both.) Keep it in the data
// dir, readable by root only, and hand it only to machines that may run the control plane.
//
// A server on the embedded nedb store refuses: its objects live in its own data dir, and a server
// that joined it would run on another store, a cluster of its own with the same CA.

import express, { type Request, type Response, type NextFunction } from 'express';
import { ApiError, unauthorized } from '../../lib/errors.js';
import { readClusterMaterial, CLUSTER_MATERIAL_FILES, type ClusterMaterial } from '../pki/cluster-material.js';
import { presentsJoinToken } from './node-credentials.js';

export const SERVER_BOOTSTRAP_PATH = '/kubelab/v1/server-bootstrap';

export interface ServerBootstrapDeps {
  dataDir: string;
  joinToken: string;
  /** Which store this server runs on: only a server on etcd can be joined. */
  storeType: 'nedb' | 'etcd';
}

/** GET /kubelab/v1/server-bootstrap; mounted before authentication (it checks the join token itself). */
export function serverBootstrapRouter(deps: ServerBootstrapDeps): express.Router {
  const router = express.Router();
  router.get(
    SERVER_BOOTSTRAP_PATH,
    (req: Request, _res: Response, next: NextFunction) => next(presentsJoinToken(req, deps.joinToken) ? undefined : unauthorized()),
    (_req: Request, res: Response, next: NextFunction) => {
      if (deps.storeType !== 'etcd') {
        return next(
          new ApiError(
            409,
            'Conflict',
            'this server keeps its objects in its embedded nedb store, which no other server can share: ' +
              'servers can only join a server started with --store etcd --etcd-endpoints URL (agents join any server with kubelabd agent)',
          ),
        );
      }
      readClusterMaterial(deps.dataDir).then((material) => {
        const missing = (Object.keys(CLUSTER_MATERIAL_FILES) as (keyof ClusterMaterial)[]).filter((f) => material[f] === undefined);
        if (missing.length > 0) {
          throw new ApiError(500, 'InternalError', `this server's data dir lacks ${missing.map((f) => CLUSTER_MATERIAL_FILES[f]).join(', ')}, which a joining server needs`);
        }
        res.setHeader('cache-control', 'no-store');
        res.json(material);
      }).catch(next);
    },
  );
  return router;
}
