// The cluster's public key infrastructure: what kubeadm's "certs" phase does, reduced to the two
// certificates a single API server needs.
//
// - A cluster CA (self-signed). Clients trust the API server because the kubeconfig carries this
//   CA's certificate (`certificate-authority-data`), not because of any public CA.
// - A serving certificate for the API server, signed by the CA, whose subjectAltNames list every
//   name and address clients may dial (kubectl checks the SAN, e.g. `IP:127.0.0.1`).
// - An admin bearer token (kubeconfig `user.token`), checked by daemon/api/auth.ts.
//
// Keys are generated with node:crypto (native, fast); node-forge builds and signs the X.509
// certificates, which node:crypto cannot do. Everything lives under `<dataDir>/pki/` with mode 0600,
// so a restart keeps the same CA and token and existing kubeconfigs keep working.

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import forge from 'node-forge';
import { stringify } from 'yaml';

export interface Pki {
  caCertPem: string;
  caKeyPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  adminToken: string;
}

export interface PkiOptions {
  /** DNS names the serving certificate is valid for (localhost is always added). */
  hostnames: string[];
  /** IP addresses the serving certificate is valid for (127.0.0.1 is always added). */
  ips: string[];
}

/**
 * `--tls-san` values (names or addresses, repeatable, like k3s' flag) split into the two kinds of
 * subjectAltName: `10.0.0.11` becomes an IP SAN, `node1.lab` a DNS SAN.
 */
export function splitTlsSans(values: readonly string[]): PkiOptions {
  const hostnames: string[] = [];
  const ips: string[] = [];
  for (const raw of values) {
    const value = raw.trim();
    if (value === '') continue;
    if (ipaddr.isValid(value)) ips.push(ipaddr.process(value).toString());
    else hostnames.push(value.toLowerCase());
  }
  return { hostnames, ips };
}

const CA_VALIDITY_YEARS = 10;
const SERVING_VALIDITY_YEARS = 1;
/** Renew the serving certificate at start-up when it expires within this many days. */
const RENEW_BEFORE_DAYS = 30;

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

function createCa(): { certPem: string; keyPem: string } {
  const keys = generateRsaKeyPem();
  const cert = newCertificate(keys.publicKeyPem, 'kubelab-ca', CA_VALIDITY_YEARS);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privateKeyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

function createServingCert(ca: { certPem: string; keyPem: string }, sans: Sans): { certPem: string; keyPem: string } {
  const keys = generateRsaKeyPem();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = newCertificate(keys.publicKeyPem, 'kube-apiserver', SERVING_VALIDITY_YEARS);
  cert.setIssuer(caCert.subject.attributes);
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
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

interface Sans {
  dns: string[];
  ips: string[];
}

function wantedSans(options: PkiOptions): Sans {
  const dns = [...new Set(['localhost', ...options.hostnames])].sort();
  const ips = [...new Set(['127.0.0.1', ...options.ips])].sort();
  return { dns, ips };
}

/** The SANs of an existing certificate, in the same sorted form as wantedSans. */
function sansOf(certPem: string): Sans {
  const entries = (new crypto.X509Certificate(certPem).subjectAltName ?? '').split(', ').filter(Boolean);
  const dns = entries.filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4)).sort();
  const ips = entries.filter((e) => e.startsWith('IP Address:')).map((e) => e.slice('IP Address:'.length)).sort();
  return { dns, ips };
}

function servingCertIsUsable(certPem: string, caCertPem: string, sans: Sans): boolean {
  const cert = new crypto.X509Certificate(certPem);
  if (!cert.verify(new crypto.X509Certificate(caCertPem).publicKey)) return false;
  const renewAt = Date.parse(cert.validTo) - RENEW_BEFORE_DAYS * 86_400_000;
  if (Date.now() >= renewAt) return false;
  const have = sansOf(certPem);
  return JSON.stringify(have) === JSON.stringify(sans);
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes a secret file readable only by its owner, atomically (a crash never leaves half a key). */
export async function writePrivate(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(tmp, content, { mode: 0o600 });
  await fs.rename(tmp, file);
}

/**
 * Loads the cluster's CA, serving certificate and admin token from `<dataDir>`, creating what is
 * missing. The serving certificate is re-issued (by the same CA) when the wanted names or
 * addresses changed, or when it is about to expire.
 */
export async function ensurePki(dataDir: string, options: PkiOptions): Promise<Pki> {
  const dir = path.join(dataDir, 'pki');
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.chmod(dir, 0o700);
  const files = {
    caCert: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    serverCert: path.join(dir, 'apiserver.crt'),
    serverKey: path.join(dir, 'apiserver.key'),
    token: path.join(dataDir, 'admin-token'),
  };

  let caCertPem = await readIfExists(files.caCert);
  let caKeyPem = await readIfExists(files.caKey);
  let newCa = false;
  if (!caCertPem || !caKeyPem) {
    const ca = createCa();
    caCertPem = ca.certPem;
    caKeyPem = ca.keyPem;
    newCa = true;
    await writePrivate(files.caKey, caKeyPem);
    await writePrivate(files.caCert, caCertPem);
  }

  const sans = wantedSans(options);
  let serverCertPem = await readIfExists(files.serverCert);
  let serverKeyPem = await readIfExists(files.serverKey);
  if (newCa || !serverCertPem || !serverKeyPem || !servingCertIsUsable(serverCertPem, caCertPem, sans)) {
    const serving = createServingCert({ certPem: caCertPem, keyPem: caKeyPem }, sans);
    serverCertPem = serving.certPem;
    serverKeyPem = serving.keyPem;
    await writePrivate(files.serverKey, serverKeyPem);
    await writePrivate(files.serverCert, serverCertPem);
  }

  let adminToken = (await readIfExists(files.token))?.trim();
  if (!adminToken) {
    adminToken = crypto.randomBytes(32).toString('hex');
    await writePrivate(files.token, adminToken + '\n');
  }

  return { caCertPem, caKeyPem, serverCertPem, serverKeyPem, adminToken };
}

export interface KubeconfigInput {
  server: string;
  caCertPem: string;
  token: string;
  clusterName?: string;
  userName?: string;
}

/** A standard kubeconfig (kubectl, client-node and kubelab's CLI all read it) with one context. */
export function buildKubeconfig({ server, caCertPem, token, clusterName = 'kubelab', userName = 'admin' }: KubeconfigInput): string {
  const contextName = `${userName}@${clusterName}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { server, 'certificate-authority-data': Buffer.from(caCertPem).toString('base64') } }],
    users: [{ name: userName, user: { token } }],
    contexts: [{ name: contextName, context: { cluster: clusterName, user: userName, namespace: 'default' } }],
    'current-context': contextName,
    preferences: {},
  });
}

/** Writes a kubeconfig with mode 0600 (it holds a token), atomically. */
export async function writeKubeconfig(file: string, yaml: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writePrivate(file, yaml);
}
