import assert from 'node:assert/strict';
import type { KubeObject, ReplicaSet } from '../../lib/api/types.js';
import { internalContext } from '../../daemon/api/registry.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { planFinalizingDelete } from '../../daemon/api/strategies/finalizers.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';

const RS = 'replicasets.apps';
const replicaSet = (name: string, finalizers?: string[]): ReplicaSet => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default', ...(finalizers ? { finalizers } : {}) },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } } },
});

describe('registry: finalizers and propagationPolicy=Orphan', () => {
  let store: NedbObjectStore;
  let registry: ResourceRegistry;
  const ctx = internalContext;

  beforeEach(async () => {
    store = new NedbObjectStore({});
    await store.open();
    registry = new ResourceRegistry({ store, clock: () => new Date('2025-01-01T00:00:00Z') });
    await registry.ensureSystemNamespaces();
  });
  afterEach(() => store.close());

  it('Orphan marks the object and adds the orphan finalizer instead of removing it', async () => {
    await registry.create(RS, 'default', replicaSet('a'), ctx());
    const marked = await registry.delete(RS, 'default', 'a', { propagationPolicy: 'Orphan' }, ctx());
    assert.equal(marked.metadata.deletionTimestamp, '2025-01-01T00:00:00Z');
    assert.deepEqual(marked.metadata.finalizers, ['orphan']);
    const stored = await registry.get(RS, 'default', 'a', ctx());
    assert.deepEqual(stored.metadata.finalizers, ['orphan']);
  });

  it('an update that removes the last finalizer of a deleting object removes it', async () => {
    await registry.create(RS, 'default', replicaSet('a'), ctx());
    const marked = await registry.delete(RS, 'default', 'a', { propagationPolicy: 'Orphan' }, ctx());
    const done = await registry.update(RS, 'default', 'a', { ...marked, metadata: { ...marked.metadata, finalizers: [] } }, ctx());
    assert.equal(done.metadata.finalizers?.length ?? 0, 0);
    await assert.rejects(registry.get(RS, 'default', 'a', ctx()), /not found/);
  });

  it('a merge patch that removes one of two finalizers keeps the object', async () => {
    await registry.create(RS, 'default', replicaSet('a', ['example.com/keep']), ctx());
    await registry.delete(RS, 'default', 'a', { propagationPolicy: 'Orphan' }, ctx());
    await registry.patch(RS, 'default', 'a', { metadata: { finalizers: ['example.com/keep'] } }, 'merge', ctx());
    const still = await registry.get(RS, 'default', 'a', ctx());
    assert.deepEqual(still.metadata.finalizers, ['example.com/keep']);
    assert.ok(still.metadata.deletionTimestamp);
  });

  it('any finalizer makes DELETE wait, whatever the policy; Background without finalizers removes at once', async () => {
    await registry.create(RS, 'default', replicaSet('held', ['example.com/hold']), ctx());
    await registry.create(RS, 'default', replicaSet('free'), ctx());
    await registry.delete(RS, 'default', 'held', { propagationPolicy: 'Background' }, ctx());
    assert.ok((await registry.get(RS, 'default', 'held', ctx())).metadata.deletionTimestamp);
    await registry.delete(RS, 'default', 'free', { propagationPolicy: 'Background' }, ctx());
    await assert.rejects(registry.get(RS, 'default', 'free', ctx()), /not found/);
  });

  it('an update of an object that is not being deleted never removes it', async () => {
    const created = await registry.create(RS, 'default', replicaSet('a', ['example.com/x']), ctx());
    await registry.update(RS, 'default', 'a', { ...created, metadata: { ...created.metadata, finalizers: [] } }, ctx());
    assert.ok(await registry.get(RS, 'default', 'a', ctx()));
  });

  it('pods keep their own delete rules (no orphan finalizer on an unscheduled pod)', async () => {
    await registry.create('pods', 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } } as KubeObject, ctx());
    await registry.delete('pods', 'default', 'p', { propagationPolicy: 'Orphan' }, ctx());
    await assert.rejects(registry.get('pods', 'default', 'p', ctx()), /not found/);
  });

  it('planFinalizingDelete keeps an existing deletionTimestamp and does not add orphan twice', () => {
    const obj: KubeObject = { metadata: { name: 'x', deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['orphan'] } };
    const plan = planFinalizingDelete(obj, { propagationPolicy: 'Orphan' }, new Date('2025-01-01T00:00:00Z'));
    assert.equal(plan?.action, 'mark');
    assert.deepEqual(plan?.action === 'mark' && plan.object.metadata, { name: 'x', deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['orphan'], deletionGracePeriodSeconds: 0 });
    assert.equal(planFinalizingDelete({ metadata: { name: 'y' } }, {}, new Date()), undefined);
  });
});
