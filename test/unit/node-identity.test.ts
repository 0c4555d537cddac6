// Node identity against the real HTTPS API server (the real ResourceRegistry over an in-memory
// store, the Node authorizer): a join token registers a node name once; joining again under that
// name needs the node's own password (k3s' node password); the kubelet certificate issued at join;
// the gossip keyring handed only to authenticated nodes, and its rotation.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NodeAuthorizer } from '../../daemon/api/node-authorizer.js';
import { internalContext } from '../../daemon/api/registry.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { createCertificateSigningRequest } from '../../daemon/pki/certificates.js';
import { kubeletCommonName } from '../../daemon/pki/pki.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import { CREDENTIALS_FILE, joinCluster, NODE_PASSWORD_FILE, type JoinedNode } from '../../lib/client/join.js';
import { ApiTestServer } from '../helpers/api-test-server.js';

describe('node identity (real API server over HTTPS)', function () {
  this.timeout(30_000);
  let api: ApiTestServer<ResourceRegistry>;
  let store: NedbObjectStore;
  let dir: string;

  const join = (nodeName: string, dataDir: string, nodeIPs = ['10.0.0.12']): Promise<JoinedNode> =>
    joinCluster({
      server: `https://127.0.0.1:${api.port}`,
      token: api.joining!.joinToken,
      nodeName,
      nodeIPs,
      dataDir: path.join(dir, dataDir),
      createKubeletCsr: () => createCertificateSigningRequest(kubeletCommonName(nodeName)),
    });
  const asNode = (joined: JoinedNode, method: string, urlPath: string) => api.request(method, urlPath, { token: joined.nodeToken });
  const secret = (name: string) => api.registry.get('secrets', 'kube-system', name, internalContext()).catch(() => undefined);

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-node-identity-'));
    store = new NedbObjectStore();
    await store.open();
    const registry = new ResourceRegistry({ store });
    await registry.ensureSystemNamespaces();
    api = await ApiTestServer.start({ registry, authorizer: new NodeAuthorizer(registry), join: true });
    // The server's own node: registered by its in-process kubelet, never through a join.
    assert.equal((await api.request('POST', '/api/v1/nodes', { body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'server-node' } } })).status, 201);
  });
  after(async () => {
    await api?.close();
    await store?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  describe('with node-a joined', () => {
    let nodeA: JoinedNode;
    before(async () => {
      nodeA = await join('node-a', 'machine-a');
    });

    it('keeps a random node password in the data dir (0600) and only its hash on the server', async () => {
      const file = path.join(dir, 'machine-a', NODE_PASSWORD_FILE);
      assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
      const password = (await fs.readFile(file, 'utf8')).trim();
      assert.match(password, /^[0-9a-f]{64}$/);
      const stored = await secret('node-a.node-password.kubelab');
      assert.equal((stored as { type?: string }).type, 'kubelab.io/node-password');
      assert.ok(!JSON.stringify(stored).includes(password));
      assert.ok(!JSON.stringify(stored).includes(Buffer.from(password).toString('base64')));
    });

    it('gets a kubelet serving certificate of the cluster CA for its name and address', () => {
      const cert = new crypto.X509Certificate(nodeA.kubeletCertPem);
      assert.ok(cert.verify(new crypto.X509Certificate(api.caCertPem).publicKey));
      assert.equal(cert.subject, 'CN=system:node:node-a');
      assert.equal(cert.checkIP('10.0.0.12'), '10.0.0.12');
      assert.equal(cert.checkHost('node-a'), 'node-a');
      assert.ok(cert.checkPrivateKey(crypto.createPrivateKey(nodeA.kubeletKeyPem)), 'the key made on the node matches');
    });

    it('refuses the same name to another machine holding the join token: a 403 that says how to re-register, and node-a keeps working', async () => {
      const tokenSecretBefore = await secret('node-token-node-a');
      await assert.rejects(join('node-a', 'machine-b'), (err: Error & { code?: number }) => {
        assert.equal(err.code, 403);
        assert.match(err.message, /node "node-a" is registered with another node password/);
        assert.match(err.message, /kubelab delete node node-a; kubelab delete secret -n kube-system node-a\.node-password\.kubelab/);
        return true;
      });
      await assert.rejects(fs.stat(path.join(dir, 'machine-b', CREDENTIALS_FILE)), { code: 'ENOENT' });
      assert.equal((await secret('node-token-node-a'))?.metadata.resourceVersion, tokenSecretBefore?.metadata.resourceVersion, 'node-a\'s token was not replaced');
      assert.equal((await asNode(nodeA, 'GET', '/api/v1/nodes')).status, 200);
    });

    it('refuses a wrong password sent by hand with the same 403', async () => {
      const answer = await api.request('POST', '/kubelab/v1/node-credentials', { token: api.joining!.joinToken, body: { nodeName: 'node-a', nodePassword: 'x'.repeat(32) } });
      assert.equal(answer.status, 403);
      assert.equal(answer.json.reason, 'Forbidden');
      assert.match(answer.json.message, /delete the old registration first/);
    });

    it('does not re-join on a restart with the same data dir, and re-joins with its password when it must (new address)', async () => {
      const tokenSecretBefore = await secret('node-token-node-a');
      const restarted = await join('node-a', 'machine-a');
      assert.equal(restarted.nodeToken, nodeA.nodeToken);
      assert.equal((await secret('node-token-node-a'))?.metadata.resourceVersion, tokenSecretBefore?.metadata.resourceVersion, 'no second issue');

      const moved = await join('node-a', 'machine-a', ['10.0.0.99']);
      assert.notEqual(moved.nodeToken, nodeA.nodeToken);
      assert.equal(new crypto.X509Certificate(moved.kubeletCertPem).checkIP('10.0.0.99'), '10.0.0.99');
      assert.equal((await asNode(nodeA, 'GET', '/api/v1/nodes')).status, 401, 'the old token is replaced');
      assert.equal((await asNode(moved, 'GET', '/api/v1/nodes')).status, 200);
      nodeA = moved;

      await fs.rm(path.join(dir, 'machine-a', CREDENTIALS_FILE)); // credentials lost, password kept
      nodeA = await join('node-a', 'machine-a', ['10.0.0.99']);
      assert.equal((await asNode(nodeA, 'GET', '/api/v1/nodes')).status, 200);
    });

    it('cannot read node password or token Secrets with its node token', async () => {
      for (const name of ['node-a.node-password.kubelab', 'node-token-node-a']) {
        assert.equal((await asNode(nodeA, 'GET', `/api/v1/namespaces/kube-system/secrets/${name}`)).status, 403, name);
      }
    });

    it('lets a new machine take the name once the admin deleted the Node and its password secret', async () => {
      await api.request('POST', '/api/v1/nodes', { body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } } });
      assert.equal((await api.request('DELETE', '/api/v1/nodes/node-a')).status, 200);
      assert.equal((await api.request('DELETE', '/api/v1/namespaces/kube-system/secrets/node-a.node-password.kubelab')).status, 200);
      const replacement = await join('node-a', 'machine-c');
      assert.equal((await asNode(replacement, 'GET', '/api/v1/nodes')).status, 200);
      await assert.rejects(join('node-a', 'machine-a'), { code: 403 }, 'now the old machine is the stranger');
    });
  });

  it('refuses the name of a Node that exists without a password (the server\'s own node)', async () => {
    await assert.rejects(join('server-node', 'machine-d'), (err: Error & { code?: number }) => {
      assert.equal(err.code, 403);
      assert.match(err.message, /node "server-node" already exists and has no node password/);
      return true;
    });
    assert.equal(await secret('server-node.node-password.kubelab'), undefined);
  });

  it('lets exactly one of two machines racing for a new name register it', async () => {
    const results = await Promise.allSettled([join('node-race', 'race-1'), join('node-race', 'race-2')]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    assert.equal(((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as { code?: number }).code, 403);
  });

  it('answers a join without a password, or with a broken CSR, with a 400 naming the field', async () => {
    const post = (body: unknown) => api.request('POST', '/kubelab/v1/node-credentials', { token: api.joining!.joinToken, body });
    const noPassword = await post({ nodeName: 'node-x' });
    assert.equal(noPassword.status, 400);
    assert.match(noPassword.json.message, /^nodePassword is required/);
    const badCsr = await post({ nodeName: 'node-x', nodePassword: 'p'.repeat(32), kubeletCsr: 'not a csr' });
    assert.equal(badCsr.status, 400);
    assert.match(badCsr.json.message, /^kubeletCsr: not a PEM certificate signing request/);
    const badIp = await post({ nodeName: 'node-x', nodePassword: 'p'.repeat(32), nodeIPs: ['10.0.0.300'] });
    assert.equal(badIp.status, 400);
    assert.match(badIp.json.message, /^nodeIPs must be a list/);
    assert.equal(await secret('node-x.node-password.kubelab'), undefined, 'nothing registered by a refused request');
  });

  describe('the gossip keyring', () => {
    let node: JoinedNode;
    before(async () => {
      node = await join('node-g', 'machine-g');
    });

    it('is given to joined nodes only: not to the join token, nor to anonymous callers', async () => {
      const answer = await asNode(node, 'GET', '/kubelab/v1/gossip-keyring');
      assert.equal(answer.status, 200);
      assert.equal(answer.json.keys.length, 1);
      assert.match(answer.json.keys[0].key, /^[0-9a-f]{64}$/);
      assert.ok(!api.joining!.joinToken.includes(answer.json.keys[0].key));
      assert.equal((await api.request('GET', '/kubelab/v1/gossip-keyring', { token: api.joining!.joinToken })).status, 401);
      assert.equal((await api.request('GET', '/kubelab/v1/gossip-keyring', { token: null })).status, 401);
      const file = path.join(api.dir, 'gossip-keyring.json');
      assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    });

    it('is rotated by the admin only: a new key first, the old one kept, and no second rotation before the new key is in use', async () => {
      const before = (await asNode(node, 'GET', '/kubelab/v1/gossip-keyring')).json.keys[0].key;
      const byNode = await asNode(node, 'POST', '/kubelab/v1/gossip-keyring/rotate');
      assert.equal(byNode.status, 403);
      const rotated = await api.request('POST', '/kubelab/v1/gossip-keyring/rotate');
      assert.equal(rotated.status, 201, rotated.text);
      assert.equal(rotated.json.keys.length, 2);
      assert.notEqual(rotated.json.keys[0].key, before);
      assert.equal(rotated.json.keys[1].key, before);
      assert.deepEqual((await asNode(node, 'GET', '/kubelab/v1/gossip-keyring')).json.keys, rotated.json.keys, 'the nodes see the new ring');
      assert.equal(api.joining!.gossipKeys.keyring.signingKey(Date.now()), before, 'the old key signs until the new one is active');
      const again = await api.request('POST', '/kubelab/v1/gossip-keyring/rotate');
      assert.equal(again.status, 409);
      assert.match(again.json.message, /the previous rotation's key is not in use yet/);
      const saved = JSON.parse(await fs.readFile(path.join(api.dir, 'gossip-keyring.json'), 'utf8'));
      assert.deepEqual(saved.keys, rotated.json.keys, 'a restarted server keeps the ring');
    });
  });
});
