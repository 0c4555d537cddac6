// Node credentials: how a joining agent gets a token of its own (k3s' node password and
// Kubernetes' TLS bootstrap, reduced to bearer tokens).
//
//   GET  /cacerts                       the CA certificate, to anyone. It is public anyway; the
//                                       joining node checks it against the hash in its join token.
//   POST /kubelab/v1/node-credentials   `Authorization: Bearer <join token>`, body
//                                         {"nodeName": "node2", "nodePassword": "<the node's own secret>",
//                                          "nodeIPs": ["10.0.0.12"], "kubeletCsr": "<PEM CSR>"}
//                                       → 201 {"token": "<node token>", "user": "system:node:node2",
//                                              "kubeletCertificate": "<PEM>"}
//
// The join token only proves "I may become a node"; it registers a node *name* once. As with
// k3s' node password, the agent makes a random password at its first join and keeps it in its
// data dir (0600); the server keeps the password's sha256 in a Secret
// `kube-system/<name>.node-password.kubelab` (type kubelab.io/node-password), and every later join
// under that name must present the same password, or is a 403. So a holder of the join token
// cannot take over another node's name (its token, its Secrets, its kubelet certificate): the
// agent that registered it, restarted with its data dir, re-joins; a new machine taking the name
// needs an admin to delete the Node and its password secret first. A name whose Node exists but
// has no password (the server's own node) cannot be joined at all until its Node is deleted.
//
// The kubelet's serving certificate is issued here too, from a CSR the agent sends: the private
// key never leaves the node, and the names are the server's choice (CN system:node:<name>, SANs
// the name and nodeIPs), not the CSR's. The API server checks it when it dials the kubelet.
//
// Every node then gets its own random token,
// so one node's credentials can be revoked, and the Node authorizer (node-authorizer.ts) can tell
// nodes apart. The server keeps only the token's sha256, durably, in a Secret
// `kube-system/node-token-<name>` of type `kubelab.io/node-token`: a re-join replaces it (the old
// token stops working), deleting it revokes the node (`kubelab delete secret -n kube-system
// node-token-node2`). NodeTokenCache watches those Secrets, so the authenticator answers from
// memory and a change takes effect with the write.

import crypto from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { checkDns1123Subdomain } from '../../lib/api/name-rules.js';
import { checkJsonDocument } from '../../lib/api/safe-json.js';
import type { Secret } from '../../lib/api/types.js';
import { CACERTS_PATH, NODE_CREDENTIALS_PATH } from '../../lib/client/join.js';
import ipaddr from 'ipaddr.js';
import { ApiError, badRequest, errorMessage, isAlreadyExists, isConflict, isNotFound, unauthorized } from '../../lib/errors.js';
import { publicKeyOfCsr } from '../pki/certificates.js';
import { signKubeletCertificate } from '../pki/pki.js';
import { AUTHENTICATED_GROUP, type TokenAuthenticator, type UserInfo } from './auth.js';
import { NODE_USER_PREFIX, NODES_GROUP } from './node-authorizer.js';
import { internalContext, type Registry } from './registry.js';

export const NODE_TOKEN_SECRET_TYPE = 'kubelab.io/node-token';
export const NODE_TOKEN_NAMESPACE = 'kube-system';
const NODE_NAME_KEY = 'node-name';
const TOKEN_HASH_KEY = 'token-sha256';

export const nodeTokenSecretName = (nodeName: string): string => `node-token-${nodeName}`;
export const NODE_PASSWORD_SECRET_TYPE = 'kubelab.io/node-password';
const PASSWORD_HASH_KEY = 'hash';
/** k3s' name for the same Secret (`<node>.node-password.k3s`). */
export const nodePasswordSecretName = (nodeName: string): string => `${nodeName}.node-password.kubelab`;
const MAX_PASSWORD_LENGTH = 512;
const sha256Hex = (value: string): string => crypto.createHash('sha256').update(value).digest('hex');
const base64 = (value: string): string => Buffer.from(value).toString('base64');
const fromBase64 = (value: unknown): string | undefined => (typeof value === 'string' ? Buffer.from(value, 'base64').toString() : undefined);

export const nodeUser = (nodeName: string): UserInfo => ({ name: `${NODE_USER_PREFIX}${nodeName}`, groups: [NODES_GROUP, AUTHENTICATED_GROUP] });

/** The node tokens the cluster knows, kept in step with their Secrets by a watch. */
export class NodeTokenCache implements TokenAuthenticator {
  /** token sha256 → node name */
  private readonly nodeByTokenHash = new Map<string, string>();
  /** Secret name → the token hash it holds, to forget it when the Secret changes or goes. */
  private readonly hashBySecret = new Map<string, string>();
  private stopWatch: () => void = () => {};

