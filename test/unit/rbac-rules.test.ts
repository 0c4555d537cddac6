// RBAC's decision as table tests: one rule against one request (Kubernetes' RuleAllows), the
// walk over bindings (who a subject names, which role a binding points at, where it applies),
// the 403 messages in kube-apiserver's words, validation's 422 causes, and aggregation.

import assert from 'node:assert/strict';
import type { ClusterRole, PolicyRule, RoleBinding } from '../../lib/api/rbac-types.js';
import { ruleAllows, type AccessAttributes } from '../../lib/rbac/rule-matching.js';
import { decideRbac, rulesFor, type RbacPolicy } from '../../lib/rbac/rbac-decision.js';
import { planAggregatedRules } from '../../lib/rbac/aggregate-rules.js';
import { BOOTSTRAP_CLUSTER_ROLES } from '../../lib/rbac/bootstrap-policy.js';
import { planClusterRole, planClusterRoleBinding } from '../../lib/rbac/reconcile-bootstrap-policy.js';
import { validateObject } from '../../lib/api/validation.js';
import { applyDefaults } from '../../lib/api/defaults.js';
import { forbiddenError } from '../../daemon/api/node-authorizer.js';
import { requestAttributesOf } from '../../daemon/api/auth.js';
import type { KubeObject } from '../../lib/api/types.js';

// covers: Role rules.verbs, rules.apiGroups, rules.resources, rules.resourceNames, rules.nonResourceURLs
// covers: ClusterRole rules
// covers: RoleBinding subjects.namespace
// covers: ClusterRoleBinding subjects

const res = (verb: string, group: string, resource: string, extra: Partial<NonNullable<AccessAttributes['resource']>> = {}): AccessAttributes => ({
  verb,
  path: '',
  resource: { group, resource, ...extra },
});
const url = (verb: string, path: string): AccessAttributes => ({ verb, path });
const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({ verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });

describe('RBAC rule matching (RuleAllows)', () => {
  const cases: [string, PolicyRule, AccessAttributes, boolean][] = [
    ['exact verb, group, resource', rule(['get'], [''], ['pods']), res('get', '', 'pods', { name: 'web' }), true],
    ['another verb', rule(['get'], [''], ['pods']), res('delete', '', 'pods', { name: 'web' }), false],
    ['verb *', rule(['*'], [''], ['pods']), res('deletecollection', '', 'pods'), true],
    ['another group', rule(['get'], [''], ['deployments']), res('get', 'apps', 'deployments'), false],
    ['group *', rule(['get'], ['*'], ['deployments']), res('get', 'apps', 'deployments'), true],
    ['resource * covers subresources', rule(['get'], [''], ['*']), res('get', '', 'pods', { subresource: 'log' }), true],
    ['pods does not grant pods/log', rule(['get'], [''], ['pods']), res('get', '', 'pods', { subresource: 'log', name: 'web' }), false],
    ['pods/log grants pods/log', rule(['get'], [''], ['pods/log']), res('get', '', 'pods', { subresource: 'log', name: 'web' }), true],
    ['pods/log does not grant pods', rule(['get'], [''], ['pods/log']), res('get', '', 'pods', { name: 'web' }), false],
    ['*/scale grants deployments/scale', rule(['update'], ['apps'], ['*/scale']), res('update', 'apps', 'deployments', { subresource: 'scale', name: 'd' }), true],
    ['*/scale does not grant deployments', rule(['update'], ['apps'], ['*/scale']), res('update', 'apps', 'deployments', { name: 'd' }), false],
    ['*/scale does not grant deployments/status', rule(['update'], ['apps'], ['*/scale']), res('update', 'apps', 'deployments', { subresource: 'status', name: 'd' }), false],
    ['resourceNames: the named one', rule(['get'], [''], ['configmaps'], ['app-config']), res('get', '', 'configmaps', { name: 'app-config' }), true],
    ['resourceNames: another name', rule(['get'], [''], ['configmaps'], ['app-config']), res('get', '', 'configmaps', { name: 'other' }), false],
    ['resourceNames: a list has no name', rule(['list'], [''], ['configmaps'], ['app-config']), res('list', '', 'configmaps'), false],
    ['a resource rule does not grant a path', rule(['get'], ['*'], ['*']), url('get', '/healthz'), false],
    ['nonResourceURLs exact', { verbs: ['get'], nonResourceURLs: ['/healthz'] }, url('get', '/healthz'), true],
    ['nonResourceURLs exact is not a prefix', { verbs: ['get'], nonResourceURLs: ['/api'] }, url('get', '/api/v1'), false],
    ['nonResourceURLs trailing *', { verbs: ['get'], nonResourceURLs: ['/apis/*'] }, url('get', '/apis/apps/v1'), true],
    ['nonResourceURLs *', { verbs: ['*'], nonResourceURLs: ['*'] }, url('post', '/anything'), true],
    ['nonResourceURLs verb', { verbs: ['get'], nonResourceURLs: ['/healthz'] }, url('post', '/healthz'), false],
    ['a path rule does not grant a resource', { verbs: ['*'], nonResourceURLs: ['*'] }, res('get', '', 'pods'), false],
  ];
  for (const [name, policyRule, attributes, allowed] of cases) {
    it(`${name}: ${allowed ? 'allowed' : 'not allowed'}`, () => assert.equal(ruleAllows(policyRule, attributes), allowed));
  }
});

