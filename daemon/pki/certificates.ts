// How kubelab makes an X.509 certificate: the one builder behind every certificate the daemon
// uses (the cluster CA, the API server's serving certificate and its kubelet client certificate
// in pki.ts, and each kubelet's stream-server certificate, issued at join from the node's CSR).
//
// A certificate binds a public key to names, and is signed by a CA that the other end trusts:
// kubectl checks the API server's against the kubeconfig's CA; the API server checks a kubelet's
// against the cluster CA and the node's name (kubelet-client.ts), and the kubelet checks the API
// server's client certificate against the same CA (kubelet-server.ts). A self-signed certificate
// (no issuer) is only for tests.
//
// Keys are generated with node:crypto (native, fast); node-forge builds and signs the X.509
// certificates, which node:crypto cannot do.

import crypto from 'node:crypto';
import ipaddr from 'ipaddr.js';
import forge from 'node-forge';

/** A certificate and its private key, both PEM. */
export interface CertificateAndKey {
  certPem: string;
  keyPem: string;
}

/** The names a serving certificate is valid for (its subjectAltNames). */
export interface Sans {
  dns: string[];
  ips: string[];
}

function generateRsaKeyPem(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * A random 16-byte certificate serial number as forge wants it (hex). DER integers must be
 * minimal and serials positive: the first byte is kept between 0x01 and 0x7f. (A leading zero
 * byte followed by one below 0x80 is "illegal padding" to OpenSSL 3, which then refuses the
 * certificate: with a plain random serial that happened about once in 256 certificates.)
 */
export function randomSerialNumber(): string {
  const bytes = crypto.randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

/** How long a certificate is valid: whole years, or (user certificates) a number of days. */
type Validity = { years: number; days?: number };

function newCertificate(publicKeyPem: string, commonName: string, validity: Validity, organizations?: readonly string[]): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = randomSerialNumber();
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60_000); // tolerate small clock skew
  cert.validity.notAfter = new Date(now);
  if (validity.days !== undefined) cert.validity.notAfter.setTime(now.getTime() + validity.days * 86_400_000);
  else cert.validity.notAfter.setFullYear(now.getFullYear() + validity.years);
  if (organizations === undefined) {
    cert.setSubject([{ name: 'commonName', value: commonName }]);
    return cert;
  }
  // A user's certificate: O (groups) first, then CN, as openssl and kubeadm order them
  // (`O=dev, CN=alice`). Both are UTF8Strings: forge's default PrintableString cannot hold `_`
  // or `@`, which user and group names may contain, and Go's parser refuses one that does.
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class; // @types/node-forge mistypes valueTagClass
  cert.setSubject([...organizations.map((value) => ({ name: 'organizationName', value, valueTagClass: utf8 })), { name: 'commonName', value: commonName, valueTagClass: utf8 }]);
  return cert;
}

/** A self-signed CA certificate that may sign others (the cluster CA). */
export function createCaCertificate(commonName: string, years: number): CertificateAndKey {
  const keys = generateRsaKeyPem();
  const cert = newCertificate(keys.publicKeyPem, commonName, { years });
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privateKeyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

export interface ServingCertificateRequest {
  commonName: string;
  sans: Sans;
  years: number;
  /** The CA that signs it; absent: the certificate signs itself (nobody can verify it). */
  issuer?: CertificateAndKey;
  /** `server` (TLS serving, the default) or `client` (TLS client authentication: no SANs needed). */
  usage?: 'server' | 'client';
  /** A user's certificate: its subject O values, the user's groups (kube-apiserver reads them so). */
  organizations?: readonly string[];
  /** Valid for this many days instead of `years` (a user's certificate, `--days`). */
  days?: number;
}

/** A TLS certificate (and its new key) for the given names, signed by `issuer` or by itself. */
export function createServingCertificate(request: ServingCertificateRequest): CertificateAndKey {
  const keys = generateRsaKeyPem();
  return { certPem: signCertificate(keys.publicKeyPem, request, keys.privateKeyPem), keyPem: keys.privateKeyPem };
}

/** A certificate for someone else's public key (a node's CSR), signed by `issuer`. */
export function certificateForPublicKey(publicKeyPem: string, request: ServingCertificateRequest & { issuer: CertificateAndKey }): string {
  return signCertificate(publicKeyPem, request, undefined);
}

function signCertificate(publicKeyPem: string, { commonName, sans, years, days, issuer, usage = 'server', organizations }: ServingCertificateRequest, ownKeyPem: string | undefined): string {
  const cert = newCertificate(publicKeyPem, commonName, { years, days }, organizations);
  cert.setIssuer(issuer ? forge.pki.certificateFromPem(issuer.certPem).subject.attributes : cert.subject.attributes);
  const altNames = [...sans.dns.map((value) => ({ type: 2, value })), ...sans.ips.map((ip) => ({ type: 7, ip }))];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    usage === 'server' ? { name: 'extKeyUsage', serverAuth: true } : { name: 'extKeyUsage', clientAuth: true },
    // type 2 = dNSName, type 7 = iPAddress (RFC 5280 GeneralName).
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
  ]);
  cert.sign(forge.pki.privateKeyFromPem(issuer ? issuer.keyPem : ownKeyPem!), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/**
 * A PKCS#10 certificate signing request and its new private key: what a joining node sends, so
 * its private key never leaves it. The server reads only the public key from it (and checks the
 * request's signature, which proves the node holds the key); the names are the server's choice.
 */
export function createCertificateSigningRequest(commonName: string): { csrPem: string; keyPem: string } {
  const keys = generateRsaKeyPem();
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  csr.setSubject([{ name: 'commonName', value: commonName }]);
  csr.sign(forge.pki.privateKeyFromPem(keys.privateKeyPem), forge.md.sha256.create());
  return { csrPem: forge.pki.certificationRequestToPem(csr), keyPem: keys.privateKeyPem };
}

/** The public key (PEM) of a CSR whose signature checks out; throws an Error saying why not. */
export function publicKeyOfCsr(csrPem: string): string {
  let csr: forge.pki.CertificateSigningRequest;
  try {
    csr = forge.pki.certificationRequestFromPem(csrPem);
  } catch (err) {
    throw new Error(`not a PEM certificate signing request (${(err as Error).message})`, { cause: err });
  }
  if (!csr.publicKey || !csr.verify()) throw new Error('the certificate signing request is not signed by its own key');
  return forge.pki.publicKeyToPem(csr.publicKey);
}

/** The SAN for one host: `10.0.0.11` is an IP SAN, `node1.lab` a DNS SAN. */
export function sansOfHost(host: string): Sans {
  return ipaddr.isValid(host) ? { dns: [], ips: [ipaddr.process(host).toString()] } : { dns: [host], ips: [] };
}
