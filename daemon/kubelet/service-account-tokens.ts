// How the kubelet gets a service account token for a pod's projected volume (Kubernetes'
// pkg/kubelet/token manager): a TokenRequest for the pod's account, bound to the pod, so the
// token dies with the pod. Tokens expire (3607 s for the admission-injected volume), so the
// kubelet keeps each one and asks again when it is due (tokenRequiresRefresh: 80% of its TTL
// gone, or older than 24 h, as token_manager.go's requiresRefresh); the pod resync every 10 s
// looks. A joined node asks over HTTPS with its node
// credentials (the Node authorizer lets a node ask only for accounts of pods bound to it); the
// server's own kubelet asks the API in-process.

import type { Pod } from '../../lib/api/types.js';
import type { TokenRequest } from '../../lib/api/service-account-types.js';
import type { RestClient } from '../../lib/client/rest-client.js';

export interface ServiceAccountTokenClient {
  /** POST serviceaccounts/NAME/token in `namespace`; the answer carries status.token. */
  createToken(namespace: string, serviceAccountName: string, request: TokenRequest): Promise<TokenRequest>;
}

/** The TokenRequest for a projected serviceAccountToken source of `pod` (pure). */
export function podTokenRequest(pod: Pod, source: { audience?: string; expirationSeconds?: number }): TokenRequest {
  return {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: {},
    spec: {
      ...(source.audience ? { audiences: [source.audience] } : {}),
      expirationSeconds: source.expirationSeconds ?? 3600,
      boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.metadata.name, uid: pod.metadata.uid },
    },
  };
}

/** A token as the kubelet keeps it: what it needs to know when to ask again. */
export interface IssuedToken {
  token: string;
  /** status.expirationTimestamp of the answer. */
  expiresAtMs: number;
  /** spec.expirationSeconds of the answer (the TTL the server granted). */
  ttlSeconds: number;
}

/** Kubernetes' maxTTL: a token older than this is refreshed whatever its TTL. */
export const TOKEN_MAX_TTL_MS = 24 * 60 * 60 * 1000;
/** Kubernetes' maxJitter: refreshes of many pods are spread over up to 10 s. */
export const TOKEN_MAX_JITTER_MS = 10_000;

/**
 * Whether `token` must be asked for again at `nowMs` (pure; token_manager.go's requiresRefresh):
 * when less than 20% of its TTL is left, or it was issued more than 24 h ago, each moved
 * `jitterMs` earlier.
 */
export function tokenRequiresRefresh(token: Pick<IssuedToken, 'expiresAtMs' | 'ttlSeconds'>, nowMs: number, jitterMs = 0): boolean {
  const ttlMs = token.ttlSeconds * 1000;
  const issuedAtMs = token.expiresAtMs - ttlMs;
  if (nowMs > issuedAtMs + TOKEN_MAX_TTL_MS - jitterMs) return true;
  return nowMs > token.expiresAtMs - Math.floor((token.ttlSeconds * 20) / 100) * 1000 - jitterMs;
}

/** The IssuedToken of a TokenRequest answer (asked for `request`). */
export function issuedToken(answer: TokenRequest, request: TokenRequest): IssuedToken {
  const ttlSeconds = answer.spec?.expirationSeconds ?? request.spec.expirationSeconds ?? 3600;
  const expiresAtMs = answer.status?.expirationTimestamp ? Date.parse(answer.status.expirationTimestamp) : Number.NaN;
  return { token: answer.status?.token ?? '', expiresAtMs, ttlSeconds };
}

/** Token requests over the node's REST client. */
export function restTokenClient(client: RestClient): ServiceAccountTokenClient {
  return {
    createToken: async (namespace, name, request) =>
      (await client.request('POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}/token`, { body: request })) as TokenRequest,
  };
}
