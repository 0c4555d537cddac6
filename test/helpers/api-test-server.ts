// Starts the real HTTPS API server (daemon/api/server.ts) on 127.0.0.1:0 over a MemoryRegistry,
// with a freshly generated PKI in a temporary directory (`dir`, laid out as kubelabd's data dir,
// so `kubelab create user --data-dir DIR` can sign users' certificates), and offers a small HTTPS client that
// trusts its CA. Shared by the API server unit test and the kubectl smoke test.

import fs from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { Authenticator, type Authorizer } from '../../daemon/api/auth.js';
import { ClientCertificateAuthenticator } from '../../daemon/api/client-certificate-authenticator.js';
import { NodeTokenCache } from '../../daemon/api/node-credentials.js';
import { GossipKeyStore } from '../../daemon/pki/gossip-keys.js';
import { ensureJoinToken } from '../../daemon/pki/join-token.js';
import { buildKubeconfig, ensurePki, writeKubeconfig } from '../../daemon/pki/pki.js';
import type { PodStreams } from '../../daemon/pod-streams/pod-streams.js';
import type { Registry } from '../../daemon/api/registry.js';
import { createApiApp, startApiServer } from '../../daemon/api/server.js';
import type { WebUi } from '../../daemon/api/ui/ui-router.js';
import { httpsRequest, type TestResponse } from './https-request.js';
import { MemoryRegistry } from './memory-registry.js';

export type { TestResponse } from './https-request.js';

export interface ApiTestServerOptions<R extends Registry> {
  podStreams?: PodStreams;
  maxBodyBytes?: number;
  historyLimit?: number;
  watchBookmarkIntervalMs?: number;
  /** The registry behind the API (default: a MemoryRegistry); tests of the real write pipeline pass a ResourceRegistry. */
  registry?: R;
  /** More bearer tokens, e.g. a node's: `{ token, user: 'system:node:n1', groups: ['system:nodes'] }`. */
  tokens?: { token: string; user: string; groups?: string[] }[];
  authorizer?: Authorizer;
  requestTimeoutMs?: number;
  connectionsCheckingIntervalMs?: number;
  /**
   * Serve joining as kubelabd server does: POST /kubelab/v1/node-credentials with a join token
   * (`joinToken`), node tokens that authenticate as they are issued, and the gossip keyring.
   */
  join?: boolean;
  /** Serve the web view at /ui/ (daemon/api/ui/), made over the server's registry. */
  webUi?: (registry: Registry) => WebUi;
  /** Another test server's data dir whose CA and admin token this one shares, as HA servers share them. */
  sharePkiOf?: string;
}

/** What a server started with `join: true` adds. */
export interface JoinParts {
  joinToken: string;
  gossipKeys: GossipKeyStore;
  caKeyPem: string;
}

export class ApiTestServer<R extends Registry = MemoryRegistry> {
  private constructor(
    readonly registry: R,
    readonly dir: string,
    readonly port: number,
    readonly token: string,
    readonly caCertPem: string,
    readonly kubeconfigPath: string,
    private readonly closeServer: () => Promise<void>,
    /** Set when started with `join: true`. */
    readonly joining?: JoinParts,
  ) {}

  static async start<R extends Registry = MemoryRegistry>(options: ApiTestServerOptions<R> = {}): Promise<ApiTestServer<R>> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-api-'));
    if (options.sharePkiOf) {
      await fs.mkdir(path.join(dir, 'pki'), { recursive: true, mode: 0o700 });
      for (const file of ['pki/ca.crt', 'pki/ca.key', 'admin-token']) await fs.copyFile(path.join(options.sharePkiOf, file), path.join(dir, file));
    }
    const pki = await ensurePki(dir, { hostnames: [], ips: [] });
    const registry = options.registry ?? (new MemoryRegistry(options.historyLimit) as unknown as R);
    const nodeTokens = options.join ? NodeTokenCache.watch(registry) : undefined;
    const joining: JoinParts | undefined = options.join
      ? { joinToken: await ensureJoinToken(dir, pki.caCertPem), gossipKeys: await GossipKeyStore.open(dir), caKeyPem: pki.caKeyPem }
      : undefined;
    const app = createApiApp({
      registry,
      authenticator: new Authenticator([{ token: pki.adminToken, user: 'admin' }, ...(options.tokens ?? [])], nodeTokens ? [nodeTokens] : [], new ClientCertificateAuthenticator(pki.caCertPem)),
      ...(joining ? { join: { caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, joinToken: joining.joinToken }, gossipKeys: joining.gossipKeys } : {}),
      authorizer: options.authorizer,
      podStreams: options.podStreams,
      maxBodyBytes: options.maxBodyBytes,
      watchBookmarkIntervalMs: options.watchBookmarkIntervalMs,
      webUi: options.webUi?.(registry),
    });
    const api = await startApiServer({
      app,
      listen: '127.0.0.1:0',
      tls: { key: pki.serverKeyPem, cert: pki.serverCertPem, clientCa: pki.caCertPem },
      requestTimeoutMs: options.requestTimeoutMs,
      connectionsCheckingIntervalMs: options.connectionsCheckingIntervalMs,
    });
    const kubeconfigPath = path.join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfigPath, buildKubeconfig({ server: `https://127.0.0.1:${api.port}`, caCertPem: pki.caCertPem, token: pki.adminToken }));
    const close = async () => {
      nodeTokens?.stop();
      await api.close();
    };
    return new ApiTestServer(registry, dir, api.port, pki.adminToken, pki.caCertPem, kubeconfigPath, close, joining);
  }

  async close(): Promise<void> {
    await this.closeServer();
    await fs.rm(this.dir, { recursive: true, force: true });
  }

  /** Sends a request (with the admin token unless `token` says otherwise) and reads the whole answer. */
  request(
    method: string,
    urlPath: string,
    options: { body?: unknown; rawBody?: string | Buffer; contentType?: string; accept?: string; token?: string | null; headers?: Record<string, string> } = {},
  ): Promise<TestResponse> {
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const headers: Record<string, string> = {};
    const token = options.token === undefined ? this.token : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      // Node sends a DELETE body neither chunked nor sized unless told its length.
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    if (options.accept) headers.accept = options.accept;
    Object.assign(headers, options.headers ?? {});
    return httpsRequest({ port: this.port, ca: this.caCertPem, method, path: urlPath, headers, body });
  }

  /** Opens a streaming GET (a watch) and returns each JSON line as it arrives. */
  stream(urlPath: string, options: { accept?: string } = {}): { lines: any[]; status: Promise<number>; ended: Promise<void>; close(): void } {
    const lines: any[] = [];
    let buffer = '';
    let resolveStatus!: (n: number) => void;
    let resolveEnded!: () => void;
    const status = new Promise<number>((r) => (resolveStatus = r));
    const ended = new Promise<void>((r) => (resolveEnded = r));
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, ...(options.accept ? { accept: options.accept } : {}) };
    const req = https.get({ host: '127.0.0.1', port: this.port, path: urlPath, headers, ca: this.caCertPem }, (res) => {
      resolveStatus(res.statusCode ?? 0);
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          lines.push(JSON.parse(buffer.slice(0, newline)));
          buffer = buffer.slice(newline + 1);
        }
      });
      res.on('end', resolveEnded);
      res.on('close', resolveEnded);
    });
    req.on('error', () => resolveEnded());
    return { lines, status, ended, close: () => req.destroy() };
  }
}

/** Polls `check` until it returns true (no sleeping in tests), failing after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
