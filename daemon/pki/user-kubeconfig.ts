// A kubeconfig for a new user: what `kubeadm kubeconfig user --client-name alice --org dev` makes.
//
// Kubernetes has no User objects. A "user" is whatever name an authenticator reads from the
// credentials: for a client certificate signed by the cluster CA, its CN is the name and each O
// a group (daemon/api/client-certificate-authenticator.ts). So creating a user is signing a
// certificate: a new key pair, a certificate for it with CN = name and O = groups, signed by
// the cluster CA, and both written into a kubeconfig beside the cluster's address and CA, so
// kubectl and kubelab can use it as it is. What the user may then do is RBAC's business
// (a RoleBinding naming `kind: User, name: alice` or `kind: Group, name: dev`).
//
// The CA's private key signs it, so this runs where the key is: on the server host, reading
// `<data-dir>/pki/` (cli/commands/create-user.ts), as kubeadm does on a control-plane node.
// Nothing is recorded on the server, and such a certificate cannot be revoked before it expires
// (kube-apiserver has no revocation list either): keep the validity short for real people.

import { stringify } from 'yaml';
import { createServingCertificate, type CertificateAndKey } from './certificates.js';

export interface UserCertificateRequest {
  /** The user name: the certificate's CN. */
  name: string;
  /** The groups: the certificate's O values (system:authenticated is added by the server). */
  groups: readonly string[];
  /** How many days the certificate is valid (kubeadm's default is 365). */
  days: number;
}

export const DEFAULT_USER_CERTIFICATE_DAYS = 365;

/** A client certificate (and its new key) naming `name` and `groups`, signed by the cluster CA. */
export function issueUserCertificate(ca: CertificateAndKey, request: UserCertificateRequest): CertificateAndKey {
  if (request.name.trim() === '') throw new Error('a user needs a name: it becomes the certificate\'s common name (CN)');
  if (!Number.isInteger(request.days) || request.days < 1) throw new Error(`--days must be a whole number of days, at least 1 (got ${request.days})`);
  return createServingCertificate({
    commonName: request.name,
    organizations: [...new Set(request.groups)],
    sans: { dns: [], ips: [] },
    years: 0,
    days: request.days,
    issuer: ca,
    usage: 'client',
  });
}

/** A kubeconfig cluster entry, as it appears under `clusters[].cluster`. */
export type ClusterEntry = Record<string, unknown>;

/**
 * A kubeconfig with one cluster (copied as it is), one user holding the certificate and key
 * inline (`client-certificate-data`, `client-key-data`), and one context `NAME@CLUSTER`, current.
 */
export function buildUserKubeconfig(cluster: { name: string; entry: ClusterEntry }, userName: string, credentials: CertificateAndKey, namespace = 'default'): string {
  const contextName = `${userName}@${cluster.name}`;
  const base64 = (pem: string) => Buffer.from(pem).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster.name, cluster: cluster.entry }],
    users: [{ name: userName, user: { 'client-certificate-data': base64(credentials.certPem), 'client-key-data': base64(credentials.keyPem) } }],
    contexts: [{ name: contextName, context: { cluster: cluster.name, user: userName, namespace } }],
    'current-context': contextName,
    preferences: {},
  });
}
