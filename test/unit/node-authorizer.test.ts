import assert from 'node:assert/strict';
import { requestAttributesOf, type RequestAttributes } from '../../daemon/api/auth.js';
import { decideNodeAccess, factsNeededFor, forbiddenError, nodeNameOf, podReferences, type NodeFacts } from '../../daemon/api/node-authorizer.js';
import type { Pod } from '../../lib/api/types.js';

const pod = (name: string, nodeName: string | undefined, spec: Record<string, unknown> = {}): Pod =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i' }], ...(nodeName ? { nodeName } : {}), ...spec } }) as Pod;

const web = pod('web', 'node2', {
  volumes: [{ name: 'creds', secret: { secretName: 'db-secrets' } }, { name: 'conf', configMap: { name: 'web-config' } }],
  containers: [
    {
      name: 'app',
      image: 'i',
      env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 'api-key', key: 'k' } } }, { name: 'M', valueFrom: { configMapKeyRef: { name: 'modes', key: 'm' } } }],
      envFrom: [{ secretRef: { name: 'bulk-secret' } }, { configMapRef: { name: 'bulk-config' } }],
    },
  ],
  imagePullSecrets: [{ name: 'registry-login' }],
});
const other = pod('other', 'node1', { volumes: [{ name: 'v', secret: { secretName: 'other-secret' } }] });

/** A request as the API server sees it, built from method and path like requireAuthorization does. */
const req = (method: string, path: string, body?: unknown, query: Record<string, unknown> = {}): RequestAttributes => requestAttributesOf(method, path, query, body);

