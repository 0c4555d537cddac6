// POST serviceaccounts/{name}/token: the TokenRequest API (authentication.k8s.io/v1), how
// `kubectl create token` and the kubelet get a service account token
// (pkg/registry/core/serviceaccount/storage/token.go).
//
// The request names how long the token should live (expirationSeconds, 3600 by default, at
// least 600), for whom (audiences, the API server's own by default) and, optionally, an object
// the token is bound to: a Pod, so the token stops working when that pod is gone. The answer is
// the same TokenRequest with the defaults filled in and status.token / expirationTimestamp set.
// Nothing is stored: the token carries everything, signed (service-account-token.ts).

import type { Pod } from '../../lib/api/types.js';
import type { ServiceAccount, TokenRequest } from '../../lib/api/service-account-types.js';
import { ApiError, badRequest, fieldInvalid, invalid, type FieldError } from '../../lib/errors.js';
import type { Registry, RequestContext } from './registry.js';
import { SERVICE_ACCOUNT_ISSUER, type ServiceAccountTokenSigner } from './service-account-token.js';

/** Kubernetes' defaults and bounds for expirationSeconds. */
export const DEFAULT_EXPIRATION_SECONDS = 3600;
export const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

/** The request with Kubernetes' defaults, or the field errors that refuse it (pure). */
export function planTokenRequest(body: Record<string, unknown>): { request: TokenRequest; errors: FieldError[] } {
  if (body.kind !== undefined && body.kind !== 'TokenRequest') throw badRequest(`the body of a token request must be an authentication.k8s.io/v1 TokenRequest, got kind "${String(body.kind)}"`);
  const spec = (body.spec ?? {}) as TokenRequest['spec'];
  const expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  const errors: FieldError[] = [];
  if (!Number.isInteger(expirationSeconds) || expirationSeconds < MIN_EXPIRATION_SECONDS) {
    errors.push(fieldInvalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes'));
  } else if (expirationSeconds > MAX_EXPIRATION_SECONDS) {
    errors.push(fieldInvalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
  }
  const audiences = spec.audiences?.length ? spec.audiences : [SERVICE_ACCOUNT_ISSUER];
  const request: TokenRequest = {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: { ...((body.metadata as object | undefined) ?? {}) },
    spec: { ...spec, audiences, expirationSeconds },
  };
  return { request, errors };
}

export class TokenRequests {
  constructor(
    private readonly registry: Registry,
    private readonly signer: ServiceAccountTokenSigner,
  ) {}

  /** Issues a token for service account `namespace/name` as the request asks (201 on the wire). */
  async create(namespace: string, name: string, body: Record<string, unknown>, ctx: RequestContext): Promise<TokenRequest> {
    const { request, errors } = planTokenRequest(body);
    if (errors.length > 0) throw invalid('TokenRequest', 'authentication.k8s.io', name, errors);
    const account = (await this.registry.get('serviceaccounts', namespace, name, ctx)) as ServiceAccount;
    const pod = await this.boundPod(namespace, name, request, ctx);
    const { token, claims } = await this.signer.sign({
      namespace,
      serviceAccount: { name, uid: account.metadata.uid! },
      ...(pod ? { pod: { name: pod.metadata.name!, uid: pod.metadata.uid! } } : {}),
      audiences: request.spec.audiences!,
      expirationSeconds: request.spec.expirationSeconds!,
    });
    return {
      ...request,
      metadata: { ...request.metadata, name, namespace, creationTimestamp: new Date(claims.iat * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
      status: { token, expirationTimestamp: new Date(claims.exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
    };
  }

  /** The pod the token is bound to, checked as kube-apiserver checks it. */
  private async boundPod(namespace: string, accountName: string, request: TokenRequest, ctx: RequestContext): Promise<Pod | undefined> {
    const ref = request.spec.boundObjectRef;
    if (!ref) return undefined;
    if (ref.kind !== 'Pod') throw badRequest(`cannot bind token to object of type ${ref.kind ?? ''}: kubelab binds tokens to Pods only`);
    if (ref.apiVersion !== undefined && ref.apiVersion !== 'v1') throw badRequest(`cannot bind token to object of apiVersion ${ref.apiVersion}`);
    const pod = (await this.registry.get('pods', namespace, ref.name ?? '', ctx)) as Pod;
    if (ref.uid && ref.uid !== pod.metadata.uid) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on Pod "${ref.name}": the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`, { name: ref.name, kind: 'Pod' });
    }
    if ((pod.spec.serviceAccountName ?? 'default') !== accountName) {
      throw badRequest(`cannot bind token for serviceaccount "${accountName}" to pod running with different serviceaccount name.`);
    }
    return pod;
  }
}
