// Joining a cluster: the agent's half of k3s' node bootstrap.
//
// A new node knows two things: the server's URL and the join token the server printed,
// `K10<sha256 of the CA certificate PEM>::<secret>`. It trusts nothing else yet, not even the
// server's certificate, so it bootstraps trust in three steps:
//
//   1. GET /cacerts without verifying TLS (it has no CA yet) and compute the sha256 of what came
//      back. A man in the middle could send any certificate, but not one whose hash is in the
//      token: a match proves this is the cluster's CA.
//   2. With that CA pinned, POST /kubelab/v1/node-credentials presenting the join token, the
//      node's own password and a CSR for its kubelet; the server answers with a token for this
//      node alone (user `system:node:<name>`), which the node authorizer restricts to what a
//      kubelet needs, and the kubelet's serving certificate signed by the cluster CA.
//   3. Save them (mode 0600) so a restarted agent does not join again.
//
// The node password (k3s' node password): a random secret made at the first join and kept in
// `<dataDir>/node-password` (0600). The server remembers its hash for the node's name; joining
// under that name again (a new join token, another address, the credentials file lost) needs the
// same password, so another holder of the join token cannot take the name over. Keep the file
// with the data dir; a machine that lost it must be re-registered (README: node identity).
//
// The join token's secret thus never crosses an unverified connection. The token format lives
// here, in lib, because both halves need it: this client and the server (daemon/pki/join-token.ts).

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { ApiError, fromStatus } from '../errors.js';
import { restrictFileIfPresent, writePrivateFile } from './private-file.js';

const TOKEN_PREFIX = 'K10';
const TOKEN_SEPARATOR = '::';
export const CREDENTIALS_FILE = 'node-credentials.json';
export const NODE_PASSWORD_FILE = 'node-password';
/** Re-join for a new kubelet certificate when the saved one expires within this many days. */
const RENEW_KUBELET_CERT_BEFORE_DAYS = 30;
export const CACERTS_PATH = '/cacerts';
export const NODE_CREDENTIALS_PATH = '/kubelab/v1/node-credentials';

export interface JoinTokenParts {
  /** sha256 (hex) of the cluster CA certificate PEM, exactly as GET /cacerts serves it. */
  caHash: string;
  /** The shared secret: it authorises joining (nothing else is derived from it). */
  secret: string;
}

/** sha256 hex of a CA certificate PEM: what the join token pins. */
export const caHashOf = (caPem: string): string => crypto.createHash('sha256').update(caPem).digest('hex');

export function formatJoinToken(parts: JoinTokenParts): string {
  return `${TOKEN_PREFIX}${parts.caHash}${TOKEN_SEPARATOR}${parts.secret}`;
}

/** Splits `K10<hash>::<secret>`; throws an Error that says what is wrong and where tokens come from. */
export function parseJoinToken(token: string): JoinTokenParts {
  const trimmed = token.trim();
  const where = 'it is in the server\'s <data-dir>/join-token (readable by root only)';
  if (!trimmed.startsWith(TOKEN_PREFIX)) {
    throw new Error(`invalid join token: it must start with "${TOKEN_PREFIX}" (format K10<sha256 of the CA>::<secret>); ${where}`);
  }
  const separator = trimmed.indexOf(TOKEN_SEPARATOR);
  if (separator < 0) throw new Error(`invalid join token: the "${TOKEN_SEPARATOR}" between the CA hash and the secret is missing; ${where}`);
  const caHash = trimmed.slice(TOKEN_PREFIX.length, separator).toLowerCase();
  const secret = trimmed.slice(separator + TOKEN_SEPARATOR.length);
  if (!/^[0-9a-f]{64}$/.test(caHash)) {
    throw new Error(`invalid join token: the CA hash must be 64 hex digits (a sha256), got ${caHash.length} characters; ${where}`);
  }
  if (secret === '' || /\s/.test(secret)) throw new Error(`invalid join token: the secret after "${TOKEN_SEPARATOR}" is empty or contains spaces; ${where}`);
  return { caHash, secret };
}

export interface JoinOptions {
  /** The API server, `https://host:port`. */
  server: string;
  /** The join token the server printed. */
  token: string;
  nodeName: string;
  /** The node's addresses: the kubelet certificate's IP SANs. */
  nodeIPs: string[];
  /** Where node-credentials.json and node-password are kept. */
  dataDir: string;
  /** Makes the kubelet's key pair and a CSR for it (daemon/pki/certificates.ts). */
  createKubeletCsr: () => { csrPem: string; keyPem: string };
}

export interface JoinedNode {
  caPem: string;
  /** Bearer token of user `system:node:<nodeName>`. */
  nodeToken: string;
  /** The kubelet's serving certificate (signed by the cluster CA) and its key. */
  kubeletCertPem: string;
  kubeletKeyPem: string;
}

/** What node-credentials.json holds: the answer, and what it was an answer to. */
interface SavedCredentials extends JoinedNode {
  server: string;
  nodeName: string;
  nodeIPs: string[];
  /** sha256 of the whole join token: a new token (a new cluster) means joining again. */
  joinTokenHash: string;
}

const sha256 = (value: string): string => crypto.createHash('sha256').update(value).digest('hex');

/**
 * The node's CA and token: the saved ones when they were issued by the same server for the same
 * join token and node name, otherwise fetched (and the CA checked against the token) and saved.
 */
