// How kubelab makes an X.509 certificate: the one builder behind every certificate the daemon
// serves with (the cluster CA and the API server's certificate in pki.ts, and the throwaway
// certificate of each kubelet's stream server).
//
// A certificate binds a public key to names, and is signed either by a CA that clients trust
// (the API server's, checked by kubectl through the kubeconfig's CA) or by its own key
// (self-signed: the kubelet's, which the API server does not verify; TLS there only hides the
// shared secret and the streams, as with kube-apiserver without --kubelet-certificate-authority).
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

function newCertificate(publicKeyPem: string, commonName: string, years: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = randomSerialNumber();
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60_000); // tolerate small clock skew
  cert.validity.notAfter = new Date(now);
  cert.validity.notAfter.setFullYear(now.getFullYear() + years);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  return cert;
}

/** A self-signed CA certificate that may sign others (the cluster CA). */
export function createCaCertificate(commonName: string, years: number): CertificateAndKey {
  const keys = generateRsaKeyPem();
  const cert = newCertificate(keys.publicKeyPem, commonName, years);
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
}

/** A TLS server certificate for the given names, signed by `issuer` or by itself. */
export function createServingCertificate({ commonName, sans, years, issuer }: ServingCertificateRequest): CertificateAndKey {
  const keys = generateRsaKeyPem();
  const cert = newCertificate(keys.publicKeyPem, commonName, years);
  cert.setIssuer(issuer ? forge.pki.certificateFromPem(issuer.certPem).subject.attributes : cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      // type 2 = dNSName, type 7 = iPAddress (RFC 5280 GeneralName).
      altNames: [...sans.dns.map((value) => ({ type: 2, value })), ...sans.ips.map((ip) => ({ type: 7, ip }))],
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(issuer ? issuer.keyPem : keys.privateKeyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

/** The SAN for one host: `10.0.0.11` is an IP SAN, `node1.lab` a DNS SAN. */
export function sansOfHost(host: string): Sans {
  return ipaddr.isValid(host) ? { dns: [], ips: [ipaddr.process(host).toString()] } : { dns: [host], ips: [] };
}