/** A policy from plain lists. */
function policyOf(objects: { clusterRoles?: ClusterRole[]; roles?: ClusterRole[]; roleBindings?: RoleBinding[]; clusterRoleBindings?: RoleBinding[] }): RbacPolicy {
  return {
    clusterRoleBindings: () => objects.clusterRoleBindings ?? [],
    roleBindings: (ns) => (objects.roleBindings ?? []).filter((b) => b.metadata.namespace === ns),
    clusterRole: (name) => (objects.clusterRoles ?? []).find((r) => r.metadata.name === name),
    role: (ns, name) => (objects.roles ?? []).find((r) => r.metadata.name === name && r.metadata.namespace === ns),
  };
}
const binding = (name: string, namespace: string | undefined, kind: string, role: string, subjects: RoleBinding['subjects']): RoleBinding => ({
  metadata: { name, ...(namespace ? { namespace } : {}) },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role },
  subjects,
});

describe('RBAC decision over bindings', () => {
  const policy = policyOf({
    clusterRoles: [
      { metadata: { name: 'pod-reader' }, rules: [rule(['get', 'list'], [''], ['pods'])] },
      { metadata: { name: 'node-reader' }, rules: [rule(['get'], [''], ['nodes'])] },
    ],
    roles: [{ metadata: { name: 'cm-editor', namespace: 'dev' }, rules: [rule(['update'], [''], ['configmaps'])] }],
    clusterRoleBindings: [binding('ops-nodes', undefined, 'ClusterRole', 'node-reader', [{ kind: 'Group', name: 'ops' }])],
    roleBindings: [
      binding('read-pods', 'dev', 'ClusterRole', 'pod-reader', [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'builder' }]),
      binding('edit-cm', 'dev', 'Role', 'cm-editor', [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' }]),
      binding('missing-role', 'dev', 'Role', 'nope', [{ kind: 'User', name: 'bob' }]),
    ],
  });
  const user = (name: string, groups: string[] = []) => ({ name, groups });
  const cases: [string, { name: string; groups: string[] }, AccessAttributes, boolean][] = [
    ['a RoleBinding to a ClusterRole grants in its namespace', user('alice'), res('list', '', 'pods', { namespace: 'dev' }), true],
    ['... and nowhere else', user('alice'), res('list', '', 'pods', { namespace: 'prod' }), false],
    ['... nor at the cluster scope', user('alice'), res('list', '', 'pods'), false],
    ['a group in a ClusterRoleBinding, cluster scope', user('carol', ['ops']), res('get', '', 'nodes', { name: 'n1' }), true],
    ['a ServiceAccount subject without namespace is the binding namespace', user('system:serviceaccount:dev:builder'), res('get', '', 'pods', { namespace: 'dev', name: 'p' }), true],
    ['... not the same name in another namespace', user('system:serviceaccount:prod:builder'), res('get', '', 'pods', { namespace: 'dev', name: 'p' }), false],
    ['a ServiceAccount of another namespace named in the subject', user('system:serviceaccount:ci:deployer'), res('update', '', 'configmaps', { namespace: 'dev', name: 'c' }), true],
    ['a binding to a missing role grants nothing', user('bob'), res('get', '', 'pods', { namespace: 'dev' }), false],
    ['a user named like a group is not in it', user('ops'), res('get', '', 'nodes', { name: 'n1' }), false],
  ];
  for (const [name, who, attributes, allowed] of cases) {
    it(name, () => assert.equal(decideRbac(policy, who, attributes).allowed, allowed));
  }

  it('says which binding allowed, as Kubernetes does', () => {
    assert.deepEqual(decideRbac(policy, user('carol', ['ops']), res('get', '', 'nodes', { name: 'n1' })), {
      allowed: true,
      reason: 'RBAC: allowed by ClusterRoleBinding "ops-nodes" of ClusterRole "node-reader" to Group "ops"',
    });
    assert.deepEqual(decideRbac(policy, user('system:serviceaccount:dev:builder'), res('list', '', 'pods', { namespace: 'dev' })), {
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "read-pods/dev" of ClusterRole "pod-reader" to ServiceAccount "builder/dev"',
    });
  });

  it('rulesFor collects cluster-wide and namespace rules', () => {
    assert.deepEqual(rulesFor(policy, user('alice', ['ops']), 'dev'), [rule(['get'], [''], ['nodes']), rule(['get', 'list'], [''], ['pods'])]);
    assert.deepEqual(rulesFor(policy, user('alice'), undefined), []);
  });
});

describe('403 messages in kube-apiserver words', () => {
  const alice = { name: 'alice', groups: [] };
  const cases: [string, string, string][] = [
    ['DELETE', '/api/v1/namespaces/default/pods/web', 'pods "web" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the namespace "default"'],
    ['GET', '/api/v1/pods', 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" at the cluster scope'],
    ['GET', '/api/v1/namespaces/default/pods?watch=true', 'pods is forbidden: User "alice" cannot watch resource "pods" in API group "" in the namespace "default"'],
    ['POST', '/api/v1/namespaces/default/pods/web/exec', 'pods "web" is forbidden: User "alice" cannot create resource "pods/exec" in API group "" in the namespace "default"'],
    ['GET', '/apis', 'forbidden: User "alice" cannot get path "/apis"'],
    ['GET', '/api/v1/namespaces/dev', 'namespaces "dev" is forbidden: User "alice" cannot get resource "namespaces" in API group "" in the namespace "dev"'],
    ['PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', 'deployments.apps "web" is forbidden: User "alice" cannot patch resource "deployments/scale" in API group "apps" in the namespace "default"'],
    ['GET', '/apis/metrics.k8s.io/v1beta1/nodes', 'nodes.metrics.k8s.io is forbidden: User "alice" cannot list resource "nodes" in API group "metrics.k8s.io" at the cluster scope'],
    ['POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', 'clusterrolebindings.rbac.authorization.k8s.io is forbidden: User "alice" cannot create resource "clusterrolebindings" in API group "rbac.authorization.k8s.io" at the cluster scope'],
  ];
  for (const [method, path, message] of cases) {
    it(`${method} ${path}`, () => {
      const [pathname, query] = path.split('?');
      const attributes = requestAttributesOf(method, pathname, query ? Object.fromEntries(new URLSearchParams(query)) : {});
      assert.equal(forbiddenError(alice, attributes).message, message);
    });
  }
});

describe('RBAC validation (422 causes, as kube-apiserver)', () => {
  const causes = (resource: string, obj: Record<string, unknown>, old?: Record<string, unknown>) => {
    const object = structuredClone(obj) as KubeObject;
    applyDefaults(resource, object);
    return validateObject(resource, object, old as KubeObject | undefined).map((e) => `${e.field}: ${e.message}`);
  };
  const RB = 'rolebindings.rbac.authorization.k8s.io';
  const CRB = 'clusterrolebindings.rbac.authorization.k8s.io';
  const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' };

  it('a valid binding defaults the apiGroup of its subjects', () => {
    const obj = { metadata: { name: 'b', namespace: 'dev' }, roleRef, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'sa' }] } as unknown as KubeObject;
    applyDefaults(RB, obj);
    assert.deepEqual((obj as unknown as RoleBinding).subjects, [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }, { kind: 'ServiceAccount', name: 'sa' }]);
    assert.deepEqual(validateObject(RB, obj), []);
  });

  it('refuses wrong roleRefs and subjects with field paths', () => {
    assert.deepEqual(causes(CRB, { metadata: { name: 'b' }, roleRef: { apiGroup: 'x', kind: 'Role', name: '' }, subjects: [{ kind: 'Robot', name: 'r2' }, { kind: 'ServiceAccount', name: 'sa' }, { kind: 'User', name: 'u', apiGroup: '' }] }), [
      'roleRef.apiGroup: Unsupported value: "x": supported values: "rbac.authorization.k8s.io"',
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      'roleRef.name: Required value',
      'subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
      'subjects[1].namespace: Required value',
      'subjects[2].apiGroup: Unsupported value: "": supported values: "rbac.authorization.k8s.io"',
    ]);
  });

  it('roleRef is immutable', () => {
    const old = { metadata: { name: 'b', namespace: 'dev' }, roleRef, subjects: [] };
    assert.deepEqual(causes(RB, { ...old, roleRef: { ...roleRef, name: 'other' } }, old), [
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"other"}: cannot change roleRef',
    ]);
  });

  it('rules need verbs and either resources or URLs; names are path segments', () => {
    assert.deepEqual(causes('roles.rbac.authorization.k8s.io', { metadata: { name: 'a/b', namespace: 'dev' }, rules: [{ verbs: [], apiGroups: [''], resources: ['pods'] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }, { verbs: ['get'] }] }), [
      'metadata.name: Invalid value: "a/b": may not contain \'/\'',
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[1].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs',
      'rules[2].apiGroups: Required value: resource rules must supply at least one api group',
      'rules[2].resources: Required value: resource rules must supply at least one resource',
    ]);
    assert.deepEqual(causes('clusterroles.rbac.authorization.k8s.io', { metadata: { name: 'system:basic-user' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'], resources: ['pods'] }] }), [
      'rules[0].nonResourceURLs: Invalid value: ["/healthz"]: rules cannot apply to both regular resources and non-resource URLs',
    ]);
  });
});

