// A tiny stand-in for the API server in client and CLI tests: answers canned Kubernetes
// responses on loopback, over HTTPS with a CA made for the test (or plain HTTP), and records
// every request so a test can assert what the client sent (method, path, query, headers, body).
//
// Routes are matched on method and path (a string or a RegExp); unmatched requests get the
// 404 Status a real server sends. Nothing here knows kubelab's API; tests say what to answer.

import crypto from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

interface Route {
  method: string;
  path: string | RegExp;
  handler: Handler;
}

export interface TestPki {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** A CA and a server certificate for 127.0.0.1 signed by it (RSA 2048, valid one day). */
export function makeTestPki(): TestPki {
  const keyPair = () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      privateKey: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
      publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    };
  };
  const validity = (cert: forge.pki.Certificate) => {
    cert.validity.notBefore = new Date(Date.now() - 60_000);
    cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  };
  const caKeys = keyPair();
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = '01';
  validity(ca);
  const caName = [{ name: 'commonName', value: 'fake-api-server test CA' }];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([{ name: 'basicConstraints', cA: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true }]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const serverKeys = keyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = serverKeys.publicKey;
  cert.serialNumber = '02';
  validity(cert);
  cert.setSubject([{ name: 'commonName', value: '127.0.0.1' }]);
  cert.setIssuer(caName);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
  ]);
  cert.sign(caKeys.privateKey, forge.md.sha256.create());
  return {
    caPem: forge.pki.certificateToPem(ca),
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(serverKeys.privateKey),
  };
}

export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  url = '';
  private routes: Route[] = [];
  private readonly server: http.Server;

  private constructor(readonly pki: TestPki | undefined) {
    const listener = (req: IncomingMessage, res: ServerResponse) => void this.dispatch(req, res);
    this.server = pki ? https.createServer({ key: pki.keyPem, cert: pki.certPem }, listener) : http.createServer(listener);
  }

  /** Starts on 127.0.0.1 on a free port (or `port`: a server coming back); `tls: true` makes a CA and serves HTTPS. */
  static async start(options: { tls?: boolean; pki?: TestPki; port?: number } = {}): Promise<FakeApiServer> {
    const fake = new FakeApiServer(options.pki ?? (options.tls ? makeTestPki() : undefined));
    await new Promise<void>((resolve) => fake.server.listen(options.port ?? 0, '127.0.0.1', resolve));
    const { port } = fake.server.address() as AddressInfo;
    fake.url = `${fake.pki ? 'https' : 'http'}://127.0.0.1:${port}`;
    return fake;
  }

  on(method: string, path: string | RegExp, handler: Handler): this {
    this.routes.unshift({ method, path, handler });
    return this;
  }

  /** Answers JSON with a status code (and extra headers, e.g. Warning). */
  onJson(method: string, path: string | RegExp, body: unknown, code = 200, headers: Record<string, string> = {}): this {
    return this.on(method, path, (_req, res) => sendJson(res, code, body, headers));
  }

  reset(): void {
    this.routes = [];
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(recorded);
    const route = this.routes.find(
      (r) => r.method === recorded.method && (typeof r.path === 'string' ? r.path === recorded.path : r.path.test(recorded.path)),
    );
    if (!route) {
      return sendJson(res, 404, statusBody(404, 'NotFound', `the server could not find the requested resource`));
    }
    try {
      await route.handler(recorded, res);
    } catch (err) {
      sendJson(res, 500, statusBody(500, 'InternalError', `fake server handler failed: ${(err as Error).message}`));
    }
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export function statusBody(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

export function notFoundBody(plural: string, name: string) {
  return statusBody(404, 'NotFound', `${plural} "${name}" not found`, { name, kind: plural });
}

/** A one-row-per-object Table, as the server prints pods (the columns tests usually need). */
export function podTable(pods: { name: string; namespace?: string; ready?: string; status?: string; ip?: string; node?: string; labels?: Record<string, string> }[]) {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: '10' },
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', priority: 0 },
      { name: 'Ready', type: 'string', priority: 0 },
      { name: 'Status', type: 'string', priority: 0 },
      { name: 'Restarts', type: 'integer', priority: 0 },
      { name: 'Age', type: 'string', priority: 0 },
      { name: 'IP', type: 'string', priority: 1 },
      { name: 'Node', type: 'string', priority: 1 },
    ],
    rows: pods.map((p) => ({
      cells: [p.name, p.ready ?? '1/1', p.status ?? 'Running', 0, '5m', p.ip ?? '10.244.0.5', p.node ?? 'node-1'],
      object: {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: { name: p.name, namespace: p.namespace ?? 'default', labels: p.labels },
      },
    })),
  };
}
