// RBAC through the real API server: a user bound to the default `view` role in a namespace may
// list pods there and is refused a delete with kube-apiserver's exact 403; the admin (group
// system:masters) keeps every power through the cluster-admin binding; the access reviews answer
// what `kubectl auth can-i` asks.

import assert from 'node:assert/strict';
import { ApiTestServer } from '../helpers/api-test-server.js';
import { startRbacRegistry, type RbacRegistry } from '../helpers/rbac-registry.js';
import type { ResourceRegistry } from '../../daemon/api/resource-registry.js';

// covers: RoleBinding roleRef.apiGroup, roleRef.kind, roleRef.name, subjects.kind, subjects.apiGroup, subjects.name
// covers: ClusterRole aggregationRule.clusterRoleSelectors

const ALICE = 'alice-token';
const RBAC = '/apis/rbac.authorization.k8s.io/v1';

describe('RBAC through the API server', function () {
  this.timeout(20_000);
  let rbac: RbacRegistry;
  let api: ApiTestServer<ResourceRegistry>;

  before(async () => {
    rbac = await startRbacRegistry();
    api = await ApiTestServer.start({ registry: rbac.registry, authorizer: rbac.authorizer, tokens: [{ token: ALICE, user: 'alice', groups: [] }] });
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'alice-view', namespace: 'default' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', name: 'alice' }],
    };
    const created = await api.request('POST', `${RBAC}/namespaces/default/rolebindings`, { body: binding });
    assert.equal(created.status, 201, created.text);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
    assert.equal((await api.request('POST', '/api/v1/namespaces/default/pods', { body: pod })).status, 201);
  });
  after(async () => {
    await api?.close();
    await rbac?.close();
  });

  it('a user bound to view lists pods in its namespace', async () => {
    const list = await api.request('GET', '/api/v1/namespaces/default/pods', { token: ALICE });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.items.map((p: { metadata: { name: string } }) => p.metadata.name), ['web']);
  });

  it('and is refused a delete with the exact 403 of kube-apiserver', async () => {
    const refused = await api.request('DELETE', '/api/v1/namespaces/default/pods/web', { token: ALICE });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.message, 'pods "web" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the namespace "default"');
    assert.equal(refused.json.reason, 'Forbidden');
    assert.deepEqual(refused.json.details, { name: 'web', group: '', kind: 'pods' });
  });

  it('list in another namespace, cluster scope, subresources and paths are refused in kube-apiserver words', async () => {
    const cases: [string, string, string][] = [
      ['GET', '/api/v1/namespaces/kube-system/pods', 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "kube-system"'],
      ['GET', '/api/v1/pods', 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" at the cluster scope'],
      ['POST', '/api/v1/namespaces/default/pods/web/exec', 'pods "web" is forbidden: User "alice" cannot create resource "pods/exec" in API group "" in the namespace "default"'],
      ['PUT', '/apis/apps/v1/namespaces/default/deployments/x/scale', 'deployments.apps "x" is forbidden: User "alice" cannot update resource "deployments/scale" in API group "apps" in the namespace "default"'],
      ['GET', '/api/v1/namespaces/default/secrets', 'secrets is forbidden: User "alice" cannot list resource "secrets" in API group "" in the namespace "default"'],
      ['GET', '/debug/proxy', 'forbidden: User "alice" cannot get path "/debug/proxy"'],
    ];
    for (const [method, path, message] of cases) {
      const answer = await api.request(method, path, { token: ALICE, ...(method === 'POST' || method === 'PUT' ? { body: {} } : {}) });
      assert.equal(answer.status, 403, `${method} ${path}: ${answer.text}`);
      assert.equal(answer.json.message, message);
    }
  });

  it('every authenticated user reads discovery and asks about itself', async () => {
    assert.equal((await api.request('GET', '/apis', { token: ALICE })).status, 200);
    const review = await api.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      token: ALICE,
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'default', verb: 'list', resource: 'pods' } } },
    });
    assert.equal(review.status, 201, review.text);
    assert.equal(review.json.status.allowed, true);
    assert.equal(review.json.status.reason, 'RBAC: allowed by RoleBinding "alice-view/default" of ClusterRole "view" to User "alice"');
    const denied = await api.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      token: ALICE,
      body: { kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'default', verb: 'delete', resource: 'pods' } } },
    });
    assert.equal(denied.json.status.allowed, false);
  });

  it('the admin keeps everything through cluster-admin', async () => {
    const review = await api.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: { kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'delete', resource: 'nodes' } } },
    });
    assert.equal(review.json.status.reason, 'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"');
    assert.equal((await api.request('GET', '/api/v1/pods')).status, 200);
  });

  it('a rules review lists what view grants in the namespace', async () => {
    const review = await api.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {
      token: ALICE,
      body: { kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } },
    });
    assert.equal(review.status, 201, review.text);
    const rules = review.json.status.resourceRules as { verbs: string[]; apiGroups: string[]; resources: string[] }[];
    assert.ok(rules.some((r) => r.resources.includes('pods') && r.verbs.includes('list') && r.apiGroups.includes('')));
    assert.ok(rules.some((r) => r.resources.includes('selfsubjectaccessreviews')));
    assert.ok(!rules.some((r) => r.resources.includes('secrets')), 'view does not read secrets');
    assert.ok((review.json.status.nonResourceRules as { nonResourceURLs: string[] }[]).some((r) => r.nonResourceURLs.includes('/api/*')));
  });
});