export async function joinCluster(options: JoinOptions): Promise<JoinedNode> {
  const { caHash } = parseJoinToken(options.token);
  const server = options.server.replace(/\/+$/, '');
  const file = path.join(options.dataDir, CREDENTIALS_FILE);
  await restrictFileIfPresent(file); // the node's token: private even when an older kubelab or a copy made it 0644
  const saved = await readSaved(file);
  const joinTokenHash = sha256(options.token.trim());
  const nodeIPs = [...new Set(options.nodeIPs)].sort();
  if (
    saved &&
    saved.server === server &&
    saved.nodeName === options.nodeName &&
    saved.joinTokenHash === joinTokenHash &&
    JSON.stringify(saved.nodeIPs) === JSON.stringify(nodeIPs) &&
    kubeletCertificateIsFresh(saved.kubeletCertPem)
  ) {
    return { caPem: saved.caPem, nodeToken: saved.nodeToken, kubeletCertPem: saved.kubeletCertPem, kubeletKeyPem: saved.kubeletKeyPem };
  }
  await fs.mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const nodePassword = await ensureNodePassword(options.dataDir);

  const caPem = await fetchPinnedCa(server, caHash);
  const kubelet = options.createKubeletCsr();
  const answer = await joinRequest(server, 'POST', NODE_CREDENTIALS_PATH, {
    ca: caPem,
    bearer: options.token.trim(),
    body: { nodeName: options.nodeName, nodePassword, nodeIPs, kubeletCsr: kubelet.csrPem },
  });
  const { token: nodeToken, kubeletCertificate } = JSON.parse(answer.body) as { token?: unknown; kubeletCertificate?: unknown };
  if (typeof nodeToken !== 'string' || nodeToken === '') throw new Error(`the server at ${server} answered node-credentials without a token`);
  if (typeof kubeletCertificate !== 'string' || kubeletCertificate === '') {
    throw new Error(`the server at ${server} answered node-credentials without a kubelet certificate: is it an older kubelabd? upgrade it first`);
  }

  const joined: JoinedNode = { caPem, nodeToken, kubeletCertPem: kubeletCertificate, kubeletKeyPem: kubelet.keyPem };
  const record: SavedCredentials = { server, nodeName: options.nodeName, nodeIPs, joinTokenHash, ...joined };
  await writePrivateFile(file, JSON.stringify(record, null, 2) + '\n');
  return joined;
}

/**
 * Step 1 of every join (an agent's, or a server's: daemon/server-join.ts): the server's CA, fetched
 * without verifying TLS and accepted only when its sha256 is the one the join token pins.
 */
export async function fetchPinnedCa(server: string, caHash: string): Promise<string> {
  const caPem = (await joinRequest(server, 'GET', CACERTS_PATH, { ca: undefined })).body;
  if (caHashOf(caPem) !== caHash) {
    throw new Error(
      `the join token does not belong to the server at ${server}: its CA certificate has sha256 ${caHashOf(caPem)}, ` +
        `the token expects ${caHash}; check --server and --token (the token is printed by that server's kubelabd)`,
    );
  }
  return caPem;
}

/** The node's password: the one in `<dataDir>/node-password`, or a new random one written there first. */
export async function ensureNodePassword(dataDir: string): Promise<string> {
  const file = path.join(dataDir, NODE_PASSWORD_FILE);
  try {
    const existing = (await fs.readFile(file, 'utf8')).trim();
    if (existing !== '') return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const password = crypto.randomBytes(32).toString('hex');
  await writePrivateFile(file, password + '\n');
  return password;
}

function kubeletCertificateIsFresh(certPem: string | undefined): boolean {
  if (typeof certPem !== 'string') return false; // saved by an older agent: join again for one
  try {
    return Date.now() < Date.parse(new crypto.X509Certificate(certPem).validTo) - RENEW_KUBELET_CERT_BEFORE_DAYS * 86_400_000;
  } catch {
    return false;
  }
}

async function readSaved(file: string): Promise<SavedCredentials | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as SavedCredentials;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || err instanceof SyntaxError) return undefined; // never joined, or a torn file: join again
    throw err;
  }
}

/**
 * One HTTPS request. `ca: undefined` turns certificate verification off for this request only
 * (the /cacerts bootstrap, whose answer is then checked against the token's hash).
 */
export function joinRequest(
  server: string,
  method: string,
  urlPath: string,
  options: { ca: string | undefined; bearer?: string; body?: unknown },
): Promise<{ status: number; body: string }> {
  const url = new URL(urlPath, server);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ...(options.ca === undefined ? { rejectUnauthorized: false } : { ca: options.ca }),
        // No connection reuse: the unverified /cacerts connection must not carry the token later.
        agent: false,
        timeout: 30_000,
        headers: {
          ...(options.bearer ? { authorization: `Bearer ${options.bearer}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve({ status, body: text });
          reject(joinError(server, method, urlPath, status, text));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${server} within 30 s`)));
    req.on('error', (err) => reject(new Error(`cannot join through ${server}: ${method} ${urlPath} failed: ${err.message}`, { cause: err })));
    req.end(body);
  });
}

function joinError(server: string, method: string, urlPath: string, status: number, text: string): ApiError {
  let error: ApiError;
  try {
    error = fromStatus(JSON.parse(text), status);
  } catch {
    error = new ApiError(status, 'InternalError', text.trim() || `HTTP ${status}`);
  }
  const hint = status === 401 ? ' (the server rejected the join token: is it the current token of this server?)' : '';
  // A 403 (another node's password) already says what to do.
  return new ApiError(error.code, error.reason, `cannot join through ${server}: ${method} ${urlPath}: ${error.message}${hint}`, error.details);
}
