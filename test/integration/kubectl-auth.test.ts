// The real kubectl 1.32 against kubelab's RBAC: `kubectl auth can-i` (a SelfSubjectAccessReview
// sent as protobuf) answers yes/no with exit 0/1, `kubectl auth can-i --list` prints the rules of
// a SelfSubjectRulesReview, a user bound to `view` lists pods and gets kube-apiserver's 403 on a
// delete, and the four RBAC generators (`kubectl create role|clusterrole|rolebinding|
// clusterrolebinding`) store what they send. The user is a static bearer token (not an admin:
// no system:masters), over the API server of the unit tests; no Docker is needed.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { buildKubeconfig } from '../../daemon/pki/pki.js';
import type { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { ApiTestServer } from '../helpers/api-test-server.js';
import { Kubectl, requireKubectl } from '../helpers/kubectl.js';
import { startRbacRegistry, type RbacRegistry } from '../helpers/rbac-registry.js';

describe('kubectl auth can-i and RBAC against kubelab', function () {
  this.timeout(120_000);
  let rbac: RbacRegistry;
  let api: ApiTestServer<ResourceRegistry>;
  let admin: Kubectl;
  let alice: Kubectl;

  before(async function () {
    const binary = requireKubectl(this);
    rbac = await startRbacRegistry();
    api = await ApiTestServer.start({ registry: rbac.registry, authorizer: rbac.authorizer, tokens: [{ token: 'alice-token', user: 'alice', groups: [] }] });
    admin = await Kubectl.forKubeconfig(binary, api.kubeconfigPath);
    const aliceConfig = path.join(api.dir, 'alice.kubeconfig');
    await fs.writeFile(aliceConfig, buildKubeconfig({ server: `https://127.0.0.1:${api.port}`, caCertPem: api.caCertPem, token: 'alice-token', userName: 'alice' }), { mode: 0o600 });
    alice = admin.withKubeconfig(aliceConfig);
  });
  after(async () => {
    await admin?.killAll();
    await api?.close();
    await rbac?.close();
  });

  it('kubectl create rolebinding --clusterrole=view; can-i says yes to list, no to delete (exit 1)', async () => {
    assert.equal((await alice.run(['auth', 'can-i', 'list', 'pods'])).stdout, 'no\n');
    await admin.ok(['create', 'rolebinding', 'alice-view', '--clusterrole=view', '--user=alice']);
    const yes = await alice.run(['auth', 'can-i', 'list', 'pods']);
    assert.deepEqual([yes.code, yes.stdout], [0, 'yes\n']);
    const no = await alice.run(['auth', 'can-i', 'delete', 'pods']);
    assert.deepEqual([no.code, no.stdout], [1, 'no\n']);
    assert.equal((await alice.run(['auth', 'can-i', 'list', 'pods', '-n', 'kube-system'])).stdout, 'no\n');
    assert.equal((await admin.run(['auth', 'can-i', '*', '*'])).stdout, 'yes\n');
  });

  it('the view user lists pods and gets the exact 403 on delete', async () => {
    await admin.ok(['run', 'web', '--image=kubelab/hello:v1']);
    assert.match(await alice.ok(['get', 'pods']), /^NAME\s+READY\s+STATUS/);
    const refused = await alice.run(['delete', 'pod', 'web', '--wait=false']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr.trim(), 'Error from server (Forbidden): pods "web" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the namespace "default"');
  });

  it('kubectl auth can-i --list prints the rules of view in the namespace', async () => {
    const out = await alice.ok(['auth', 'can-i', '--list']);
    const lines = out.trim().split('\n');
    assert.match(lines[0], /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
    assert.ok(lines.some((l) => /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/.test(l)), out);
    assert.ok(lines.some((l) => /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/.test(l)), out);
    assert.ok(lines.some((l) => /^\s+\[\/api\/\*\]\s+\[\]\s+\[get\]$/.test(l)), out);
    assert.ok(!lines.some((l) => /^secrets\s/.test(l)), 'view does not read secrets');
  });

  it('kubectl create role, clusterrole, rolebinding and clusterrolebinding store what they send (protobuf)', async () => {
    const cases: [string[], string, string | undefined][] = [
      [['create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods,deployments.apps', '--resource-name=web'], 'role', 'default'],
      [['create', 'clusterrole', 'node-reader', '--verb=get', '--resource=nodes', '--non-resource-url=/healthz', '--verb=get'], 'clusterrole', undefined],
      [['create', 'clusterrole', 'aggregated', '--aggregation-rule=team=a'], 'clusterrole', undefined],
      [['create', 'rolebinding', 'read-pods', '--role=pod-reader', '--user=bob', '--group=devs', '--serviceaccount=default:builder'], 'rolebinding', 'default'],
      [['create', 'clusterrolebinding', 'read-nodes', '--clusterrole=node-reader', '--user=bob', '--serviceaccount=kube-system:monitor'], 'clusterrolebinding', undefined],
    ];
    for (const [args, kind, namespace] of cases) {
      const name = args[2];
      const sent = JSON.parse(await admin.ok([...args, '--dry-run=client', '-o', 'json']));
      await admin.ok(args);
      const stored = JSON.parse(await admin.ok(['get', kind, name, ...(namespace ? ['-n', namespace] : []), '-o', 'json']));
      for (const field of ['rules', 'roleRef', 'subjects', 'aggregationRule']) {
        if (sent[field] !== undefined && sent[field] !== null) assert.deepEqual(stored[field], sent[field], `${args.join(' ')}: ${field}`);
      }
    }
    const wide = await admin.ok(['get', 'rolebinding', 'read-pods', '-o', 'wide']);
    assert.match(wide, /^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS\n/);
    assert.match(wide, /read-pods\s+Role\/pod-reader\s+\S+\s+bob\s+devs\s+default\/builder\n/);
    assert.match(await admin.ok(['get', 'clusterrole', 'node-reader']), /^NAME\s+CREATED AT\nnode-reader\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
  });
});
