import assert from 'node:assert/strict';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, parseJsonPointer } from '../../lib/api/patch.js';
import { listStrategy } from '../../lib/api/strategic-merge-patch.js';
import { ApiError } from '../../lib/errors.js';

/** Runs a patch function and checks it left its inputs alone. */
function pure<T>(inputs: unknown[], run: () => T): T {
  const before = JSON.stringify(inputs);
  const out = run();
  assert.equal(JSON.stringify(inputs), before, 'the patch modified its input');
  return out;
}

describe('JSON merge patch (RFC 7386)', () => {
  // The examples of RFC 7386 appendix A, plus kubectl label's removal.
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    [{ metadata: { labels: { app: 'web', tier: 'fe' } } }, { metadata: { labels: { tier: null } } }, { metadata: { labels: { app: 'web' } } }],
  ];
  for (const [target, patch, expected] of cases) {
    it(`${JSON.stringify(target)} + ${JSON.stringify(patch)} = ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(pure([target, patch], () => applyMergePatch(target, patch)), expected);
    });
  }
});

describe('JSON patch (RFC 6902)', () => {
  it('parses JSON pointers with ~0 and ~1', () => {
    assert.deepEqual(parseJsonPointer(''), []);
    assert.deepEqual(parseJsonPointer('/a~1b/m~0n/0'), ['a/b', 'm~n', '0']);
    assert.throws(() => parseJsonPointer('a/b'), (e: unknown) => e instanceof ApiError && e.code === 400);
  });

  const doc = { foo: 'bar', list: [1, 2, 3], 'a/b': 1, 'm~n': 2, nested: { x: { y: 1 } } };
  const cases: [string, unknown[], unknown][] = [
    ['add a key', [{ op: 'add', path: '/baz', value: 'qux' }], { ...doc, baz: 'qux' }],
    ['add into an array', [{ op: 'add', path: '/list/1', value: 9 }], { ...doc, list: [1, 9, 2, 3] }],
    ['append with -', [{ op: 'add', path: '/list/-', value: 4 }], { ...doc, list: [1, 2, 3, 4] }],
    ['add at the array end index', [{ op: 'add', path: '/list/3', value: 4 }], { ...doc, list: [1, 2, 3, 4] }],
    ['replace a key with an escaped name', [{ op: 'replace', path: '/a~1b', value: 5 }], { ...doc, 'a/b': 5 }],
    ['remove ~0 key', [{ op: 'remove', path: '/m~0n' }], { foo: 'bar', list: [1, 2, 3], 'a/b': 1, nested: { x: { y: 1 } } }],
    ['remove an array element', [{ op: 'remove', path: '/list/0' }], { ...doc, list: [2, 3] }],
    ['move', [{ op: 'move', from: '/foo', path: '/nested/foo' }], { list: [1, 2, 3], 'a/b': 1, 'm~n': 2, nested: { x: { y: 1 }, foo: 'bar' } }],
    ['move within an array', [{ op: 'move', from: '/list/0', path: '/list/2' }], { ...doc, list: [2, 3, 1] }],
    ['copy', [{ op: 'copy', from: '/nested/x', path: '/copied' }], { ...doc, copied: { y: 1 } }],
    ['test then replace', [{ op: 'test', path: '/foo', value: 'bar' }, { op: 'replace', path: '/foo', value: 'baz' }], { ...doc, foo: 'baz' }],
    ['replace the root', [{ op: 'replace', path: '', value: { a: 1 } }], { a: 1 }],
  ];
  for (const [what, ops, expected] of cases) {
    it(what, () => assert.deepEqual(pure([doc, ops], () => applyJsonPatch(doc, ops)), expected));
  }

  it('applies kubectl rollout undo: replace /spec/template and /metadata/annotations', () => {
    const deploy = {
      metadata: { name: 'nginx', annotations: { 'deployment.kubernetes.io/revision': '3' } },
      spec: { replicas: 2, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } },
    };
    const template = { metadata: { creationTimestamp: null, labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', resources: {} }] } };
    const out = applyJsonPatch(deploy, [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '2' } },
    ]) as typeof deploy;
    assert.deepEqual(out.spec.template, template);
    assert.equal(out.spec.replicas, 2);
    assert.deepEqual(out.metadata.annotations, { 'deployment.kubernetes.io/revision': '2' });
  });

  const failures: [string, unknown, number, RegExp][] = [
    ['not a list', { op: 'add' }, 400, /must be a JSON array/],
    ['an unknown op', [{ op: 'frob', path: '/a' }], 400, /unknown "op" "frob"/],
    ['add without value', [{ op: 'add', path: '/a' }], 400, /missing "value"/],
    ['move without from', [{ op: 'move', path: '/a' }], 400, /missing "from"/],
    ['replace of a missing key', [{ op: 'replace', path: '/nope', value: 1 }], 422, /replace operation does not apply: doc is missing path \/nope/],
    ['remove of a missing key', [{ op: 'remove', path: '/nested/z' }], 422, /doc is missing path \/nested\/z/],
    ['add under a missing parent', [{ op: 'add', path: '/a/b/c', value: 1 }], 422, /doc is missing path/],
    ['an index out of bounds', [{ op: 'replace', path: '/list/3', value: 1 }], 422, /index 3 is out of bounds for an array of length 3/],
    ['add beyond the end', [{ op: 'add', path: '/list/5', value: 1 }], 422, /out of bounds/],
    ['a failed test', [{ op: 'test', path: '/foo', value: 'nope' }], 422, /test operation failed: the value at \/foo is "bar", not "nope"/],
    ['moving a value into itself', [{ op: 'move', from: '/nested', path: '/nested/x/z' }], 422, /is a prefix of/],
  ];
  for (const [what, ops, code, message] of failures) {
    it(`rejects ${what} with ${code}`, () => {
      assert.throws(() => applyJsonPatch(doc, ops), (e: unknown) => e instanceof ApiError && e.code === code && message.test(e.message));
    });
  }

  it('applies all or nothing', () => {
    const copy = structuredClone(doc);
    assert.throws(() => applyJsonPatch(copy, [{ op: 'replace', path: '/foo', value: 'x' }, { op: 'remove', path: '/nope' }]));
    assert.deepEqual(copy, doc);
  });
});

describe('strategic merge patch', () => {
  const deployment = () => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', annotations: { a: '1' }, finalizers: ['x'] },
    spec: {
      replicas: 2,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [
            { name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'A', value: '1' }, { name: 'B', value: 'b' }], command: ['nginx', '-g'] },
            { name: 'side', image: 'busybox', resources: {} },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
        },
      },
    },
  });
  const containers = (d: any) => d.spec.template.spec.containers;

  it('kubectl apply: changes env and image of one container and deletes another (compat §2.5)', () => {
    const live = deployment();
    const patch = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{…new…}\n' } },
      spec: { template: { spec: {
        '$setElementOrder/containers': [{ name: 'nginx' }],
        containers: [
          { '$setElementOrder/env': [{ name: 'A' }], env: [{ name: 'A', value: '2' }], image: 'nginx:1.26', name: 'nginx' },
          { $patch: 'delete', name: 'side' },
        ],
      } } },
    };
    const out = pure([live, patch], () => applyStrategicMergePatch(live, patch, 'deployments.apps')) as any;
    assert.deepEqual(containers(out), [
      // env merged by name: A changed, B kept (the live object had it; apply would send B: null to drop it)
      { name: 'nginx', image: 'nginx:1.26', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'A', value: '2' }, { name: 'B', value: 'b' }], command: ['nginx', '-g'] },
    ]);
    assert.deepEqual(out.metadata.annotations, { a: '1', 'kubectl.kubernetes.io/last-applied-configuration': '{…new…}\n' });
    assert.equal(JSON.stringify(out).includes('$'), false);
  });

  it('deletes an env entry with $patch: delete and keeps the others in order', () => {
    const live = deployment();
    const out = applyStrategicMergePatch(live, { spec: { template: { spec: { containers: [{ name: 'nginx', env: [{ name: 'A', $patch: 'delete' }, { name: 'C', value: 'c' }] }] } } } }, 'deployments.apps') as any;
    assert.deepEqual(containers(out)[0].env, [{ name: 'B', value: 'b' }, { name: 'C', value: 'c' }]);
    assert.equal(containers(out).length, 2);
  });

  it('kubectl set image: $setElementOrder/containers and one container (compat §7.1)', () => {
    const live = deployment();
    const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'side' }], containers: [{ image: 'nginx:1.27', name: 'nginx' }] } } } };
    const out = pure([live, patch], () => applyStrategicMergePatch(live, patch, 'deployments.apps')) as any;
    assert.deepEqual(containers(out).map((c: any) => [c.name, c.image]), [['nginx', 'nginx:1.27'], ['side', 'busybox']]);
    assert.deepEqual(containers(out)[0].env, containers(live)[0].env);
  });

  it('reorders merged elements as $setElementOrder says', () => {
    const live = deployment();
    const out = applyStrategicMergePatch(live, { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'side' }, { name: 'nginx' }] } } } }, 'deployments.apps') as any;
    assert.deepEqual(containers(out).map((c: any) => c.name), ['side', 'nginx']);
  });

  it('switches strategy to Recreate with $retainKeys (compat §2.5)', () => {
    const live = deployment();
    const patch = { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } };
    const out = pure([live, patch], () => applyStrategicMergePatch(live, patch, 'deployments.apps')) as any;
    assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  });

  it('$retainKeys on a volume drops the old source', () => {
    const live = deployment();
    const patch = { spec: { template: { spec: { volumes: [{ name: 'data', $retainKeys: ['name', 'hostPath'], hostPath: { path: '/srv' } }] } } } };
    const out = applyStrategicMergePatch(live, patch, 'deployments.apps') as any;
    assert.deepEqual(out.spec.template.spec.volumes, [{ name: 'data', hostPath: { path: '/srv' } }]);
  });

  it('kubectl rollout pause and resume (compat §7.1)', () => {
    const paused = applyStrategicMergePatch(deployment(), { spec: { paused: true } }, 'deployments.apps') as any;
    assert.equal(paused.spec.paused, true);
    const resumed = applyStrategicMergePatch(paused, { spec: { paused: null } }, 'deployments.apps') as any;
    assert.equal('paused' in resumed.spec, false);
    assert.equal(resumed.spec.replicas, 2);
  });

  it('merges container ports by containerPort and replaces lists without a strategy', () => {
    const out = applyStrategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ name: 'nginx', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }], command: ['sh'] }] } } } }, 'deployments.apps') as any;
    assert.deepEqual(containers(out)[0].ports, [{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 443 }]);
    assert.deepEqual(containers(out)[0].command, ['sh']);
  });

  it('merges Service ports by port, not containerPort (compat §2.5)', () => {
    const svc = {
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { app: 'web', tier: 'fe' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }, { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' }] },
    };
    const patch = { spec: { '$setElementOrder/ports': [{ port: 80 }], ports: [{ port: 80, targetPort: 9090 }, { $patch: 'delete', port: 443 }] } };
    const out = pure([svc, patch], () => applyStrategicMergePatch(svc, patch, 'services')) as any;
    assert.deepEqual(out.spec.ports, [{ name: 'http', port: 80, targetPort: 9090, protocol: 'TCP' }]);
    assert.deepEqual(out.spec.selector, { app: 'web', tier: 'fe' });
  });

  it('merges pod containers at spec.containers, conditions by type, podIPs by ip', () => {
    const pod = {
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'a', image: 'x:1' }, { name: 'b', image: 'y:1' }] },
      status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }], podIPs: [{ ip: '10.0.0.1' }] },
    };
    const out = applyStrategicMergePatch(pod, {
      spec: { containers: [{ name: 'b', image: 'y:2' }] },
      status: { conditions: [{ type: 'Ready', status: 'True' }], podIPs: [{ ip: '10.0.0.2' }] },
    }, 'pods') as any;
    assert.deepEqual(out.spec.containers, [{ name: 'a', image: 'x:1' }, { name: 'b', image: 'y:2' }]);
    assert.deepEqual(out.status.conditions, [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }]);
    assert.deepEqual(out.status.podIPs, [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }]);
  });

  it('merges node addresses by type', () => {
    const node = { metadata: { name: 'n' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'n' }] } };
    const out = applyStrategicMergePatch(node, { status: { addresses: [{ type: 'InternalIP', address: '10.0.0.9' }] } }, 'nodes') as any;
    assert.deepEqual(out.status.addresses, [{ type: 'InternalIP', address: '10.0.0.9' }, { type: 'Hostname', address: 'n' }]);
  });

  it('unions finalizers and removes with $deleteFromPrimitiveList', () => {
    const live = deployment();
    const added = applyStrategicMergePatch(live, { metadata: { finalizers: ['x', 'y'] } }, 'deployments.apps') as any;
    assert.deepEqual(added.metadata.finalizers, ['x', 'y']);
    const removed = applyStrategicMergePatch(added, { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] } }, 'deployments.apps') as any;
    assert.deepEqual(removed.metadata.finalizers, ['y']);
  });

  it('merges ownerReferences by uid', () => {
    const obj = { metadata: { name: 'x', ownerReferences: [{ uid: 'u1', name: 'a', kind: 'ReplicaSet' }] } };
    const out = applyStrategicMergePatch(obj, { metadata: { ownerReferences: [{ uid: 'u1', controller: true }, { uid: 'u2', name: 'b', kind: 'ReplicaSet' }] } }, 'pods') as any;
    assert.deepEqual(out.metadata.ownerReferences, [{ uid: 'u1', name: 'a', kind: 'ReplicaSet', controller: true }, { uid: 'u2', name: 'b', kind: 'ReplicaSet' }]);
  });

  it('$patch: replace replaces a map, $patch: delete deletes one', () => {
    const live = deployment();
    const replaced = applyStrategicMergePatch(live, { spec: { template: { metadata: { labels: { $patch: 'replace', app: 'v2' } } } } }, 'deployments.apps') as any;
    assert.deepEqual(replaced.spec.template.metadata.labels, { app: 'v2' });
    const deleted = applyStrategicMergePatch(live, { spec: { strategy: { $patch: 'delete' } } }, 'deployments.apps') as any;
    assert.equal('strategy' in deleted.spec, false);
  });

  it('a {$patch: replace} element replaces a merged list', () => {
    const out = applyStrategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'z' }] } } } }, 'deployments.apps') as any;
    assert.deepEqual(containers(out), [{ name: 'only', image: 'z' }]);
  });

  it('rejects a merge-list element without its merge key, and unknown directives', () => {
    assert.throws(() => applyStrategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, 'deployments.apps'),
      (e: unknown) => e instanceof ApiError && e.code === 400 && /does not contain declared merge key: name/.test(e.message));
    assert.throws(() => applyStrategicMergePatch(deployment(), { spec: { $patch: 'explode' } }, 'deployments.apps'), ApiError);
  });

  const strategies: [string, string, unknown][] = [
    ['pods', 'spec.containers', { mergeKey: 'name' }],
    ['pods', 'spec.initContainers.env', { mergeKey: 'name' }],
    ['pods', 'spec.containers.ports', { mergeKey: 'containerPort' }],
    ['pods', 'spec.containers.volumeMounts', { mergeKey: 'mountPath' }],
    ['pods', 'spec.containers.command', undefined],
    ['pods', 'spec.tolerations', undefined],
    ['pods', 'spec.volumes', { mergeKey: 'name' }],
    ['pods', 'spec.imagePullSecrets', { mergeKey: 'name' }],
    ['replicationcontrollers', 'spec.template.spec.containers', { mergeKey: 'name' }],
    ['replicasets.apps', 'spec.template.spec.hostAliases', { mergeKey: 'ip' }],
    ['deployments.apps', 'spec.containers', undefined],
    ['services', 'spec.ports', { mergeKey: 'port' }],
    ['services', 'spec.externalIPs', undefined],
    ['nodes', 'status.addresses', { mergeKey: 'type' }],
    ['namespaces', 'status.conditions', { mergeKey: 'type' }],
    ['endpoints', 'subsets', undefined],
    ['deployments.apps', 'spec.template.metadata.finalizers', { primitiveSet: true }],
  ];
  for (const [resource, path, expected] of strategies) {
    it(`${resource} ${path} → ${JSON.stringify(expected) ?? 'replace'}`, () => assert.deepEqual(listStrategy(resource, path.split('.')), expected));
  }
});
