// The service account token authenticator (kube-apiserver's serviceaccount.JWTTokenAuthenticator
// with its "legacy"-free validator, pkg/serviceaccount/claims.go): a bearer token that is one of
// our service account JWTs names the user `system:serviceaccount:<namespace>:<name>`, in groups
// `system:serviceaccounts` and `system:serviceaccounts:<namespace>`.
//
// The signature, issuer, audience (the API server's) and expiry are the signer's to check
// (service-account-token.ts). Then, as Kubernetes does, the objects the token names must still be
// there: the service account with the uid the token was issued for (a deleted and recreated
// account does not inherit old tokens), and, for a token bound to a pod, that pod with its uid.
// A token that is not a JWT of ours is not this authenticator's: it answers undefined and the
// next source (or a 401) decides.

import type { Pod } from '../../lib/api/types.js';
import { serviceAccountGroups, serviceAccountUsername } from '../../lib/api/service-account-types.js';
import { isNotFound } from '../../lib/errors.js';
import { AUTHENTICATED_GROUP, type TokenAuthenticator, type UserInfo } from './auth.js';
import { internalContext, type Registry } from './registry.js';
import type { ServiceAccountClaims, ServiceAccountTokenSigner } from './service-account-token.js';

/** Looks an object up by namespace and name; undefined when it does not exist. */
export type ObjectLookup = (resource: 'serviceaccounts' | 'pods', namespace: string, name: string) => Promise<{ metadata: { uid?: string; deletionTimestamp?: string } } | undefined>;

/** Whether the objects `claims` name still exist as they were (pure over the looked-up objects). */
export function claimsStillValid(claims: ServiceAccountClaims, account: { metadata: { uid?: string } } | undefined, pod: { metadata: { uid?: string } } | undefined): boolean {
  const k = claims['kubernetes.io'];
  if (!account || account.metadata.uid !== k.serviceaccount.uid) return false;
  if (k.pod && (!pod || pod.metadata.uid !== k.pod.uid)) return false;
  return true;
}

export class ServiceAccountTokenAuthenticator implements TokenAuthenticator {
  constructor(
    private readonly signer: ServiceAccountTokenSigner,
    private readonly lookup: ObjectLookup,
  ) {}

  /** Looks the objects up in the registry itself (kube-apiserver reads them from its cache). */
  static forRegistry(signer: ServiceAccountTokenSigner, registry: Registry): ServiceAccountTokenAuthenticator {
    return new ServiceAccountTokenAuthenticator(signer, async (resource, namespace, name) => {
      try {
        return (await registry.get(resource, namespace, name, internalContext())) as Pod;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    });
  }

  async userForToken(token: string): Promise<UserInfo | undefined> {
    // A JWT has three dot-separated parts; anything else (the admin token, node tokens) is not ours.
    if (token.split('.').length !== 3) return undefined;
    const claims = await this.signer.verify(token);
    if (!claims) return undefined;
    const k = claims['kubernetes.io'];
    const account = await this.lookup('serviceaccounts', k.namespace, k.serviceaccount.name);
    const pod = k.pod ? await this.lookup('pods', k.namespace, k.pod.name) : undefined;
    if (!claimsStillValid(claims, account, pod)) return undefined;
    return { name: serviceAccountUsername(k.namespace, k.serviceaccount.name), groups: [...serviceAccountGroups(k.namespace), AUTHENTICATED_GROUP] };
  }
}