describe('ClusterRole aggregation and the bootstrap policy', () => {
  const byName = (name: string) => BOOTSTRAP_CLUSTER_ROLES.find((r) => r.metadata.name === name)!;

  it('view, edit and admin aggregate down the chain', () => {
    const roles: ClusterRole[] = structuredClone([...BOOTSTRAP_CLUSTER_ROLES]);
    for (let pass = 0; pass < 3; pass++) {
      for (const role of roles) {
        const rules = planAggregatedRules(role, roles);
        if (rules) role.rules = rules;
      }
    }
    const rulesOf = (name: string) => roles.find((r) => r.metadata.name === name)!.rules!;
    const allows = (name: string, a: AccessAttributes) => rulesOf(name).some((r) => ruleAllows(r, a));
    const listPods = res('list', '', 'pods', { namespace: 'dev' });
    const deletePod = res('delete', '', 'pods', { namespace: 'dev', name: 'p' });
    const createRoleBinding = res('create', 'rbac.authorization.k8s.io', 'rolebindings', { namespace: 'dev' });
    assert.deepEqual([allows('view', listPods), allows('view', deletePod), allows('view', createRoleBinding)], [true, false, false]);
    assert.deepEqual([allows('edit', listPods), allows('edit', deletePod), allows('edit', createRoleBinding)], [true, true, false]);
    assert.deepEqual([allows('admin', listPods), allows('admin', deletePod), allows('admin', createRoleBinding)], [true, true, true]);
    assert.equal(allows('view', res('get', '', 'secrets', { namespace: 'dev', name: 's' })), false, 'view never reads secrets');
  });

  it('reconciling keeps user additions, puts back defaults, and leaves autoupdate=false alone', () => {
    const view = byName('system:aggregate-to-view');
    assert.deepEqual(planClusterRole(view, undefined), { action: 'create', object: view });
    assert.deepEqual(planClusterRole(view, structuredClone(view)), { action: 'none' });
    const edited = structuredClone(view);
    edited.rules = [rule(['get'], ['example.com'], ['widgets'])];
    const plan = planClusterRole(view, edited);
    assert.equal(plan.action, 'update');
    assert.deepEqual((plan as { object: ClusterRole }).object.rules, [rule(['get'], ['example.com'], ['widgets']), ...view.rules!]);
    edited.metadata.annotations = { 'rbac.authorization.kubernetes.io/autoupdate': 'false' };
    assert.deepEqual(planClusterRole(view, edited), { action: 'none' });
  });

  it('a default binding whose roleRef was changed is re-created', () => {
    const expected = binding('cluster-admin', undefined, 'ClusterRole', 'cluster-admin', [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:masters' }]);
    const changed = binding('cluster-admin', undefined, 'ClusterRole', 'view', [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:masters' }]);
    assert.equal(planClusterRoleBinding(expected, changed).action, 'recreate');
  });
});
