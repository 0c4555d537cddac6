// The gossip keyring over the API (after authentication and authorization):
//
//   GET  /kubelab/v1/gossip-keyring          nodes (and the admin): the keys, newest first
//                                            → {"keys": [{"key": "<hex>", "addedAt": "<time>"}], "activationDelaySeconds": 30}
//   POST /kubelab/v1/gossip-keyring/rotate   the admin only (the Node authorizer refuses nodes):
//                                            a new key; 409 while the previous one is not in use yet
//
// Agents fetch the ring when they start and every NODE_AGENT_DEFAULTS.gossipKeyringPollMs, so
// a rotation reaches them before the new key signs (daemon/pki/gossip-keys.ts, network/gossip/keyring.ts).

import express from 'express';
import { ApiError } from '../../lib/errors.js';
import { RotationTooSoonError } from '../../network/gossip/keyring.js';
import { keyringDocument, type GossipKeyStore } from '../pki/gossip-keys.js';

export const GOSSIP_KEYRING_PATH = '/kubelab/v1/gossip-keyring';
export const GOSSIP_KEYRING_ROTATE_PATH = `${GOSSIP_KEYRING_PATH}/rotate`;

export function gossipKeyringRouter(store: GossipKeyStore): express.Router {
  const router = express.Router();
  const answer = () => ({ ...keyringDocument(store.keyring.list()), activationDelaySeconds: store.keyring.activationDelayMs / 1000 });
  router.get(GOSSIP_KEYRING_PATH, (_req, res) => void res.json(answer()));
  router.post(GOSSIP_KEYRING_ROTATE_PATH, (_req, res, next) => {
    store.rotate().then(
      () => void res.status(201).json(answer()),
      (err: unknown) => next(err instanceof RotationTooSoonError ? new ApiError(409, 'Conflict', err.message) : err),
    );
  });
  return router;
}
