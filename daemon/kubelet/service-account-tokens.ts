// How the kubelet gets a service account token for a pod's projected volume (Kubernetes'
// pkg/kubelet/token manager, without its cache): a TokenRequest for the pod's account, bound to
// the pod, so the token dies with the pod. A joined node asks over HTTPS with its node
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

/** Token requests over the node's REST client. */
export function restTokenClient(client: RestClient): ServiceAccountTokenClient {
  return {
    createToken: async (namespace, name, request) =>
      (await client.request('POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}/token`, { body: request })) as TokenRequest,
  };
}