  /** Starts watching the node-token Secrets; the current ones are loaded before this returns. */
  static watch(registry: Registry): NodeTokenCache {
    const cache = new NodeTokenCache();
    // The registry delivers the current objects, then every change, synchronously with each write.
    cache.stopWatch = registry.watch('secrets', { namespace: NODE_TOKEN_NAMESPACE }, internalContext(), (event) => {
      const secret = event.object as Secret;
      if (event.type === 'ADDED' || event.type === 'MODIFIED') cache.remember(secret);
      else if (event.type === 'DELETED') cache.forget(secret.metadata.name!);
    });
    return cache;
  }

  stop(): void {
    this.stopWatch();
  }

  userForToken(token: string): UserInfo | undefined {
    const nodeName = this.nodeByTokenHash.get(sha256Hex(token));
    return nodeName === undefined ? undefined : nodeUser(nodeName);
  }

  private remember(secret: Secret): void {
    this.forget(secret.metadata.name!);
    if (secret.type !== NODE_TOKEN_SECRET_TYPE) return;
    const nodeName = fromBase64(secret.data?.[NODE_NAME_KEY]);
    const hash = fromBase64(secret.data?.[TOKEN_HASH_KEY]);
    if (!nodeName || !hash) return;
    this.nodeByTokenHash.set(hash, nodeName);
    this.hashBySecret.set(secret.metadata.name!, hash);
  }

  private forget(secretName: string): void {
    const hash = this.hashBySecret.get(secretName);
    if (hash === undefined) return;
    this.hashBySecret.delete(secretName);
    this.nodeByTokenHash.delete(hash);
  }
}

/** Throws a 400 that says why `nodeName` cannot name a node. */
export function checkNodeName(nodeName: unknown): string {
  if (typeof nodeName !== 'string' || nodeName === '') {
    throw badRequest('nodeName is required: the body must be {"nodeName": "<the name this node registers as>"}');
  }
  const problems = checkDns1123Subdomain(nodeName);
  if (nodePasswordSecretName(nodeName).length > 253) problems.push('must be no more than 231 characters, so that its Secret <name>.node-password.kubelab is a valid name');
  if (problems.length) throw badRequest(`invalid nodeName ${JSON.stringify(nodeName)}: ${problems.join('; ')}`);
  return nodeName;
}

/**
 * Issues a new token for `nodeName` and records its hash in the node's Secret (replacing the
 * previous one, whose token stops working). Returns the token: the only time it is ever seen.
 */
export async function issueNodeCredentials(registry: Registry, nodeName: string): Promise<{ token: string; user: string }> {
  const token = crypto.randomBytes(32).toString('hex');
  const name = nodeTokenSecretName(nodeName);
  const secret: Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: NODE_TOKEN_NAMESPACE, labels: { 'kubelab.io/node': nodeName } },
    type: NODE_TOKEN_SECRET_TYPE,
    data: { [NODE_NAME_KEY]: base64(nodeName), [TOKEN_HASH_KEY]: base64(sha256Hex(token)) },
  };
  const ctx = internalContext();
  for (let attempt = 0; ; attempt++) {
    try {
      await registry.create('secrets', NODE_TOKEN_NAMESPACE, secret, ctx);
      break;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    // A re-join: replace the hash in the existing Secret (a concurrent writer means try again).
    try {
      const current = await registry.get('secrets', NODE_TOKEN_NAMESPACE, name, ctx);
      await registry.update('secrets', NODE_TOKEN_NAMESPACE, name, { ...current, type: NODE_TOKEN_SECRET_TYPE, data: secret.data } as Secret, ctx);
      break;
    } catch (err) {
      if (attempt >= 4 || !(isConflict(err) || (err as { code?: number }).code === 404)) throw err;
    }
  }
  return { token, user: nodeUser(nodeName).name };
}

/** The answer to a node that may not register under the name it asked for: what to do about it. */
function nameTaken(nodeName: string, why: string): ApiError {
  return new ApiError(
    403,
    'Forbidden',
    `node "${nodeName}" ${why}, so this agent may not join as it. If it is the same machine, start it with its old data dir (which holds its node-password); ` +
      `to register a new machine under this name, delete the old registration first: ` +
      `kubelab delete node ${nodeName}; kubelab delete secret -n ${NODE_TOKEN_NAMESPACE} ${nodePasswordSecretName(nodeName)}`,
  );
}

const hashesMatch = (a: string, b: string): boolean => crypto.timingSafeEqual(Buffer.from(sha256Hex(a)), Buffer.from(sha256Hex(b)));

/**
 * Lets `nodeName` join with `password` (k3s' node password check): the password of its first
 * join, recorded now when the name is new. Throws a 403 that says what to do otherwise.
 */
