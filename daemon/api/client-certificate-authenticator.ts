// kube-apiserver's x509 authenticator: a client certificate signed by the cluster CA names a user.
//
// The TLS handshake has already proved that the client holds the private key of the
// certificate it sent (its CertificateVerify signature); what is left is to decide whether the
// certificate itself is trustworthy, and to read the user from it, as kube-apiserver's
// `--client-ca-file` authenticator does:
//   - it must be signed by the cluster CA (a certificate of any other CA names nobody),
//   - be valid now (notBefore <= now <= notAfter),
//   - allow TLS client authentication (extended key usage clientAuth, or no such restriction),
//   - and not be a CA itself.
// Then the subject's CN is the user's name and each O is one of their groups. There is no
// user database: whoever holds a certificate the CA signed for "alice" is alice until it expires.
// That is why the CA key stays on the server (daemon/pki/pki.ts) and why `kubelab create user`
// runs there (cli/commands/create-user.ts).
//
// The API server requests a certificate from every client but does not demand one (bearer tokens
// keep working), so the certificate is checked here, not by the TLS layer: an invalid one is a
// 401, exactly like a wrong token.

import crypto from 'node:crypto';
import forge from 'node-forge';
import { AUTHENTICATED_GROUP, type UserInfo } from './auth.js';

/** The extended key usage that allows a certificate to authenticate a TLS client. */
const CLIENT_AUTH_USAGE = '1.3.6.1.5.5.7.3.2';
const COMMON_NAME_OID = '2.5.4.3';
const ORGANIZATION_OID = '2.5.4.10';

/** Why a certificate names nobody (logged by no one: the client gets a plain 401, as from kube-apiserver). */
export class CertificateRejected extends Error {
  override name = 'CertificateRejected';
}

/**
 * The subject's CN and O values, read from the DER directly: node:crypto only offers the subject
 * as an escaped string, and forge refuses to parse certificates whose key is not RSA (an EC key
 * from `openssl req` is common), so only the subject is decoded here.
 */
export function subjectOf(cert: crypto.X509Certificate): { commonName: string; organizations: string[] } {
  const der = forge.asn1.fromDer(forge.util.createBuffer(cert.raw.toString('binary')));
  const tbs = (der.value as forge.asn1.Asn1[])[0]!.value as forge.asn1.Asn1[];
  // tbsCertificate: [0] version (explicit, optional), serialNumber, signature, issuer, validity, subject, ...
  const first = tbs[0]!.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const subject = tbs[first + 4]!.value as forge.asn1.Asn1[];
  let commonName = '';
  const organizations: string[] = [];
  for (const rdn of subject) {
    for (const attribute of rdn.value as forge.asn1.Asn1[]) {
      const [type, value] = attribute.value as forge.asn1.Asn1[];
      const oid = forge.asn1.derToOid(type!.value as string);
      const raw = value!.value as string;
      const text = value!.type === forge.asn1.Type.UTF8 ? forge.util.decodeUtf8(raw) : raw;
      if (oid === COMMON_NAME_OID) commonName = text;
      else if (oid === ORGANIZATION_OID) organizations.push(text);
    }
  }
  return { commonName, organizations };
}

export class ClientCertificateAuthenticator {
  private readonly ca: crypto.X509Certificate;

  /** `caCertPem`: the CA whose certificates name users (the cluster CA); `now`: the clock (tests move it). */
  constructor(caCertPem: string, private readonly now: () => Date = () => new Date()) {
    this.ca = new crypto.X509Certificate(caCertPem);
  }

  /** The user a client certificate names; throws CertificateRejected saying why it names nobody. */
  userForCertificate(cert: crypto.X509Certificate): UserInfo {
    if (!cert.checkIssued(this.ca) || !cert.verify(this.ca.publicKey)) throw new CertificateRejected('the certificate is not signed by the cluster CA');
    const now = this.now().getTime();
    if (now < Date.parse(cert.validFrom)) throw new CertificateRejected(`the certificate is not valid before ${cert.validFrom}`);
    if (now > Date.parse(cert.validTo)) throw new CertificateRejected(`the certificate expired at ${cert.validTo}`);
    if (cert.ca) throw new CertificateRejected('a CA certificate does not name a user');
    if (cert.keyUsage !== undefined && !cert.keyUsage.includes(CLIENT_AUTH_USAGE)) throw new CertificateRejected('the certificate does not allow client authentication');
    const { commonName, organizations } = subjectOf(cert);
    if (commonName === '') throw new CertificateRejected('the certificate has no common name (CN) to name its user');
    return { name: commonName, groups: [...new Set([...organizations, AUTHENTICATED_GROUP])] };
  }
}
