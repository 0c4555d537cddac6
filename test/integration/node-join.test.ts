// Joining a node against a real API server (HTTPS, the real ResourceRegistry over an in-memory
// store): the CA download checked against the join token, node credentials, the node token's
// identity and what the Node authorizer lets it do over HTTP and over a streaming upgrade,
// revocation, the node password that keeps a name to the machine that registered it, and
// --tls-san re-issuing the serving certificate. No Docker needed.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Authenticator } from '../../daemon/api/auth.js';
import { ensureJoinToken, parseJoinToken } from '../../daemon/pki/join-token.js';
import { NodeAuthorizer } from '../../daemon/api/node-authorizer.js';
import { NodeTokenCache } from '../../daemon/api/node-credentials.js';
import { ensurePki, splitTlsSans } from '../../daemon/pki/pki.js';
import type { PodStreams } from '../../daemon/pod-streams/pod-streams.js';
import { internalContext } from '../../daemon/api/registry.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { createApiApp, startApiServer, type RunningApiServer } from '../../daemon/api/server.js';
import { createUpgradeHandler } from '../../daemon/api/streaming/upgrade-handler.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import { joinCluster as joinWith, type JoinOptions } from '../../lib/client/join.js';
import { createCertificateSigningRequest } from '../../daemon/pki/certificates.js';

/** What kubelabd agent passes besides server, token, name and data dir. */
const joinCluster = (options: Omit<JoinOptions, 'nodeIPs' | 'createKubeletCsr'>) =>
  joinWith({ ...options, nodeIPs: ['10.0.0.12'], createKubeletCsr: () => createCertificateSigningRequest(`system:node:${options.nodeName}`) });
import { httpsRequest, type TestResponse } from '../helpers/https-request.js';

