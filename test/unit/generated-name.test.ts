import assert from 'node:assert/strict';
import type { ReplicationController } from '../../lib/api/types.js';
import { generatedName, maskTrailingDash } from '../../lib/api/name-rules.js';
import { validateObject } from '../../lib/api/validation.js';
import { REPLICATION_CONTROLLER_KIND, ReplicaSetController } from '../../daemon/controllers/replicaset/replica-set-controller.js';
import { eventually, podsOf, startControllerCluster } from '../helpers/test-cluster.js';

/** The longest valid object name: a 253-character DNS subdomain. */
const LONGEST_NAME = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.');

describe('generated names (SimpleNameGenerator)', () => {
  it('cuts the base to 58 characters before the 5 random ones, as Kubernetes does', () => {
    assert.equal(LONGEST_NAME.length, 253);
    assert.equal(generatedName('web-', 'x2b4z'), 'web-x2b4z');
    assert.equal(generatedName('a'.repeat(57) + '-', 'x2b4z'), `${'a'.repeat(57)}-x2b4z`);
    const long = generatedName(`${LONGEST_NAME}-`, 'x2b4z');
    assert.equal(long, `${'a'.repeat(58)}x2b4z`);
    assert.equal(long.length, 63);
  });

  it('masks a trailing dash as apimachinery does, so a 253-character name plus "-" is a valid prefix', () => {
    assert.equal(maskTrailingDash('web-'), 'wea');
    assert.equal(maskTrailingDash('web'), 'web');
    assert.equal(maskTrailingDash('-'), '-');
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: `${LONGEST_NAME}-`, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    assert.deepEqual(validateObject('pods', pod), []);
  });

  it('a ReplicationController with a 253-character name creates its pods', async () => {
    const cluster = await startControllerCluster();
    const abort = new AbortController();
    const kind = REPLICATION_CONTROLLER_KIND;
    const controller = new ReplicaSetController(kind, { client: cluster.client, clock: cluster.clock, recorder: cluster.recorderFor(kind.component), onError: () => {} });
    const running = controller.run(abort.signal);
    try {
      await cluster.client.create<ReplicationController>('replicationcontrollers', {
        apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: LONGEST_NAME, namespace: 'default' },
        spec: { replicas: 2, selector: { app: 'long' }, template: { metadata: { labels: { app: 'long' } }, spec: { containers: [{ name: 'web', image: 'kubelab/busybox:1' }] } } },
      });
      const pods = await eventually(async () => {
        const found = await podsOf(cluster.client);
        assert.equal(found.length, 2);
        return found;
      }, cluster.clock);
      for (const pod of pods) assert.match(pod.metadata.name ?? '', /^a{58}[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    } finally {
      abort.abort();
      await running;
      await cluster.close();
    }
  });
});
