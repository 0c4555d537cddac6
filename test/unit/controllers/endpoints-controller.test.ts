// The endpoints controller against the real registry and store (in memory), through LocalClient.

import assert from 'node:assert/strict';
import type { Endpoints, Pod, Service } from '../../../lib/api/types.js';
import { systemClock } from '../../../lib/clock.js';
import { isNotFound } from '../../../lib/errors.js';
import { LocalClient } from '../../../daemon/api/local-client.js';
import { ResourceRegistry } from '../../../daemon/api/resource-registry.js';
import { EndpointsController } from '../../../daemon/controllers/endpoints/endpoints-controller.js';
import { NedbObjectStore } from '../../../daemon/store/nedb-store.js';
import { untilPasses } from '../../helpers/until-passes.js';

describe('EndpointsController', () => {
  let store: NedbObjectStore;
  let client: LocalClient;
  let controller: EndpointsController;

  beforeEach(async () => {
    store = new NedbObjectStore({});
    await store.open();
    const registry = new ResourceRegistry({ store });
    await registry.ensureSystemNamespaces();
    client = new LocalClient(registry);
    controller = new EndpointsController({ client, clock: systemClock, onError: () => {} });
  });
  afterEach(() => store.close());

  async function createService(name: string, spec: Partial<Service['spec']> = {}): Promise<Service> {
    return client.create<Service>('services', {
      apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' },
      spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 'http' }], clusterIP: '10.96.0.20', ...spec },
    });
  }

  /** A pod of `app`, bound to node-1, with the kubelet's status: IP and readiness. */
  async function runPod(name: string, app: string, ip: string, ready = true): Promise<Pod> {
    const pod = await client.create<Pod>('pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app } },
      spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'kubelab/hello:v1', ports: [{ name: 'http', containerPort: 3000 }] }] },
    });
    return setStatus(pod, ip, ready);
  }

  function setStatus(pod: Pod, ip: string, ready: boolean): Promise<Pod> {
    return client.updateStatus<Pod>('pods', {
      ...pod,
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
    });
  }

  const endpointsOf = (name: string) => client.get<Endpoints>('endpoints', 'default', name);
  const ips = (e: Endpoints) => (e.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip));
  const notReady = (e: Endpoints) => (e.subsets ?? []).flatMap((s) => (s.notReadyAddresses ?? []).map((a) => a.ip));

  it('reconcile writes one Endpoints per Service with ready and not-ready pods and resolved ports', async () => {
    await createService('web');
    await runPod('web-1', 'web', '10.244.1.2');
    await runPod('web-2', 'web', '10.244.1.3', false);
    await runPod('other', 'db', '10.244.1.4');
    await controller.reconcile('default/web');
    const endpoints = await endpointsOf('web');
    assert.deepEqual(endpoints.subsets, [
      {
        addresses: [{ ip: '10.244.1.2', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: (await client.get('pods', 'default', 'web-1')).metadata.uid } }],
        notReadyAddresses: [{ ip: '10.244.1.3', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'web-2', uid: (await client.get('pods', 'default', 'web-2')).metadata.uid } }],
        ports: [{ name: 'http', port: 3000, protocol: 'TCP' }],
      },
    ]);
    // Nothing changed: a second pass writes nothing.
    const version = endpoints.metadata.resourceVersion;
    await controller.reconcile('default/web');
    assert.equal((await endpointsOf('web')).metadata.resourceVersion, version);
  });

  it('leaves selector-less Services alone and deletes Endpoints with their Service', async () => {
    await createService('external', { selector: undefined, ports: [{ port: 5432 }] });
    const manual = await client.create<Endpoints>('endpoints', {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'external', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ port: 5432 }] }],
    });
    await controller.reconcile('default/external');
    assert.equal((await endpointsOf('external')).metadata.resourceVersion, manual.metadata.resourceVersion);
    await client.delete('services', 'default', 'external');
    await controller.reconcile('default/external');
    await assert.rejects(endpointsOf('external'), isNotFound);
  });

  it('runs level-triggered: pods joining, getting ready, and terminating show up without calling reconcile', async () => {
    const abort = new AbortController();
    const running = controller.run(abort.signal);
    try {
      await createService('web');
      await untilPasses(async () => assert.deepEqual((await endpointsOf('web')).subsets, []));
      const pod = await runPod('web-1', 'web', '10.244.1.2', false);
      await untilPasses(async () => assert.deepEqual(notReady(await endpointsOf('web')), ['10.244.1.2']));
      await setStatus(pod, '10.244.1.2', true);
      await runPod('web-2', 'web', '10.244.1.3');
      await untilPasses(async () => assert.deepEqual(ips(await endpointsOf('web')), ['10.244.1.2', '10.244.1.3']));
      // A graceful delete only marks the pod (its kubelet has 30 s to stop it): it leaves the endpoints now.
      const marked = await client.delete('pods', 'default', 'web-1');
      assert.ok(marked.metadata.deletionTimestamp);
      await untilPasses(async () => assert.deepEqual(ips(await endpointsOf('web')), ['10.244.1.3']));
      // Labels changed away from the selector: out too.
      const web2 = await client.get<Pod>('pods', 'default', 'web-2');
      await client.update('pods', { ...web2, metadata: { ...web2.metadata, labels: { app: 'debug' } } });
      await untilPasses(async () => assert.deepEqual(ips(await endpointsOf('web')), []));
      // Endpoints deleted by hand come back; deleted with the Service they stay gone.
      await client.delete('endpoints', 'default', 'web');
      await untilPasses(async () => assert.ok(await endpointsOf('web')));
      await client.delete('services', 'default', 'web');
      await untilPasses(async () => assert.equal(await endpointsOf('web').then(() => 'present', (e) => (isNotFound(e) ? 'gone' : String(e))), 'gone'));
    } finally {
      abort.abort();
      await running;
    }
  });
});