/** One HTTPS request to 127.0.0.1:port, trusting `ca`, with `token` as bearer when given. */
function call(port: number, ca: string, method: string, urlPath: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<TestResponse> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (body !== undefined) {
    headers['content-type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return httpsRequest({ port, ca, method, path: urlPath, headers, body, agent: false });
}

const noStreams: PodStreams = {
  logs: () => Promise.reject(new Error('this test serves no pod streams')),
  exec: () => Promise.reject(new Error('this test serves no pod streams')),
  attach: () => Promise.reject(new Error('this test serves no pod streams')),
  portForward: () => Promise.reject(new Error('this test serves no pod streams')),
};

describe('joining a node (real API server)', function () {
  this.timeout(30_000);
  let dir: string;
  let store: NedbObjectStore;
  let registry: ResourceRegistry;
  let nodeTokens: NodeTokenCache;
  let api: RunningApiServer;
  let server: string;
  let caPem: string;
  let adminToken: string;
  let joinToken: string;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-join-'));
    store = new NedbObjectStore();
    await store.open();
    registry = new ResourceRegistry({ store });
    await registry.ensureSystemNamespaces();
    const pki = await ensurePki(path.join(dir, 'server'), { hostnames: [], ips: [] });
    caPem = pki.caCertPem;
    adminToken = pki.adminToken;
    joinToken = await ensureJoinToken(path.join(dir, 'server'), pki.caCertPem);

    // The wiring the lead puts in daemon/server.ts.
    nodeTokens = NodeTokenCache.watch(registry);
    const authenticator = new Authenticator([{ token: pki.adminToken, user: 'admin' }], [nodeTokens]);
    const authorizer = new NodeAuthorizer(registry);
    const app = createApiApp({ registry, authenticator, authorizer, join: { caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, joinToken } });
    api = await startApiServer({
      app,
      listen: '127.0.0.1:0',
      tls: { key: pki.serverKeyPem, cert: pki.serverCertPem },
      onUpgrade: createUpgradeHandler({ registry, podStreams: noStreams, authenticate: (h) => authenticator.authenticateUser(h), authorizer }),
    });
    server = `https://127.0.0.1:${api.port}`;

    // Two pods, one bound to node2 and one to node1, each with a Secret of its own.
    const admin = (method: string, p: string, body: unknown) => call(api.port, caPem, method, p, { token: adminToken, body });
    for (const name of ['db-secrets', 'other-secret']) {
      assert.equal((await admin('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: { password: 's3cret' } })).status, 201);
    }
    const pod = (name: string, nodeName: string, secretName: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: { nodeName, containers: [{ name: 'app', image: 'kubelab/busybox:1' }], volumes: [{ name: 'creds', secret: { secretName } }] },
    });
    assert.equal((await admin('POST', '/api/v1/namespaces/default/pods', pod('web', 'node2', 'db-secrets'))).status, 201);
    assert.equal((await admin('POST', '/api/v1/namespaces/default/pods', pod('other', 'node1', 'other-secret'))).status, 201);
    assert.equal((await admin('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node1' } })).status, 201);
  });

  after(async () => {
    nodeTokens?.stop();
    await api?.close();
    await store?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('serves the CA without credentials, and its sha256 is the one in the join token', async () => {
    const answer = await call(api.port, caPem, 'GET', '/cacerts');
    assert.equal(answer.status, 200);
    assert.equal(answer.text, caPem);
    assert.equal(crypto.createHash('sha256').update(answer.text).digest('hex'), parseJoinToken(joinToken).caHash);
  });

  it('refuses node credentials to a wrong join token with a 401 Status, and a bad node name with a 400', async () => {
    const wrong = `K10${parseJoinToken(joinToken).caHash}::not-the-secret`;
    const answer = await call(api.port, caPem, 'POST', '/kubelab/v1/node-credentials', { token: wrong, body: { nodeName: 'node2' } });
    assert.equal(answer.status, 401);
    assert.equal(answer.json.kind, 'Status');
    assert.equal(answer.json.reason, 'Unauthorized');
    const bad = await call(api.port, caPem, 'POST', '/kubelab/v1/node-credentials', { token: joinToken, body: { nodeName: 'Node_2' } });
    assert.equal(bad.status, 400);
    assert.match(bad.json.message, /invalid nodeName "Node_2": a lowercase RFC 1123 subdomain/);
    await assert.rejects(
      joinCluster({ server, token: wrong, nodeName: 'node2', dataDir: path.join(dir, 'wrong') }),
      (e: Error) => /401|Unauthorized/.test(e.message) && /rejected the join token/.test(e.message),
    );
  });

  it('refuses to join a server whose CA is not the one in the token', async () => {
    const foreign = `K10${'ab'.repeat(32)}::${parseJoinToken(joinToken).secret}`;
    await assert.rejects(
      joinCluster({ server, token: foreign, nodeName: 'node2', dataDir: path.join(dir, 'foreign') }),
      /the join token does not belong to the server at https:\/\/127\.0\.0\.1:\d+/,
    );
    await assert.rejects(fs.stat(path.join(dir, 'foreign', 'node-credentials.json')), { code: 'ENOENT' });
  });

  describe('with node2 joined', () => {
    let nodeToken: string;
    const asNode = (method: string, p: string, body?: unknown) => call(api.port, caPem, method, p, { token: nodeToken, body });

    before(async () => {
      const joined = await joinCluster({ server, token: joinToken, nodeName: 'node2', dataDir: path.join(dir, 'node2') });
      assert.equal(joined.caPem, caPem);
      nodeToken = joined.nodeToken;
    });

    it('saves the credentials with mode 0600 and reuses them on the next start', async () => {
      const file = path.join(dir, 'node2', 'node-credentials.json');
      assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
      const secretBefore = await registry.get('secrets', 'kube-system', 'node-token-node2', internalContext());
      const again = await joinCluster({ server, token: joinToken, nodeName: 'node2', dataDir: path.join(dir, 'node2') });
      assert.equal(again.nodeToken, nodeToken);
      const secretAfter = await registry.get('secrets', 'kube-system', 'node-token-node2', internalContext());
      assert.equal(secretAfter.metadata.resourceVersion, secretBefore.metadata.resourceVersion, 'no second issue');
      // Only the token's hash is stored.
      assert.ok(!JSON.stringify(secretAfter).includes(nodeToken));
      assert.equal((secretAfter as { type?: string }).type, 'kubelab.io/node-token');
    });

    it('authenticates as system:node:node2 and registers and reports its own Node', async () => {
      assert.equal((await asNode('GET', '/api/v1/nodes')).status, 200);
      const created = await asNode('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node2' } });
      assert.equal(created.status, 201, created.text);
      assert.equal((await asNode('PATCH', '/api/v1/nodes/node2/status', { status: { addresses: [{ type: 'InternalIP', address: '10.0.0.12' }] } })).status, 200);
      assert.equal((await asNode('PATCH', '/api/v1/namespaces/default/pods/web/status', { status: { phase: 'Running' } })).status, 200);
    });

    it('reads the Secret of its own pod but not another pod\'s, and cannot list Secrets', async () => {
      const own = await asNode('GET', '/api/v1/namespaces/default/secrets/db-secrets');
      assert.equal(own.status, 200);
      assert.equal(Buffer.from(own.json.data.password, 'base64').toString(), 's3cret');

      const foreign = await asNode('GET', '/api/v1/namespaces/default/secrets/other-secret');
      assert.equal(foreign.status, 403);
      assert.equal(foreign.json.reason, 'Forbidden');
      assert.equal(
        foreign.json.message,
        'secrets "other-secret" is forbidden: User "system:node:node2" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node \'node2\' and this object',
      );
      const list = await asNode('GET', '/api/v1/namespaces/default/secrets');
      assert.equal(list.status, 403);
      assert.match(list.json.message, /^secrets is forbidden: User "system:node:node2" cannot list resource "secrets"/);
      assert.equal((await asNode('GET', '/api/v1/secrets?watch=true')).status, 403);
    });

    it('cannot patch another node, nor touch another node\'s pods', async () => {
      const patched = await asNode('PATCH', '/api/v1/nodes/node1', { metadata: { labels: { stolen: 'yes' } } });
      assert.equal(patched.status, 403);
      assert.match(patched.json.message, /nodes "node1" is forbidden: User "system:node:node2" cannot patch resource "nodes" .*node 'node2' cannot modify node 'node1'/);
      assert.equal((await asNode('DELETE', '/api/v1/namespaces/default/pods/other')).status, 403);
      const node1 = await call(api.port, caPem, 'GET', '/api/v1/nodes/node1', { token: adminToken });
      assert.equal(node1.json.metadata.labels?.stolen, undefined);
    });

    it('cannot exec into a pod (the streaming upgrade is authorised too)', async () => {
      const answer = await call(api.port, caPem, 'GET', '/api/v1/namespaces/default/pods/web/exec?command=sh&stdout=true', {
        token: nodeToken,
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-key': crypto.randomBytes(16).toString('base64'),
          'sec-websocket-version': '13',
          'sec-websocket-protocol': 'v5.channel.k8s.io',
        },
      });
      assert.equal(answer.status, 403);
      assert.match(answer.json.message, /pods "web" is forbidden: User "system:node:node2" cannot get resource "pods\/exec"/);
    });

    it('cannot be taken over by another machine with the join token: a 403 that says how to re-register', async () => {
      await assert.rejects(joinCluster({ server, token: joinToken, nodeName: 'node2', dataDir: path.join(dir, 'node2-impostor') }), (err: Error & { code?: number }) => {
        assert.equal(err.code, 403);
        assert.match(err.message, /node "node2" is registered with another node password.*kubelab delete node node2; kubelab delete secret -n kube-system node2\.node-password\.kubelab/);
        return true;
      });
      assert.equal((await asNode('GET', '/api/v1/nodes')).status, 200, 'node2 keeps its token');
    });

    it('loses its old token when it joins again, and all access when its Secret is deleted', async () => {
      await fs.rm(path.join(dir, 'node2', 'node-credentials.json')); // the same machine (its node-password kept) joins again
      const rejoined = await joinCluster({ server, token: joinToken, nodeName: 'node2', dataDir: path.join(dir, 'node2') });
      assert.notEqual(rejoined.nodeToken, nodeToken);
      assert.equal((await asNode('GET', '/api/v1/nodes')).status, 401);
      nodeToken = rejoined.nodeToken;
      assert.equal((await asNode('GET', '/api/v1/nodes')).status, 200);

      const revoked = await call(api.port, caPem, 'DELETE', '/api/v1/namespaces/kube-system/secrets/node-token-node2', { token: adminToken });
      assert.equal(revoked.status, 200);
      assert.equal((await asNode('GET', '/api/v1/nodes')).status, 401);
    });
  });
});