export async function admitNodePassword(registry: Registry, nodeName: string, password: string): Promise<void> {
  const ctx = internalContext();
  const name = nodePasswordSecretName(nodeName);
  const hash = sha256Hex(password);
  const check = (secret: Secret) => {
    const stored = fromBase64(secret.data?.[PASSWORD_HASH_KEY]);
    if (secret.type !== NODE_PASSWORD_SECRET_TYPE || !stored) throw nameTaken(nodeName, `has a password secret ${NODE_TOKEN_NAMESPACE}/${name} that holds no password hash`);
    if (!hashesMatch(stored, hash)) throw nameTaken(nodeName, 'is registered with another node password');
  };
  const existing = await registry.get('secrets', NODE_TOKEN_NAMESPACE, name, ctx).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
  if (existing) return check(existing as Secret);
  const node = await registry.get('nodes', undefined, nodeName, ctx).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
  if (node) throw nameTaken(nodeName, 'already exists and has no node password (it is the server\'s own node, or registered before node passwords)');
  const secret: Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: NODE_TOKEN_NAMESPACE, labels: { 'kubelab.io/node': nodeName } },
    type: NODE_PASSWORD_SECRET_TYPE,
    data: { [PASSWORD_HASH_KEY]: base64(hash) },
  };
  try {
    await registry.create('secrets', NODE_TOKEN_NAMESPACE, secret, ctx);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    check((await registry.get('secrets', NODE_TOKEN_NAMESPACE, name, ctx)) as Secret); // two agents raced for a new name: the first one won
  }
}

/** What a joining agent sends, checked: a 400 that says which field is wrong. */
export interface JoinRequest {
  nodeName: string;
  nodePassword: string;
  nodeIPs: string[];
  /** The kubelet's CSR; absent: no kubelet certificate is issued. */
  kubeletPublicKeyPem?: string;
}

export function parseJoinRequest(body: unknown): JoinRequest {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const nodeName = checkNodeName(fields.nodeName);
  const password = fields.nodePassword;
  if (typeof password !== 'string' || password.length < 16 || password.length > MAX_PASSWORD_LENGTH || /\s/.test(password)) {
    throw badRequest(
      `nodePassword is required: a string of 16 to ${MAX_PASSWORD_LENGTH} characters without spaces, the node's own secret (kubelabd agent makes one in <data-dir>/node-password at its first join)`,
    );
  }
  const nodeIPs = fields.nodeIPs ?? [];
  if (!Array.isArray(nodeIPs) || nodeIPs.length > 16 || !nodeIPs.every((ip) => typeof ip === 'string' && ipaddr.isValid(ip))) {
    throw badRequest('nodeIPs must be a list of at most 16 IP addresses (the kubelet certificate\'s IP SANs)');
  }
  let kubeletPublicKeyPem: string | undefined;
  if (fields.kubeletCsr !== undefined) {
    if (typeof fields.kubeletCsr !== 'string') throw badRequest('kubeletCsr must be a PEM certificate signing request (a string)');
    try {
      kubeletPublicKeyPem = publicKeyOfCsr(fields.kubeletCsr);
    } catch (err) {
      throw badRequest(`kubeletCsr: ${errorMessage(err)}`);
    }
  }
  return { nodeName, nodePassword: password, nodeIPs: nodeIPs as string[], kubeletPublicKeyPem };
}

export interface JoinRouterDeps {
  registry: Registry;
  caCertPem: string;
  /** The CA's key: kubelet certificates are signed at join. */
  caKeyPem: string;
  joinToken: string;
}

/** Constant-time check of the presented bearer token against the join token. */
export function presentsJoinToken(req: Request, joinToken: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match) return false;
  const digest = (value: string) => crypto.createHash('sha256').update(value).digest();
  return crypto.timingSafeEqual(digest(match[1]), digest(joinToken.trim()));
}

/** GET /cacerts and POST /kubelab/v1/node-credentials; mounted before authentication. */
export function joinRouter(deps: JoinRouterDeps): express.Router {
  const router = express.Router();
  router.get(CACERTS_PATH, (_req, res) => void res.type('application/x-pem-file').send(deps.caCertPem));
  router.post(
    NODE_CREDENTIALS_PATH,
    (req: Request, _res: Response, next: NextFunction) => next(presentsJoinToken(req, deps.joinToken) ? undefined : unauthorized()),
    express.json({ limit: '16kb' }),
    (req: Request, res: Response, next: NextFunction) => {
      checkJsonDocument(req.body, 'the request body');
      const request = parseJoinRequest(req.body);
      const issue = async () => {
        await admitNodePassword(deps.registry, request.nodeName, request.nodePassword);
        const issued = await issueNodeCredentials(deps.registry, request.nodeName);
        const kubeletCertificate = request.kubeletPublicKeyPem
          ? signKubeletCertificate({ certPem: deps.caCertPem, keyPem: deps.caKeyPem }, request.nodeName, request.nodeIPs, request.kubeletPublicKeyPem)
          : undefined;
        return { ...issued, ...(kubeletCertificate ? { kubeletCertificate } : {}) };
      };
      issue().then((issued) => void res.status(201).json(issued), next);
    },
  );
  return router;
}
