import assert from 'node:assert/strict';
import type { Pod } from '../../lib/api/types.js';
import type { WatchEvent } from '../../lib/client/api-client.js';
import { ApiError } from '../../lib/errors.js';
import { LocalClient } from '../../daemon/api/local-client.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';

function pod(name: string): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'kubelab/busybox:1' }] } };
}

describe('LocalClient', () => {
  let store: NedbObjectStore;
  let client: LocalClient;

  beforeEach(async () => {
    store = new NedbObjectStore({ historySize: 3 });
    await store.open();
    const registry = new ResourceRegistry({ store });
    await registry.ensureSystemNamespaces();
    client = new LocalClient(registry);
  });
  afterEach(() => store.close());

  it('goes through the registry: defaults, status rules, graceful delete', async () => {
    const created = await client.create<Pod>('pods', pod('a'));
    assert.equal(created.metadata.namespace, 'default', 'a namespaced object without a namespace goes to default');
    assert.equal(created.spec.restartPolicy, 'Always');
    const withStatus = await client.updateStatus<Pod>('pods', { ...created, status: { phase: 'Running' } });
    assert.equal(withStatus.status?.phase, 'Running');
    const viaMain = await client.update<Pod>('pods', { ...withStatus, status: { phase: 'Failed' } });
    assert.equal(viaMain.status?.phase, 'Running');
    const bound = await client.patch<Pod>('pods', 'default', 'a', { spec: { nodeName: 'node-1' } }, 'merge');
    assert.equal(bound.spec.nodeName, 'node-1');
    const terminating = await client.delete('pods', 'default', 'a');
    assert.ok(terminating.metadata.deletionTimestamp);
    await client.delete('pods', 'default', 'a', { gracePeriodSeconds: 0 });
    await assert.rejects(client.get('pods', 'default', 'a'), (err: ApiError) => err.code === 404);
  });

  it('passes write options: Strict validation and dryRun', async () => {
    const typo = { ...pod('a'), spec: { ...pod('a').spec, contianers: [] } };
    await assert.rejects(client.create('pods', typo, { fieldValidation: 'Strict' }), (err: ApiError) => err.code === 400);
    await client.create('pods', pod('b'), { dryRun: true });
    assert.equal((await client.list('pods')).items.length, 0);
  });

  it('watches until stopped, then resolves done', async () => {
    await client.create('pods', pod('a'));
    const events: WatchEvent[] = [];
    const watch = client.watch('pods', { namespace: 'default' }, (e) => events.push(e));
    await client.create('pods', pod('b'));
    watch.stop();
    await watch.done;
    await client.create('pods', pod('c'));
    assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'a'], ['ADDED', 'b']]);
  });

  it('reports a too-old resourceVersion as an ERROR event with a 410 Status', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) await client.create('pods', pod(name));
    const events: WatchEvent[] = [];
    const watch = client.watch('pods', { resourceVersion: '1' }, (e) => events.push(e));
    await watch.done;
    assert.equal(events.length, 1);
    assert.equal(events[0].type, 'ERROR');
    assert.equal((events[0].object as unknown as { code: number }).code, 410);
  });

  it('ends a watch whose handler throws, rejecting done, without failing the write', async () => {
    const watch = client.watch('pods', {}, () => {
      throw new Error('handler bug');
    });
    await client.create('pods', pod('a'));
    await assert.rejects(watch.done, /handler bug/);
  });
});
