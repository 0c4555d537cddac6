// covers: Endpoints subsets.addresses.ip, subsets.addresses.nodeName, subsets.addresses.targetRef.kind, subsets.addresses.targetRef.name, subsets.addresses.targetRef.namespace, subsets.addresses.targetRef.uid, subsets.ports.name, subsets.ports.port, subsets.ports.protocol
// covers: Endpoints subsets.notReadyAddresses.ip
// covers: Service spec.publishNotReadyAddresses

import assert from 'node:assert/strict';
import type { ContainerPort, Pod, Service, ServicePort } from '../../../lib/api/types.js';
import { desiredEndpoints, endpointsUpToDate, findPort, planEndpoints } from '../../../daemon/controllers/endpoints/plan-endpoints.js';

interface PodSpecOptions {
  ip?: string;
  ready?: boolean;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  terminating?: boolean;
  ports?: ContainerPort[];
  node?: string;
}

function newPod(name: string, o: PodSpecOptions = {}): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'web' }, ...(o.terminating ? { deletionTimestamp: '2025-01-01T00:00:30Z' } : {}) },
    spec: { nodeName: o.node ?? 'node-1', containers: [{ name: 'c', image: 'hello', ports: o.ports ?? [{ name: 'http', containerPort: 3000 }] }] },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ip === '' ? {} : { podIP: o.ip ?? '10.244.1.2' }),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

function newService(ports: ServicePort[] = [{ port: 80, targetPort: 3000, protocol: 'TCP' }], extra: Partial<Service['spec']> = {}): Service {
  return { metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports, ...extra } };
}

/** A compact picture of the subsets: `ready ips | not-ready ips | ports`. */
function picture(service: Service, pods: Pod[]): string[] {
  return planEndpoints(service, pods).map(
    (s) =>
      `${(s.addresses ?? []).map((a) => a.ip).join(',')} | ${(s.notReadyAddresses ?? []).map((a) => a.ip).join(',')} | ` +
      (s.ports ?? []).map((p) => `${p.name ?? ''}:${p.port}/${p.protocol}`).join(','),
  );
}

