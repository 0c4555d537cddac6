import assert from 'node:assert/strict';
import { CONTROLLER_NAMES, selectControllers } from '../../../daemon/controllers/controller-manager.js';

describe('--controllers (selectControllers)', () => {
  const known = ['replicaset', 'deployment', 'endpoint', 'nodeipam'];

  it('* (the default) and an empty flag enable every controller, in start order', () => {
    assert.deepEqual(selectControllers(['*'], known), known);
    assert.deepEqual(selectControllers([], known), known);
    assert.deepEqual(selectControllers([''], known), known);
  });

  it('-foo disables foo; names alone enable only themselves; commas and repeats both work', () => {
    assert.deepEqual(selectControllers(['*,-nodeipam'], known), ['replicaset', 'deployment', 'endpoint']);
    assert.deepEqual(selectControllers(['*', '-nodeipam', '-endpoint'], known), ['replicaset', 'deployment']);
    assert.deepEqual(selectControllers(['deployment,replicaset'], known), ['replicaset', 'deployment']);
    assert.deepEqual(selectControllers(['deployment,-deployment'], known), []);
  });

  it('refuses an unknown name, and names the known ones', () => {
    assert.throws(() => selectControllers(['*,-replicasets'], known), /unknown controller "replicasets"; known controllers are replicaset, deployment, endpoint, nodeipam/);
    assert.throws(() => selectControllers(['jobss'], known), /"jobss"/);
  });

  it('knows every controller kubelabd has, by kube-controller-manager\'s names', () => {
    assert.deepEqual([...CONTROLLER_NAMES], ['replicaset', 'replicationcontroller', 'deployment', 'daemonset', 'statefulset', 'endpoint', 'garbagecollector', 'job', 'cronjob', 'ttl-after-finished', 'service-lb', 'nodelifecycle', 'horizontalpodautoscaling', 'nodeipam', 'persistentvolume-binder', 'pvc-protection', 'serviceaccount', 'root-ca-cert-publisher', 'clusterrole-aggregation']);
    assert.deepEqual(selectControllers(['*']), [...CONTROLLER_NAMES]);
  });
});
