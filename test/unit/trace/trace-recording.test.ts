// What the endpoints controller and the proxy decide to tell a pod for its trace: only changes.
import assert from 'node:assert/strict';
import type { EndpointAddress, Endpoints } from '../../../lib/api/types.js';
import { readyAddressChanges } from '../../../daemon/controllers/endpoints/ready-address-changes.js';
import { newlyProgrammedEndpoints } from '../../../network/proxy/programmed-endpoints.js';

const address = (name: string, ip: string): EndpointAddress => ({ ip, targetRef: { kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` } });
const endpointsOf = (name: string, ready: EndpointAddress[], notReady: EndpointAddress[] = []): Endpoints => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name, namespace: 'default' },
  subsets: ready.length + notReady.length ? [{ ...(ready.length ? { addresses: ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ports: [{ port: 80 }] }] : [],
});
const a = address('a', '10.244.0.2');
const b = address('b', '10.244.0.3');

describe('readyAddressChanges (endpoints controller → EndpointsAdded / EndpointsRemoved)', () => {
  const cases: { name: string; current?: Endpoints; desired: Endpoints; added: string[]; removed: string[] }[] = [
    { name: 'first Endpoints with a ready pod', desired: endpointsOf('web', [a]), added: ['a'], removed: [] },
    { name: 'first Endpoints with a pod not ready yet', desired: endpointsOf('web', [], [a]), added: [], removed: [] },
    { name: 'the pod becomes ready', current: endpointsOf('web', [], [a]), desired: endpointsOf('web', [a]), added: ['a'], removed: [] },
    { name: 'nothing changes for the pod (another pod joins)', current: endpointsOf('web', [a]), desired: endpointsOf('web', [a, b]), added: ['b'], removed: [] },
    { name: 'the pod becomes not ready', current: endpointsOf('web', [a, b]), desired: endpointsOf('web', [b], [a]), added: [], removed: ['a still listed'] },
    { name: 'the pod is being deleted', current: endpointsOf('web', [a, b]), desired: endpointsOf('web', [b]), added: [], removed: ['a'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const changes = readyAddressChanges(c.current, c.desired);
      assert.deepEqual(changes.added.map((x) => x.targetRef!.name), c.added);
      assert.deepEqual(changes.removed.map((x) => `${x.targetRef!.name}${x.stillListed ? ' still listed' : ''}`), c.removed);
    });
  }
});

describe('newlyProgrammedEndpoints (proxy → one ProxyProgrammed per pod and Service)', () => {
  const proxied = new Set(['default/web', 'default/api']);
  it('tells a ready pod endpoint once, until it leaves and comes back', () => {
    const first = newlyProgrammedEndpoints(new Set(), [endpointsOf('web', [a])], proxied);
    assert.deepEqual(first.added.map((e) => `${e.service} ${e.ip} ${e.pod.name}`), ['default/web 10.244.0.2 a']);
    const again = newlyProgrammedEndpoints(first.current, [endpointsOf('web', [a, b])], proxied);
    assert.deepEqual(again.added.map((e) => e.pod.name), ['b']);
    const gone = newlyProgrammedEndpoints(again.current, [endpointsOf('web', [b], [a])], proxied);
    assert.deepEqual(gone.added, []);
    const back = newlyProgrammedEndpoints(gone.current, [endpointsOf('web', [a, b])], proxied);
    assert.deepEqual(back.added.map((e) => e.pod.name), ['a']);
  });

  it('tells a pod behind two Services once for each, and nothing for Services this node does not proxy', () => {
    const result = newlyProgrammedEndpoints(new Set(), [endpointsOf('web', [a]), endpointsOf('api', [a]), endpointsOf('headless', [a])], proxied);
    assert.deepEqual(result.added.map((e) => e.service), ['default/web', 'default/api']);
  });
});
