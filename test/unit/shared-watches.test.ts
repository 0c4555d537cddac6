// How many watches a single-node server opens: the controllers, the scheduler, the kubelet, the
// proxy and the DNS wired as daemon/server.ts wires them (one SharedInformerFactory), against the
// in-memory API with a client that counts watch() calls. Before the shared factory this was 23
// (five pods watches, three each of nodes, services, endpoints and ReplicaSets ...); now every
// (resource, options) is watched once.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ApiClient } from '../../lib/client/api-client.js';
import { SharedInformerFactory } from '../../lib/client/shared-informer-factory.js';
import { ManualClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { startControllers } from '../../daemon/controllers/controller-manager.js';
import { EventRecorder } from '../../daemon/events/event-recorder.js';
import { Kubelet } from '../../daemon/kubelet/kubelet.js';
import { FakeRuntime } from '../fakes/fake-runtime.js';
import { Scheduler } from '../../daemon/scheduler/scheduler.js';
import { RecordIndex } from '../../network/dns/record-index.js';
import { Proxier } from '../../network/proxy/proxier.js';
import { newTestCluster } from '../helpers/test-cluster.js';

/** The client, with every watch() call recorded as `resource {options}` (without resourceVersion). */
function countingWatches(client: ApiClient): { client: ApiClient; watches: string[] } {
  const watches: string[] = [];
  const counting: ApiClient = Object.create(client);
  counting.watch = (resource, options, onEvent) => {
    const { resourceVersion: _from, ...selectors } = options;
    watches.push(`${resource} ${JSON.stringify(selectors)}`);
    return client.watch(resource, options, onEvent);
  };
  return { client: counting, watches };
}

describe('watches of a single-node server', () => {
  it('one watch per (resource, options): 11 for controllers, scheduler, kubelet, proxy and DNS together', async () => {
    const clock = new ManualClock();
    const cluster = await newTestCluster(() => clock.now());
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-watches-'));
    const { client, watches } = countingWatches(cluster.client);
    const abort = new AbortController();
    const informers = new SharedInformerFactory({ client, clock, onError: () => {} });
    const recorderFor = (component: string) => new EventRecorder(client, { component }, clock, { onError: () => {} });
    const silent = () => {};
    const runs = [
      startControllers({ client, clock, recorderFor, signal: abort.signal, informers, onError: silent }),
      new Scheduler({ client, clock, recorder: recorderFor('default-scheduler'), informers, log: silentLogger }).run(abort.signal),
      new Kubelet({ nodeName: 'node-1', client, runtime: new FakeRuntime({ clock }), recorder: recorderFor('kubelet'), clock, dataDir, role: 'server', nodeIP: '127.0.0.1', informers, log: silentLogger }).run(abort.signal),
      new Proxier({ client, clock, informers, onError: silent, addressManager: { ensureAddress: async () => {}, removeAddress: async () => {}, listAddresses: async () => [] } }).run(abort.signal),
      new RecordIndex({ client, clock, informers, onError: silent }).run(abort.signal),
    ];
    try {
      for (let i = 0; i < 20; i++) await clock.advance(100);
      assert.deepEqual([...watches].sort(), [
        'clusterroles.rbac.authorization.k8s.io {}',
        'controllerrevisions.apps {}',
        'cronjobs.batch {}',
        'daemonsets.apps {}',
        'deployments.apps {}',
        'endpoints {}',
        'horizontalpodautoscalers.autoscaling {}',
        'jobs.batch {}',
        'namespaces {}',
        'nodes {}',
        'persistentvolumeclaims {}',
        'persistentvolumes {}',
        'pods {"fieldSelector":"spec.nodeName="}',
        'pods {"fieldSelector":"spec.nodeName=node-1"}',
        'pods {}',
        'replicasets.apps {}',
        'replicationcontrollers {}',
        'serviceaccounts {}',
        'services {}',
        'statefulsets.apps {}',
        'storageclasses.storage.k8s.io {}',
      ]);
    } finally {
      abort.abort();
      await Promise.allSettled(runs);
      await cluster.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
