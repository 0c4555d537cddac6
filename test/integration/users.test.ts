// Users with client certificates against a real kubelabd: `kubelab create user` signs a
// certificate with the cluster CA in the server's data dir, and the real kubectl 1.32 (and
// kubelab's own CLI) authenticate with the kubeconfig it writes: `auth whoami` shows the user
// and groups, RBAC judges the user (a RoleBinding to `view` lets alice list pods, not delete
// them, with kube-apiserver's 403), requests and streaming upgrades (exec over WebSocket and
// SPDY) are the user's, and a certificate of another CA is refused as kubectl shows a 401.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createCaCertificate } from '../../daemon/pki/certificates.js';
import { buildUserKubeconfig, issueUserCertificate } from '../../daemon/pki/user-kubeconfig.js';
import { eventually, runCli, TestDaemon } from '../../harness/test-daemon.js';
import { Kubectl, requireKubectl, tableRows, waitForReadyPods } from '../helpers/kubectl.js';
import { deploymentYaml } from '../helpers/kubectl-manifests.js';

describe('users: client certificates, kubelab create user, auth whoami', function () {
  this.timeout(180_000);
  let daemon: TestDaemon | undefined;
  let admin: Kubectl;
  let dir: string;
  /** kubectl as each user, by name. */
  const as: Record<string, Kubectl> = {};

  /** `kubelab create user NAME ...` on the server host; returns the kubeconfig path. */
  const createUser = async (name: string, ...flags: string[]) => {
    const file = path.join(dir, `${name}.kubeconfig`);
    const result = await daemon!.kubelab(['create', 'user', name, ...flags, '--data-dir', daemon!.dataDir, '-o', file]);
    assert.equal(result.code, 0, result.stderr);
    as[name] = admin.withKubeconfig(file);
    return { file, stdout: result.stdout };
  };

  before(async function () {
    const binary = requireKubectl(this);
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kubelab-users-'));
    daemon = await TestDaemon.start();
    admin = await Kubectl.forDaemon(binary, daemon);
  });
  after(async () => {
    await admin?.killAll();
    await daemon?.cleanup();
    if (dir) await fsp.rm(dir, { recursive: true, force: true });
  });

  it('kubelab create user writes a 0600 kubeconfig with context NAME@CLUSTER', async () => {
    const { file, stdout } = await createUser('alice', '--group', 'dev', '--group', 'qa');
    assert.equal(stdout, `user "alice" in groups dev, qa created: kubeconfig written to ${file} (context alice@kubelab)\n`);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const doc = parseYaml(fs.readFileSync(file, 'utf8'));
    assert.equal(doc['current-context'], 'alice@kubelab');
    assert.equal(doc.clusters[0].cluster.server, daemon!.url);
  });

  it('kubectl auth whoami shows the certificate\'s CN and O values', async () => {
    assert.equal(await as.alice!.ok(['auth', 'whoami']), 'ATTRIBUTE   VALUE\nUsername    alice\nGroups      [dev qa system:authenticated]\n');
    const json = JSON.parse(await as.alice!.ok(['auth', 'whoami', '-o', 'json']));
    assert.deepEqual(json.status.userInfo, { username: 'alice', groups: ['dev', 'qa', 'system:authenticated'] });
  });

  it('kubelab auth whoami prints the same, and -o json|yaml', async () => {
    const file = path.join(dir, 'alice.kubeconfig');
    const table = await runCli(['--kubeconfig', file, 'auth', 'whoami']);
    assert.equal(table.stdout, 'ATTRIBUTE   VALUE\nUsername    alice\nGroups      [dev qa system:authenticated]\n', table.stderr);
    const json = JSON.parse((await runCli(['--kubeconfig', file, 'auth', 'whoami', '-o', 'json'])).stdout);
    assert.equal(json.status.userInfo.username, 'alice');
    const yaml = parseYaml((await runCli(['--kubeconfig', file, 'auth', 'whoami', '-o', 'yaml'])).stdout);
    assert.deepEqual(yaml.status.userInfo.groups, ['dev', 'qa', 'system:authenticated']);
    const admin = await daemon!.kubelab(['auth', 'whoami']);
    assert.equal(admin.stdout, 'ATTRIBUTE   VALUE\nUsername    admin\nGroups      [system:masters system:authenticated]\n');
  });

  describe('with RBAC: alice bound to the view ClusterRole in default', () => {
    it('before the binding, alice may ask who she is but not list pods', async () => {
      assert.match(await as.alice!.ok(['auth', 'whoami']), /Username\s+alice/);
      const refused = await as.alice!.run(['get', 'pods']);
      assert.equal(refused.code, 1);
      assert.equal(refused.stderr, 'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"\n');
    });

    it('after a RoleBinding to view, kubectl get pods works and delete is refused with the exact 403', async () => {
      await admin.ok(['create', 'rolebinding', 'alice-view', '--clusterrole=view', '--user=alice', '-n', 'default']);
      await eventually(async () => (await as.alice!.run(['get', 'pods'])).code === 0, 20_000);
      const refused = await as.alice!.run(['delete', 'pod', 'x']);
      assert.equal(refused.code, 1);
      assert.equal(refused.stderr, 'Error from server (Forbidden): pods "x" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the namespace "default"\n');
      const canDelete = await as.alice!.run(['auth', 'can-i', 'delete', 'pods']);
      assert.deepEqual([canDelete.code, canDelete.stdout], [1, 'no\n']);
    });

    it('kubectl auth can-i --list shows the view rules', async () => {
      const list = await as.alice!.ok(['auth', 'can-i', '--list']);
      const rows = tableRows(list);
      assert.deepEqual(rows[0], ['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs']);
      for (const resource of ['pods', 'services', 'configmaps', 'deployments.apps', 'selfsubjectreviews.authentication.k8s.io']) {
        assert.ok(rows.some((row) => row[0] === resource), `${resource} missing from:\n${list}`);
      }
      assert.deepEqual(rows.find((row) => row[0] === 'pods'), ['pods', '[]', '[]', '[get list watch]']);
      assert.ok(!rows.some((row) => row[0] === 'secrets'), `view must not read secrets:\n${list}`);
    });

    it('kubectl auth whoami still shows alice and her groups', async () => {
      assert.equal(await as.alice!.ok(['auth', 'whoami']), 'ATTRIBUTE   VALUE\nUsername    alice\nGroups      [dev qa system:authenticated]\n');
    });
  });

  it('a certificate of another CA is refused as kubectl shows a 401', async () => {
    const admin = parseYaml(fs.readFileSync(daemon!.kubeconfigPath, 'utf8'));
    const credentials = issueUserCertificate(createCaCertificate('kubelab-ca', 1), { name: 'mallory', groups: ['system:masters'], days: 1 });
    const file = path.join(dir, 'mallory.kubeconfig');
    fs.writeFileSync(file, buildUserKubeconfig({ name: 'kubelab', entry: admin.clusters[0].cluster }, 'mallory', credentials), { mode: 0o600 });
    const result = await as.alice!.withKubeconfig(file).run(['get', 'pods']);
    assert.equal(result.code, 1);
    // Before it, kubectl logs its failed discovery (memcache.go lines), as against kube-apiserver.
    assert.equal(result.stderr.trimEnd().split('\n').at(-1), 'error: You must be logged in to the server (the server has asked for the client to provide credentials)');
    const kubelab = await runCli(['--kubeconfig', file, 'get', 'pods']);
    assert.equal(kubelab.code, 1);
    assert.equal(kubelab.stderr, 'error: You must be logged in to the server (the server has asked for the client to provide credentials)\n');
  });

  it('streaming upgrades authenticate the certificate too: exec over WebSocket and SPDY, and kubelab exec', async () => {
    await createUser('root', '--group', 'system:masters');
    await admin.ok(['apply', '-f', '-'], { input: deploymentYaml('users-web', { replicas: 1, withSide: false }) });
    const [pod] = await waitForReadyPods(admin, 'app=users-web', 1);
    assert.equal(await as.root!.ok(['exec', pod!, '--', 'echo', 'hi-ws']), 'hi-ws\n');
    assert.equal(await as.root!.ok(['exec', pod!, '--', 'echo', 'hi-spdy'], { env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' } }), 'hi-spdy\n');
    const kubelab = await runCli(['--kubeconfig', path.join(dir, 'root.kubeconfig'), 'exec', pod!, '--', 'echo', 'hi-kubelab']);
    assert.equal(kubelab.stdout, 'hi-kubelab\n', kubelab.stderr);
  });
});
