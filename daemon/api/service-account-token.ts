// Service account tokens: the JWTs kube-apiserver signs for TokenRequests ("bound tokens",
// pkg/serviceaccount/claims.go and jwt.go) and checks when one comes back as a bearer token.
//
// A token is a JWT signed RS256 with the service account key (daemon/pki/service-account-key.ts).
// Its claims say who it is for and how long it lasts, in Kubernetes' shape:
//
//   iss  https://kubernetes.default.svc.cluster.local   (--service-account-issuer)
//   aud  the audiences asked for (the API server's own, the issuer, by default)
//   sub  system:serviceaccount:<namespace>:<name>
//   iat, nbf, exp
//   kubernetes.io  { namespace, serviceaccount: { name, uid }, pod: { name, uid } when bound }
//
// Signing and checking the signature, issuer, audience and time is jose's work (a maintained JWT
// library: JWT is easy to get subtly wrong). Whether the account, and the pod it is bound to,
// still exist with the same uid is the authenticator's (service-account-authenticator.ts): a
// token outlives nothing it names.

import crypto from 'node:crypto';
import { importPKCS8, importSPKI, jwtVerify, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import type { Clock } from '../../lib/clock.js';
import { serviceAccountUsername } from '../../lib/api/service-account-types.js';
import type { ServiceAccountKey } from '../pki/service-account-key.js';

/** kube-apiserver's --service-account-issuer as kubeadm sets it; also the API's own audience. */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const ALGORITHM = 'RS256';

/** The private `kubernetes.io` claim. */
export interface KubernetesClaim {
  namespace: string;
  serviceaccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
}

export interface ServiceAccountClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string[];
  iat: number;
  nbf: number;
  exp: number;
  'kubernetes.io': KubernetesClaim;
}

export interface TokenSubject {
  namespace: string;
  serviceAccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
  audiences: string[];
  expirationSeconds: number;
}

/** The claims of a token for `subject` issued at `now` (pure). */
export function planTokenClaims(subject: TokenSubject, now: Date): ServiceAccountClaims {
  const iat = Math.floor(now.getTime() / 1000);
  return {
    aud: subject.audiences,
    exp: iat + subject.expirationSeconds,
    iat,
    iss: SERVICE_ACCOUNT_ISSUER,
    'kubernetes.io': {
      namespace: subject.namespace,
      serviceaccount: { name: subject.serviceAccount.name, uid: subject.serviceAccount.uid },
      ...(subject.pod ? { pod: { name: subject.pod.name, uid: subject.pod.uid } } : {}),
    },
    nbf: iat,
    sub: serviceAccountUsername(subject.namespace, subject.serviceAccount.name),
  };
}

/** Kubernetes' key id: the unpadded base64url SHA-256 of the public key's DER (keyIDFromPublicKey). */
export function keyIdOf(publicKeyPem: string): string {
  const der = crypto.createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return crypto.createHash('sha256').update(der).digest('base64url');
}

export class ServiceAccountTokenSigner {
  readonly keyId: string;
  private readonly privateKey: Promise<CryptoKey>;
  private readonly publicKey: Promise<CryptoKey>;

  constructor(
    readonly key: ServiceAccountKey,
    private readonly clock: Clock,
  ) {
    this.keyId = keyIdOf(key.publicKeyPem);
    this.privateKey = importPKCS8(key.privateKeyPem, ALGORITHM);
    this.publicKey = importSPKI(key.publicKeyPem, ALGORITHM);
  }

  /** A signed token for `subject`, and when it expires. */
  async sign(subject: TokenSubject): Promise<{ token: string; claims: ServiceAccountClaims }> {
    const claims = planTokenClaims(subject, this.clock.now());
    const token = await new SignJWT(claims).setProtectedHeader({ alg: ALGORITHM, kid: this.keyId }).sign(await this.privateKey);
    return { token, claims };
  }

  /**
   * The claims of `token` when it is ours (signature), for `audiences` (any one), issued by us and
   * valid now; undefined otherwise (a token of another kind, another cluster, expired).
   */
  async verify(token: string, audiences: string[] = [SERVICE_ACCOUNT_ISSUER]): Promise<ServiceAccountClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, await this.publicKey, {
        algorithms: [ALGORITHM],
        issuer: SERVICE_ACCOUNT_ISSUER,
        audience: audiences,
        currentDate: this.clock.now(),
        requiredClaims: ['sub', 'exp', 'iat', 'nbf'],
      });
      const claims = payload as ServiceAccountClaims;
      const k = claims['kubernetes.io'];
      if (!k?.namespace || !k.serviceaccount?.name || !k.serviceaccount.uid) return undefined;
      if (claims.sub !== serviceAccountUsername(k.namespace, k.serviceaccount.name)) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }

  /** The JSON Web Key Set clients verify tokens with (/openid/v1/jwks). */
  jwks(): { keys: Record<string, unknown>[] } {
    const jwk = crypto.createPublicKey(this.key.publicKeyPem).export({ format: 'jwk' });
    return { keys: [{ use: 'sig', kty: jwk.kty, kid: this.keyId, alg: ALGORITHM, n: jwk.n, e: jwk.e }] };
  }
}