describe('planEndpoints', () => {
  const cases: { name: string; service?: Service; pods: Pod[]; want: string[] }[] = [
    { name: 'no pods: no subsets', pods: [], want: [] },
    {
      name: 'ready pods under addresses, sorted numerically by IP',
      pods: [newPod('a', { ip: '10.244.1.10' }), newPod('b', { ip: '10.244.1.9' })],
      want: ['10.244.1.9,10.244.1.10 |  | :3000/TCP'],
    },
    {
      name: 'not-ready pods under notReadyAddresses',
      pods: [newPod('a', { ip: '10.244.1.2' }), newPod('b', { ip: '10.244.1.3', ready: false })],
      want: ['10.244.1.2 | 10.244.1.3 | :3000/TCP'],
    },
    {
      name: 'terminating pods leave before they are stopped; pods without IP or finished are left out',
      pods: [
        newPod('a', { ip: '10.244.1.2', terminating: true }),
        newPod('b', { ip: '' }),
        newPod('c', { ip: '10.244.1.4', phase: 'Succeeded' }),
        newPod('d', { ip: '10.244.1.5', phase: 'Failed' }),
        newPod('e', { ip: '10.244.1.6' }),
      ],
      want: ['10.244.1.6 |  | :3000/TCP'],
    },
    {
      name: 'named targetPort resolved per pod: different numbers make different subsets; a pod without the name is left out',
      service: newService([{ name: 'web', port: 80, targetPort: 'http', protocol: 'TCP' }]),
      pods: [
        newPod('a', { ip: '10.244.1.2', ports: [{ name: 'http', containerPort: 3000 }] }),
        newPod('b', { ip: '10.244.2.2', ports: [{ name: 'http', containerPort: 8080 }] }),
        newPod('c', { ip: '10.244.2.3', ports: [{ name: 'metrics', containerPort: 9090 }] }),
        newPod('d', { ip: '10.244.1.3', ports: [{ name: 'http', containerPort: 3000 }], ready: false }),
      ],
      want: ['10.244.1.2 | 10.244.1.3 | web:3000/TCP', '10.244.2.2 |  | web:8080/TCP'],
    },
    {
      name: 'two ports, one named port missing on a pod: that pod gets a subset with the other port only',
      service: newService([
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        { name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' },
      ]),
      pods: [
        newPod('a', { ip: '10.244.1.2', ports: [{ name: 'http', containerPort: 3000 }, { name: 'metrics', containerPort: 9100 }] }),
        newPod('b', { ip: '10.244.1.3', ports: [{ name: 'http', containerPort: 3000 }] }),
      ],
      want: ['10.244.1.2 |  | http:3000/TCP,metrics:9100/TCP', '10.244.1.3 |  | http:3000/TCP'],
    },
    {
      name: 'a named port matches only its protocol',
      service: newService([{ name: 'dns', port: 53, targetPort: 'dns', protocol: 'UDP' }]),
      pods: [newPod('a', { ports: [{ name: 'dns', containerPort: 5353, protocol: 'TCP' }] }), newPod('b', { ip: '10.244.1.9', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] })],
      want: ['10.244.1.9 |  | dns:53/UDP'],
    },
    {
      name: 'publishNotReadyAddresses lists every pod as ready',
      service: newService(undefined, { publishNotReadyAddresses: true }),
      pods: [newPod('a', { ready: false })],
      want: ['10.244.1.2 |  | :3000/TCP'],
    },
    {
      name: 'a headless Service without ports still lists pods (for DNS)',
      service: newService([], { clusterIP: 'None' }),
      pods: [newPod('a')],
      want: ['10.244.1.2 |  | '],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(picture(c.service ?? newService(), c.pods), c.want));

  it('addresses point at their pod and node', () => {
    const [subset] = planEndpoints(newService(), [newPod('a', { node: 'node-2' })]);
    assert.deepEqual(subset.addresses, [{ ip: '10.244.1.2', nodeName: 'node-2', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } }]);
  });

  // covers: Endpoints subsets.addresses.hostname
  it('a pod with hostname and a subdomain naming the Service gets its hostname on its address (its own DNS name)', () => {
    const pod = (name: string, subdomain: string) => {
      const p = newPod(name, { ip: name === 'db-0' ? '10.244.1.2' : '10.244.1.3' });
      p.spec = { ...p.spec, hostname: name, subdomain };
      return p;
    };
    const [subset] = planEndpoints(newService(), [pod('db-0', 'web'), pod('db-1', 'other')]);
    assert.deepEqual(subset.addresses!.map((a) => [a.ip, a.hostname]), [['10.244.1.2', 'db-0'], ['10.244.1.3', undefined]]);
  });

  it('findPort: numbers as they are, names per container port, unknown names undefined', () => {
    const pod = newPod('a', { ports: [{ name: 'http', containerPort: 3000 }] });
    assert.equal(findPort(pod, { port: 80, targetPort: 8080 }), 8080);
    assert.equal(findPort(pod, { port: 80 }), 80);
    assert.equal(findPort(pod, { port: 80, targetPort: 'http' }), 3000);
    assert.equal(findPort(pod, { port: 80, targetPort: 'grpc' }), undefined);
  });

  it('desiredEndpoints carries the Service labels (and the headless label); up-to-date ignores key order', () => {
    const service = newService([], { clusterIP: 'None' });
    service.metadata.labels = { app: 'web' };
    const desired = desiredEndpoints(service, [newPod('a')]);
    assert.deepEqual(desired.metadata, { name: 'web', namespace: 'default', labels: { app: 'web', 'service.kubernetes.io/headless': '' } });
    const reordered = JSON.parse(JSON.stringify(desired, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v)));
    assert.equal(endpointsUpToDate(reordered, desired), true);
    assert.equal(endpointsUpToDate({ ...desired, subsets: [] }, desired), false);
  });
});
