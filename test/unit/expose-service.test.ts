import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { planExposedService } from '../../cli/expose-service.js';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'nginx', labels: { app: 'nginx' } },
  spec: { selector: { matchLabels: { app: 'nginx' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }] }] } } },
} as unknown as KubeObject;

describe('planExposedService', () => {
  it('builds kubectl expose deploy nginx --port=80 --target-port=8080', () => {
    assert.deepEqual(planExposedService(deployment, { port: 80, targetPort: '8080' }), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'nginx', labels: { app: 'nginx' } },
      spec: { ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }], selector: { app: 'nginx' } },
      status: { loadBalancer: {} },
    });
  });
  it('takes every container port, named, with its protocol, when --port is absent', () => {
    assert.deepEqual(planExposedService(deployment, {}).spec.ports, [
      { name: 'port-1', port: 80, protocol: 'TCP', targetPort: 80 },
      { name: 'port-2', port: 53, protocol: 'UDP', targetPort: 53 },
    ]);
  });
  it('selects a pod by its labels, keeps a named target port, sets type, name and node port', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'hello' } }, spec: { containers: [] } } as unknown as KubeObject;
    const service = planExposedService(pod, { port: 3000, targetPort: 'web', type: 'NodePort', nodePort: 31001, name: 'hello' });
    assert.equal(service.metadata.name, 'hello');
    assert.deepEqual(service.spec.selector, { app: 'hello' });
    assert.deepEqual(service.spec.ports, [{ port: 3000, protocol: 'TCP', targetPort: 'web', nodePort: 31001 }]);
    assert.equal(service.spec.type, 'NodePort');
  });
  it('refuses what kubectl refuses: no ports, matchExpressions', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } as unknown as KubeObject;
    assert.throws(() => planExposedService(pod, {}), /couldn't find port/);
    const rs = { kind: 'ReplicaSet', metadata: { name: 'r' }, spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Exists' }] } } } as unknown as KubeObject;
    assert.throws(() => planExposedService(rs, { port: 80 }), /matchExpressions/);
  });
});
