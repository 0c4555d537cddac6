// Privilege-escalation prevention through the real API server (kube-apiserver's policy-based
// RBAC storage): a namespace admin may hand out what it holds (bind `view`, write a Role of pod
// rules) and is refused, with kube-apiserver's exact 403, what it does not hold (bind
// `cluster-admin`, a Role on nodes, a ClusterRole at all) until it is given `escalate` / `bind`.
// The admin token (system:masters) writes anything.

import assert from 'node:assert/strict';
import { ApiTestServer, eventually } from '../helpers/api-test-server.js';
import { startRbacRegistry, type RbacRegistry } from '../helpers/rbac-registry.js';
import type { ResourceRegistry } from '../../daemon/api/resource-registry.js';

const NS_ADMIN = 'nsadmin-token';
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const ROLEBINDINGS = `${RBAC}/namespaces/default/rolebindings`;
const ROLES = `${RBAC}/namespaces/default/roles`;
const USER = 'user "nsadmin" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:';

const binding = (name: string, kind: 'Role' | 'ClusterRole', role: string, user = 'bob') => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name, namespace: 'default' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role },
  subjects: [{ kind: 'User', name: user }],
});
const role = (name: string, rules: object[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: 'default' }, rules });
const nodeRules = [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }];

describe('RBAC privilege escalation through the API server', function () {
  this.timeout(20_000);
  let rbac: RbacRegistry;
  let api: ApiTestServer<ResourceRegistry>;

  /** Waits until the authorizer's cache lets nsadmin `verb` `resource` (a new binding has arrived). */
  const nsAdminMay = (verb: string, resource: string, name?: string) =>
    eventually(async () => {
      const review = await api.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        token: NS_ADMIN,
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'default', verb, group: 'rbac.authorization.k8s.io', resource, ...(name ? { name } : {}) } } },
      });
      return review.json?.status?.allowed === true;
    }, 10_000, `nsadmin may ${verb} ${resource}`);

  before(async () => {
    rbac = await startRbacRegistry();
    api = await ApiTestServer.start({ registry: rbac.registry, authorizer: rbac.authorizer, tokens: [{ token: NS_ADMIN, user: 'nsadmin', groups: ['dev'] }] });
    const created = await api.request('POST', ROLEBINDINGS, { body: binding('nsadmin-admin', 'ClusterRole', 'admin', 'nsadmin') });
    assert.equal(created.status, 201, created.text);
    await nsAdminMay('create', 'rolebindings');
  });
  after(async () => {
    await api?.close();
    await rbac?.close();
  });

  it('a namespace admin may not bind cluster-admin: the exact 403', async () => {
    const refused = await api.request('POST', ROLEBINDINGS, { token: NS_ADMIN, body: binding('bob-cluster-admin', 'ClusterRole', 'cluster-admin') });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(
      refused.json.message,
      `rolebindings.rbac.authorization.k8s.io "bob-cluster-admin" is forbidden: ${USER}\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}`,
    );
    assert.equal(refused.json.reason, 'Forbidden');
    assert.deepEqual(refused.json.details, { name: 'bob-cluster-admin', group: 'rbac.authorization.k8s.io', kind: 'rolebindings' });
  });

  it('may bind view, which admin covers', async () => {
    const created = await api.request('POST', ROLEBINDINGS, { token: NS_ADMIN, body: binding('bob-view', 'ClusterRole', 'view') });
    assert.equal(created.status, 201, created.text);
  });

  it('a binding to a role that does not exist is a 404, as kube-apiserver resolves the role first', async () => {
    const missing = await api.request('POST', ROLEBINDINGS, { token: NS_ADMIN, body: binding('bob-nope', 'ClusterRole', 'nope') });
    assert.equal(missing.status, 404, missing.text);
    assert.equal(missing.json.message, 'clusterroles.rbac.authorization.k8s.io "nope" not found');
  });

  it('may write a Role of what it holds, and may not grant nodes, on create or update', async () => {
    const podReader = await api.request('POST', ROLES, { token: NS_ADMIN, body: role('pod-reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]) });
    assert.equal(podReader.status, 201, podReader.text);
    const refused = await api.request('POST', ROLES, { token: NS_ADMIN, body: role('node-reader', nodeRules) });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.json.message, `roles.rbac.authorization.k8s.io "node-reader" is forbidden: ${USER}\n{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}`);
    const patched = await api.request('PATCH', `${ROLES}/pod-reader`, {
      token: NS_ADMIN,
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { rules: [{ apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get'] }] },
    });
    assert.equal(patched.status, 403, patched.text);
    assert.equal(patched.json.message, `roles.rbac.authorization.k8s.io "pod-reader" is forbidden: ${USER}\n{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}`);
  });

  it('may not create a ClusterRole: its rules count cluster-wide, where it holds almost nothing', async () => {
    const clusterRole = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'pod-lister' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }] };
    // Grant clusterroles create in a ClusterRoleBinding so that only the escalation check stands in the way.
    const writer = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'clusterrole-writer' }, rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['create'] }] };
    assert.equal((await api.request('POST', `${RBAC}/clusterroles`, { body: writer })).status, 201);
    const grant = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'nsadmin-clusterrole-writer' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'clusterrole-writer' }, subjects: [{ kind: 'User', name: 'nsadmin' }] };
    assert.equal((await api.request('POST', `${RBAC}/clusterrolebindings`, { body: grant })).status, 201);
    await nsAdminMay('create', 'clusterroles');
    const refused = await api.request('POST', `${RBAC}/clusterroles`, { token: NS_ADMIN, body: clusterRole });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.json.message, `clusterroles.rbac.authorization.k8s.io "pod-lister" is forbidden: ${USER}\n{APIGroups:[""], Resources:["pods"], Verbs:["list"]}`);
    // An aggregationRule gathers whatever is labelled later: only cluster-admin may set one.
    const aggregated = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'gatherer' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { team: 'a' } }] } };
    const gathering = await api.request('POST', `${RBAC}/clusterroles`, { token: NS_ADMIN, body: aggregated });
    assert.equal(gathering.status, 403, gathering.text);
    assert.equal(gathering.json.message, 'clusterroles.rbac.authorization.k8s.io "gatherer" is forbidden: must have cluster-admin privileges to use the aggregationRule');
  });

  it('with escalate on roles and bind on cluster-admin, it may do both', async () => {
    const powers = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'role-delegator' },
      rules: [
        { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['escalate'] },
        { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['cluster-admin'] },
      ],
    };
    assert.equal((await api.request('POST', `${RBAC}/clusterroles`, { body: powers })).status, 201);
    assert.equal((await api.request('POST', ROLEBINDINGS, { body: binding('nsadmin-delegator', 'ClusterRole', 'role-delegator', 'nsadmin') })).status, 201);
    await nsAdminMay('bind', 'clusterroles', 'cluster-admin');
    await nsAdminMay('escalate', 'roles');

    const nodeReader = await api.request('POST', ROLES, { token: NS_ADMIN, body: role('node-reader', nodeRules) });
    assert.equal(nodeReader.status, 201, nodeReader.text);
    const clusterAdmin = await api.request('POST', ROLEBINDINGS, { token: NS_ADMIN, body: binding('bob-cluster-admin', 'ClusterRole', 'cluster-admin') });
    assert.equal(clusterAdmin.status, 201, clusterAdmin.text);
    // bind names cluster-admin only: another role it does not hold stays refused.
    const nodeViewer = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'node-viewer' }, rules: nodeRules };
    assert.equal((await api.request('POST', `${RBAC}/clusterroles`, { body: nodeViewer })).status, 201);
    await eventually(() => rbac.authorizer.rbac.policy.clusterRole('node-viewer') !== undefined, 10_000, 'the node-viewer ClusterRole in the authorizer cache');
    const other = await api.request('POST', ROLEBINDINGS, { token: NS_ADMIN, body: binding('bob-node-viewer', 'ClusterRole', 'node-viewer') });
    assert.equal(other.status, 403, other.text);
    assert.equal(other.json.message, `rolebindings.rbac.authorization.k8s.io "bob-node-viewer" is forbidden: ${USER}\n{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}`);
  });

  it('the admin token (system:masters) writes any role and binding', async () => {
    const everything = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'everything' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] } };
    assert.equal((await api.request('POST', `${RBAC}/clusterroles`, { body: everything })).status, 201);
    const crb = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'bob-everything' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'User', name: 'bob' }] };
    assert.equal((await api.request('POST', `${RBAC}/clusterrolebindings`, { body: crb })).status, 201);
    assert.equal((await api.request('POST', ROLES, { body: role('anything', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]) })).status, 201);
  });
});