/** Completes a TLS handshake with 127.0.0.1:port, checking the certificate against `servername`. */
function handshake(port: number, servername: string, ca: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, ca }, () => {
      socket.end();
      resolve();
    });
    socket.on('error', reject);
  });
}

describe('--tls-san', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-tls-san-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('re-issues the serving certificate, signed by the same CA, when a wanted name or address is missing', async () => {
    const first = await ensurePki(dir, { hostnames: [], ips: [] });
    const sans = splitTlsSans(['node3.lab', '10.0.0.13']);
    const second = await ensurePki(dir, sans);
    assert.equal(second.caCertPem, first.caCertPem);
    assert.notEqual(second.serverCertPem, first.serverCertPem);
    assert.ok(new crypto.X509Certificate(second.serverCertPem).checkIP('10.0.0.13'));
    assert.equal(new crypto.X509Certificate(first.serverCertPem).checkIP('10.0.0.13'), undefined);
    // Unchanged flags: the same certificate.
    assert.equal((await ensurePki(dir, sans)).serverCertPem, second.serverCertPem);

    // A client that dials the new name accepts the new certificate and refuses the old one.
    for (const [pki, accepted] of [[second, true], [first, false]] as const) {
      const listener = tls.createServer({ key: pki.serverKeyPem, cert: pki.serverCertPem }, (socket) => socket.end());
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      const { port } = listener.address() as { port: number };
      try {
        if (accepted) await handshake(port, 'node3.lab', first.caCertPem);
        else await assert.rejects(handshake(port, 'node3.lab', first.caCertPem), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      } finally {
        await new Promise((resolve) => listener.close(resolve));
      }
    }
  });
});
