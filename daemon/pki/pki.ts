// The cluster's public key infrastructure: what kubeadm's "certs" phase does, reduced to the two
// certificates a single API server needs.
//
// - A cluster CA (self-signed). Clients trust the API server because the kubeconfig carries this
//   CA's certificate (`certificate-authority-data`), not because of any public CA.
// - A serving certificate for the API server, signed by the CA, whose subjectAltNames list every
//   name and address clients may dial (kubectl checks the SAN, e.g. `IP:127.0.0.1`).
// - A client certificate the API server presents to kubelets (kubeadm's
//   apiserver-kubelet-client.crt): the kubelets' stream servers answer only a caller holding a
//   certificate of this CA with this common name, a key no node has.
// - Each kubelet's serving certificate (CN system:node:<name>, SANs its name and IPs), issued by
//   this CA at join from the node's CSR (node-credentials.ts; the server's own by kubeletCertificate).
// - An admin bearer token (kubeconfig `user.token`), checked by daemon/api/auth.ts.
// (The join token, the secret nodes join with, is join-token.ts beside this file.)
//
// The certificates themselves are made by certificates.ts (one builder for the whole daemon);
// this file decides which ones the cluster needs, keeps them under `<dataDir>/pki/` with mode
// 0600, and reuses them, so a restart keeps the same CA and token and existing kubeconfigs keep
// working.

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { stringify } from 'yaml';
import { restrictFileIfPresent, writePrivateFile } from '../../lib/client/private-file.js';
import { certificateForPublicKey, createCaCertificate, createServingCertificate, type CertificateAndKey, type Sans } from './certificates.js';

export interface Pki {
  caCertPem: string;
  caKeyPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  /** The API server's client certificate towards kubelets (CN KUBELET_CLIENT_COMMON_NAME). */
  kubeletClientCertPem: string;
  kubeletClientKeyPem: string;
  adminToken: string;
}

/** The common name the kubelets' stream servers require of their caller's client certificate (kubeadm's name). */
export const KUBELET_CLIENT_COMMON_NAME = 'kube-apiserver-kubelet-client';
/** The common name of node `nodeName`'s kubelet serving certificate (Kubernetes' kubelet-serving signer uses the same). */
export const kubeletCommonName = (nodeName: string): string => `system:node:${nodeName}`;
const KUBELET_VALIDITY_YEARS = 1;

/** What a kubelet serving certificate names: the node (a DNS SAN) and its addresses. */
function kubeletSans(nodeName: string, nodeIPs: readonly string[]): Sans {
  return { dns: [nodeName], ips: [...new Set(nodeIPs.map((ip) => ipaddr.process(ip).toString()))] };
}

/** A kubelet serving certificate for `publicKeyPem` (from the node's CSR), signed by the cluster CA. */
export function signKubeletCertificate(ca: { certPem: string; keyPem: string }, nodeName: string, nodeIPs: readonly string[], publicKeyPem: string): string {
  return certificateForPublicKey(publicKeyPem, { commonName: kubeletCommonName(nodeName), sans: kubeletSans(nodeName, nodeIPs), years: KUBELET_VALIDITY_YEARS, issuer: ca });
}

/** A kubelet serving certificate and key made on the spot (the server's own kubelet, which does not join). */
export function createKubeletCertificate(ca: { certPem: string; keyPem: string }, nodeName: string, nodeIPs: readonly string[]): CertificateAndKey {
  return createServingCertificate({ commonName: kubeletCommonName(nodeName), sans: kubeletSans(nodeName, nodeIPs), years: KUBELET_VALIDITY_YEARS, issuer: ca });
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

/** Signed by this CA and not about to expire. */
export function certificateIsUsable(certPem: string, caCertPem: string): boolean {
  const cert = new crypto.X509Certificate(certPem);
  if (!cert.verify(new crypto.X509Certificate(caCertPem).publicKey)) return false;
  const renewAt = Date.parse(cert.validTo) - RENEW_BEFORE_DAYS * 86_400_000;
  return Date.now() < renewAt;
}

function servingCertIsUsable(certPem: string, caCertPem: string, sans: Sans): boolean {
  if (!certificateIsUsable(certPem, caCertPem)) return false;
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
    kubeletClientCert: path.join(dir, 'apiserver-kubelet-client.crt'),
    kubeletClientKey: path.join(dir, 'apiserver-kubelet-client.key'),
    token: path.join(dataDir, 'admin-token'),
  };
  // Kept files are made private too: ones copied in or written by an older kubelab may be 0644.
  for (const file of Object.values(files)) await restrictFileIfPresent(file);

  let caCertPem = await readIfExists(files.caCert);
  let caKeyPem = await readIfExists(files.caKey);
  let newCa = false;
  if (!caCertPem || !caKeyPem) {
    const ca = createCaCertificate('kubelab-ca', CA_VALIDITY_YEARS);
    caCertPem = ca.certPem;
    caKeyPem = ca.keyPem;
    newCa = true;
    await writePrivateFile(files.caKey, caKeyPem);
    await writePrivateFile(files.caCert, caCertPem);
  }

  const sans = wantedSans(options);
  let serverCertPem = await readIfExists(files.serverCert);
  let serverKeyPem = await readIfExists(files.serverKey);
  if (newCa || !serverCertPem || !serverKeyPem || !servingCertIsUsable(serverCertPem, caCertPem, sans)) {
    const serving = createServingCertificate({ commonName: 'kube-apiserver', sans, years: SERVING_VALIDITY_YEARS, issuer: { certPem: caCertPem, keyPem: caKeyPem } });
    serverCertPem = serving.certPem;
    serverKeyPem = serving.keyPem;
    await writePrivateFile(files.serverKey, serverKeyPem);
    await writePrivateFile(files.serverCert, serverCertPem);
  }

  let kubeletClientCertPem = await readIfExists(files.kubeletClientCert);
  let kubeletClientKeyPem = await readIfExists(files.kubeletClientKey);
  if (newCa || !kubeletClientCertPem || !kubeletClientKeyPem || !certificateIsUsable(kubeletClientCertPem, caCertPem)) {
    const client = createServingCertificate({ commonName: KUBELET_CLIENT_COMMON_NAME, sans: { dns: [], ips: [] }, years: SERVING_VALIDITY_YEARS, issuer: { certPem: caCertPem, keyPem: caKeyPem }, usage: 'client' });
    kubeletClientCertPem = client.certPem;
    kubeletClientKeyPem = client.keyPem;
    await writePrivateFile(files.kubeletClientKey, kubeletClientKeyPem);
    await writePrivateFile(files.kubeletClientCert, kubeletClientCertPem);
  }

  let adminToken = (await readIfExists(files.token))?.trim();
  if (!adminToken) {
    adminToken = crypto.randomBytes(32).toString('hex');
    await writePrivateFile(files.token, adminToken + '\n');
  }

  return { caCertPem, caKeyPem, serverCertPem, serverKeyPem, kubeletClientCertPem, kubeletClientKeyPem, adminToken };
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
  await writePrivateFile(file, yaml);
}