describe('Node authorizer', () => {
  it('knows nodes by user name and group', () => {
    assert.equal(nodeNameOf({ name: 'system:node:node2', groups: ['system:nodes', 'system:authenticated'] }), 'node2');
    assert.equal(nodeNameOf({ name: 'system:node:node2', groups: ['system:authenticated'] }), undefined);
    assert.equal(nodeNameOf({ name: 'admin', groups: ['system:masters', 'system:nodes'] }), undefined);
  });

  it('finds every Secret and ConfigMap a pod refers to', () => {
    assert.deepEqual([...podReferences(web, 'secrets')].sort(), ['api-key', 'bulk-secret', 'db-secrets', 'registry-login']);
    assert.deepEqual([...podReferences(web, 'configmaps')].sort(), ['bulk-config', 'modes', 'web-config']);
  });

  const facts: NodeFacts = { podsOnNode: [web] };
  const table: [string, RequestAttributes, NodeFacts, boolean, RegExp?][] = [
    ['reads nodes', req('GET', '/api/v1/nodes'), {}, true],
    ['watches pods', req('GET', '/api/v1/pods', undefined, { watch: 'true' }), {}, true],
    ['reads services, endpoints, namespaces, events', req('GET', '/api/v1/namespaces/default/endpoints/web'), {}, true],
    ['reads discovery', req('GET', '/apis/apps/v1'), {}, true],
    ['creates its own Node', req('POST', '/api/v1/nodes', { metadata: { name: 'node2' } }), {}, true],
    ['cannot create another Node', req('POST', '/api/v1/nodes', { metadata: { name: 'node1' } }), {}, false, /cannot modify node 'node1'/],
    ['patches its own Node', req('PATCH', '/api/v1/nodes/node2'), {}, true],
    ['updates its own Node status', req('PUT', '/api/v1/nodes/node2/status'), {}, true],
    ['cannot patch another Node', req('PATCH', '/api/v1/nodes/node1/status'), {}, false, /node 'node2' cannot modify node 'node1'/],
    ['cannot delete its Node', req('DELETE', '/api/v1/nodes/node2'), {}, false],
    ['creates its node lease', req('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', { metadata: { name: 'node2' } }), {}, true],
    ['renews its node lease', req('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node2'), {}, true],
    ['cannot renew another node\'s lease', req('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node1'), {}, false, /can only access node lease with the same name as the requesting node/],
    ['cannot take the scheduler\'s lease', req('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler'), {}, false],
    ['updates the status of its pod', req('PUT', '/api/v1/namespaces/default/pods/web/status'), { pod: web }, true],
    ['cannot update the status of another node\'s pod', req('PATCH', '/api/v1/namespaces/default/pods/other/status'), { pod: other }, false, /bound to node 'node1'/],
    ['deletes its pod', req('DELETE', '/api/v1/namespaces/default/pods/web'), { pod: web }, true],
    ['cannot delete another node\'s pod', req('DELETE', '/api/v1/namespaces/default/pods/other'), { pod: other }, false],
    ['cannot delete an unbound pod', req('DELETE', '/api/v1/namespaces/default/pods/new'), { pod: pod('new', undefined) }, false, /not bound to any node/],
    ['cannot update a pod\'s spec', req('PUT', '/api/v1/namespaces/default/pods/web'), { pod: web }, false],
    ['cannot create pods', req('POST', '/api/v1/namespaces/default/pods'), {}, false],
    ['cannot exec', req('POST', '/api/v1/namespaces/default/pods/web/exec'), {}, false],
    ['cannot bind pods', req('POST', '/api/v1/namespaces/default/pods/web/binding'), {}, false],
    ['creates and patches events', req('POST', '/api/v1/namespaces/default/events'), {}, true],
    ['patches events', req('PATCH', '/api/v1/namespaces/default/events/e1'), {}, true],
    ['gets a Secret its pod mounts', req('GET', '/api/v1/namespaces/default/secrets/db-secrets'), facts, true],
    ['gets a Secret its pod pulls images with', req('GET', '/api/v1/namespaces/default/secrets/registry-login'), facts, true],
    ['gets a ConfigMap of its pod\'s envFrom', req('GET', '/api/v1/namespaces/default/configmaps/bulk-config'), facts, true],
    ['cannot get another pod\'s Secret', req('GET', '/api/v1/namespaces/default/secrets/other-secret'), facts, false, /no relationship found between node 'node2' and this object/],
    ['cannot list Secrets', req('GET', '/api/v1/namespaces/default/secrets'), facts, false, /can only get individual resources/],
    ['cannot watch ConfigMaps', req('GET', '/api/v1/configmaps', undefined, { watch: '1' }), facts, false],
    ['cannot write Secrets', req('PUT', '/api/v1/namespaces/default/secrets/db-secrets'), facts, false],
    ['cannot touch Deployments', req('GET', '/apis/apps/v1/namespaces/default/deployments'), {}, false],
    ['cannot read debug views', req('GET', '/debug/proxy'), {}, false],
  ];
  for (const [what, attributes, given, allowed, reason] of table) {
    it(`${allowed ? '' : 'refuses: '}${what}`, () => {
      const decision = decideNodeAccess('node2', attributes, given);
      assert.equal(decision.allowed, allowed);
      if (reason) assert.match((decision as { reason?: string }).reason ?? '', reason);
    });
  }

  it('asks for the facts a decision needs and no more', () => {
    assert.deepEqual(factsNeededFor(req('GET', '/api/v1/namespaces/default/secrets/x')), { pod: false, podsOnNode: true });
    assert.deepEqual(factsNeededFor(req('PATCH', '/api/v1/namespaces/default/pods/x/status')), { pod: true, podsOnNode: false });
    assert.deepEqual(factsNeededFor(req('GET', '/api/v1/namespaces/default/pods/x')), { pod: false, podsOnNode: false });
  });

  it('refuses in kube-apiserver\'s words', () => {
    const user = { name: 'system:node:node2', groups: ['system:nodes'] };
    const secret = forbiddenError(user, req('GET', '/api/v1/namespaces/default/secrets/db-secrets'), "no relationship found between node 'node2' and this object");
    assert.equal(secret.code, 403);
    assert.equal(
      secret.message,
      'secrets "db-secrets" is forbidden: User "system:node:node2" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node \'node2\' and this object',
    );
    assert.deepEqual(secret.toStatus().details, { name: 'db-secrets', group: '', kind: 'secrets' });
    assert.equal(
      forbiddenError(user, req('PATCH', '/api/v1/nodes/node1/status')).message,
      'nodes "node1" is forbidden: User "system:node:node2" cannot patch resource "nodes/status" in API group "" at the cluster scope',
    );
    assert.equal(
      forbiddenError(user, req('GET', '/apis/apps/v1/deployments')).message,
      'deployments.apps is forbidden: User "system:node:node2" cannot list resource "deployments" in API group "apps" at the cluster scope',
    );
    assert.equal(forbiddenError(user, req('GET', '/debug/proxy')).message, 'forbidden: User "system:node:node2" cannot get path "/debug/proxy"');
  });
});
