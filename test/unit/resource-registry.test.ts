// covers: Secret stringData

import assert from 'node:assert/strict';
import type { KubeObject, Pod } from '../../lib/api/types.js';
import type { WatchEvent } from '../../lib/client/api-client.js';
import { ApiError } from '../../lib/errors.js';
import { internalContext, type RequestContext } from '../../daemon/api/registry.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';

const NOW = new Date('2024-05-01T12:00:00Z');

function pod(name: string, extra: { labels?: Record<string, string>; nodeName?: string; namespace?: string } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: extra.namespace ?? 'default', labels: extra.labels ?? { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'kubelab/busybox:1' }], ...(extra.nodeName ? { nodeName: extra.nodeName } : {}) },
  };
}

function deployment(name: string, replicas = 2): KubeObject {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'img:1' }] } } },
  };
}

function userContext(overrides: Partial<RequestContext> = {}): RequestContext {
  return { user: 'admin', fieldValidation: 'Strict', dryRun: false, warnings: [], ...overrides };
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  assert.fail('expected the call to fail');
}

describe('ResourceRegistry', () => {
  let store: NedbObjectStore;
  let registry: ResourceRegistry;
  let now: Date;
  let ctx: RequestContext;

  beforeEach(async () => {
    now = NOW;
    store = new NedbObjectStore({ clock: () => now });
    await store.open();
    let seed = 0;
    registry = new ResourceRegistry({ store, clock: () => now, random: () => ((seed += 7) % 27) / 27 });
    await registry.ensureSystemNamespaces();
    ctx = userContext();
  });
  afterEach(() => store.close());

  describe('ensureSystemNamespaces', () => {
    it('creates the four system namespaces, Active, and is idempotent', async () => {
      await registry.ensureSystemNamespaces();
      const list = await registry.list('namespaces', {}, ctx);
      assert.deepEqual(list.items.map((n) => n.metadata.name), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
      assert.equal(list.kind, 'NamespaceList');
      assert.deepEqual(list.items[0].status, { phase: 'Active' });
    });
  });

  describe('create', () => {
    it('stores the object with identity, defaults and a Pending status', async () => {
      const created = (await registry.create('pods', 'default', { ...pod('a'), status: { phase: 'Running' } } as Pod, ctx)) as Pod;
      assert.equal(created.metadata.generation, 1);
      assert.equal(created.metadata.creationTimestamp, '2024-05-01T12:00:00Z');
      assert.ok(created.metadata.uid);
      assert.deepEqual(created.status, { phase: 'Pending' }, 'the client cannot choose a pod status');
      assert.equal(created.spec.restartPolicy, 'Always', 'defaults applied');
      assert.deepEqual(await registry.get('pods', 'default', 'a', ctx), created);
    });

    it('ignores server-owned metadata and tolerates creationTimestamp: null', async () => {
      const body = pod('a');
      body.metadata = { ...body.metadata, uid: 'mine', resourceVersion: '999', creationTimestamp: null, deletionTimestamp: '2020-01-01T00:00:00Z' };
      const created = await registry.create('pods', 'default', body, ctx);
      assert.notEqual(created.metadata.uid, 'mine');
      assert.notEqual(created.metadata.resourceVersion, '999');
      assert.equal(created.metadata.creationTimestamp, '2024-05-01T12:00:00Z');
      assert.equal(created.metadata.deletionTimestamp, undefined);
    });

    it('drops the status of workloads: controllers report it', async () => {
      const created = await registry.create('deployments.apps', 'default', { ...deployment('d'), status: { replicas: 5 } }, ctx);
      assert.deepEqual(created.status, {});
      const rs = await registry.create(
        'replicasets.apps',
        'default',
        { ...deployment('r'), kind: 'ReplicaSet', spec: { ...(deployment('r').spec as object) }, status: { replicas: 3 } },
        ctx,
      );
      assert.deepEqual(rs.status, { replicas: 0 });
    });

    it('rejects a body of another kind or apiVersion with 400', async () => {
      assert.equal((await rejection(registry.create('pods', 'default', { ...pod('a'), kind: 'Service' }, ctx))).code, 400);
      assert.equal((await rejection(registry.create('deployments.apps', 'default', { ...deployment('d'), apiVersion: 'v1' }, ctx))).code, 400);
    });

    it('takes the namespace from the URL and rejects a different one in the body', async () => {
      const err = await rejection(registry.create('pods', 'kube-system', pod('a'), ctx));
      assert.equal(err.code, 400);
      assert.equal(err.message, 'the namespace of the provided object does not match the namespace sent on the request');
      const noNamespace = pod('b');
      delete noNamespace.metadata.namespace;
      assert.equal((await registry.create('pods', 'kube-system', noNamespace, ctx)).metadata.namespace, 'kube-system');
    });

    it('fails with 404 in a namespace that does not exist', async () => {
      const err = await rejection(registry.create('pods', 'nowhere', pod('a', { namespace: 'nowhere' }), ctx));
      assert.equal(err.code, 404);
      assert.equal(err.message, 'namespaces "nowhere" not found');
    });

    it('fails with 409 AlreadyExists', async () => {
      await registry.create('pods', 'default', pod('a'), ctx);
      const err = await rejection(registry.create('pods', 'default', pod('a'), ctx));
      assert.equal(err.code, 409);
      assert.equal(err.reason, 'AlreadyExists');
    });

    it('generates names from generateName, drawing again on a collision', async () => {
      const body = pod('');
      body.metadata = { namespace: 'default', generateName: 'web-' };
      const first = await registry.create('pods', 'default', body, ctx);
      assert.match(first.metadata.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      // The same random sequence again: the first draw collides with `first`, the second does not.
      let seed = 0;
      const replay = new ResourceRegistry({ store, clock: () => now, random: () => ((seed += 7) % 27) / 27 });
      const second = await replay.create('pods', 'default', body, ctx);
      assert.notEqual(second.metadata.name, first.metadata.name);
      assert.match(second.metadata.name!, /^web-/);
    });

    it('answers 422 with field paths when validation fails, and writes nothing', async () => {
      const bad = pod('a');
      bad.spec.containers[0].image = '';
      const before = store.currentResourceVersion();
      const err = await rejection(registry.create('pods', 'default', bad, ctx));
      assert.equal(err.code, 422);
      assert.equal(err.reason, 'Invalid');
      assert.match(err.message, /^Pod "a" is invalid: .*spec\.containers\[0\]\.image: Required value/);
      assert.ok(err.details?.causes?.some((c) => c.field === 'spec.containers[0].image' && c.reason === 'FieldValueRequired'));
      assert.equal(store.currentResourceVersion(), before);
    });

    it('Strict field validation rejects unknown fields with the real server message', async () => {
      const one = await rejection(registry.create('pods', 'default', { ...pod('a'), spec: { ...pod('a').spec, foo: 1 } }, ctx));
      assert.equal(one.code, 400);
      assert.equal(one.reason, 'BadRequest');
      assert.equal(one.message, 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"');
      const two = await rejection(registry.create('pods', 'default', { ...pod('a'), spec: { ...pod('a').spec, foo: 1, bar: 2 } }, ctx));
      assert.match(two.message, /strict decoding error: unknown field "spec\.(foo|bar)", unknown field "spec\.(foo|bar)"$/);
    });

    it('Warn field validation stores the object and returns warnings; Ignore drops the fields', async () => {
      const warn = userContext({ fieldValidation: 'Warn' });
      const warned = await registry.create('pods', 'default', { ...pod('a'), spec: { ...pod('a').spec, foo: 1 } }, warn);
      assert.deepEqual(warn.warnings, ['unknown field "spec.foo"']);
      assert.equal((warned.spec as Record<string, unknown>).foo, 1);
      const ignored = await registry.create('pods', 'default', { ...pod('b'), spec: { ...pod('b').spec, foo: 1 } }, userContext({ fieldValidation: 'Ignore' }));
      assert.equal((ignored.spec as Record<string, unknown>).foo, undefined);
    });

    it('dryRun returns the would-be object and writes nothing', async () => {
      const before = store.currentResourceVersion();
      const result = (await registry.create('pods', 'default', pod('a'), userContext({ dryRun: true }))) as Pod;
      assert.equal(result.metadata.name, 'a');
      assert.equal(result.spec.restartPolicy, 'Always');
      assert.equal(store.currentResourceVersion(), before);
      assert.equal((await rejection(registry.get('pods', 'default', 'a', ctx))).code, 404);
    });

    it('merges Secret stringData into data', async () => {
      const secret = await registry.create(
        'secrets',
        'default',
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'hunter2' } },
        ctx,
      );
      assert.equal((secret.data as Record<string, string>).password, Buffer.from('hunter2').toString('base64'));
    });
  });

  describe('update', () => {
    it('fails with 409 Conflict on a stale resourceVersion', async () => {
      const created = await registry.create('pods', 'default', pod('a'), ctx);
      await registry.update('pods', 'default', 'a', { ...created, metadata: { ...created.metadata, labels: { v: '2' } } }, ctx);
      const err = await rejection(registry.update('pods', 'default', 'a', created, ctx));
      assert.equal(err.code, 409);
      assert.equal(err.reason, 'Conflict');
    });

    it('ignores status on the main resource and takes only status through /status', async () => {
      const created = (await registry.create('pods', 'default', pod('a'), ctx)) as Pod;
      const viaMain = (await registry.update('pods', 'default', 'a', { ...created, status: { phase: 'Running' } } as Pod, ctx)) as Pod;
      assert.equal(viaMain.status?.phase, 'Pending');
      const viaStatus = (await registry.update(
        'pods',
        'default',
        'a',
        { ...viaMain, metadata: { ...viaMain.metadata, labels: { sneaky: 'yes' } }, status: { phase: 'Running', podIP: '10.244.0.5' } } as Pod,
        ctx,
        'status',
      )) as Pod;
      assert.deepEqual(viaStatus.status, { phase: 'Running', podIP: '10.244.0.5' });
      assert.deepEqual(viaStatus.metadata.labels, { app: 'web' }, '/status does not change metadata');
      assert.equal(viaStatus.metadata.generation, 1);
    });

    it('keeps creationTimestamp and refuses another uid', async () => {
      const created = await registry.create('pods', 'default', pod('a'), ctx);
      const moved = await registry.update('pods', 'default', 'a', { ...created, metadata: { ...created.metadata, creationTimestamp: '2000-01-01T00:00:00Z' } }, ctx);
      assert.equal(moved.metadata.creationTimestamp, created.metadata.creationTimestamp);
      const err = await rejection(registry.update('pods', 'default', 'a', { ...moved, metadata: { ...moved.metadata, uid: 'other' } }, ctx));
      assert.equal(err.code, 409);
    });

    it('bumps generation on spec changes only and validates against the old object', async () => {
      const created = await registry.create('deployments.apps', 'default', deployment('d'), ctx);
      const relabelled = await registry.update('deployments.apps', 'default', 'd', { ...created, metadata: { ...created.metadata, labels: { x: 'y' } } }, ctx);
      assert.equal(relabelled.metadata.generation, 1);
      const rescaled = await registry.update('deployments.apps', 'default', 'd', { ...relabelled, spec: { ...(relabelled.spec as object), replicas: 5 } }, ctx);
      assert.equal(rescaled.metadata.generation, 2);

      const p = (await registry.create('pods', 'default', pod('p'), ctx)) as Pod;
      const changed = { ...p, spec: { ...p.spec, containers: [{ ...p.spec.containers[0], name: 'renamed' }] } };
      assert.equal((await rejection(registry.update('pods', 'default', 'p', changed, ctx))).code, 422);
    });

    it('rejects a body naming another object', async () => {
      const created = await registry.create('pods', 'default', pod('a'), ctx);
      assert.equal((await rejection(registry.update('pods', 'default', 'b', created, ctx))).code, 400);
    });
  });

  describe('patch', () => {
    it('applies a merge patch to the latest object', async () => {
      await registry.create('pods', 'default', pod('a'), ctx);
      const patched = await registry.patch('pods', 'default', 'a', { metadata: { labels: { tier: 'fe', app: null } } }, 'merge', ctx);
      assert.deepEqual(patched.metadata.labels, { tier: 'fe' });
    });

    it('applies a strategic merge patch by container name (kubectl set image)', async () => {
      await registry.create('deployments.apps', 'default', deployment('d'), ctx);
      const patch = { spec: { template: { spec: { containers: [{ name: 'c', image: 'img:2' }] } } } };
      const patched = await registry.patch('deployments.apps', 'default', 'd', patch, 'strategic', ctx);
      const spec = patched.spec as { template: { spec: { containers: { name: string; image: string }[] } } };
      assert.deepEqual(spec.template.spec.containers.map((c) => [c.name, c.image]), [['c', 'img:2']]);
      assert.equal(patched.metadata.generation, 2);
    });

    it('applies a JSON patch (kubectl rollout undo)', async () => {
      await registry.create('deployments.apps', 'default', deployment('d'), ctx);
      const patched = await registry.patch('deployments.apps', 'default', 'd', [{ op: 'replace', path: '/spec/replicas', value: 7 }], 'json', ctx);
      assert.equal((patched.spec as { replicas: number }).replicas, 7);
    });

    it('treats a resourceVersion in the patch as a precondition', async () => {
      const created = await registry.create('pods', 'default', pod('a'), ctx);
      await registry.patch('pods', 'default', 'a', { metadata: { labels: { v: '2' } } }, 'merge', ctx);
      const err = await rejection(
        registry.patch('pods', 'default', 'a', { metadata: { resourceVersion: created.metadata.resourceVersion, labels: { v: '3' } } }, 'merge', ctx),
      );
      assert.equal(err.code, 409);
    });

    it('ignores status on the main resource and takes only status through /status', async () => {
      await registry.create('pods', 'default', pod('a'), ctx);
      const viaMain = (await registry.patch('pods', 'default', 'a', { status: { phase: 'Running' } }, 'merge', ctx)) as Pod;
      assert.equal(viaMain.status?.phase, 'Pending');
      const viaStatus = (await registry.patch('pods', 'default', 'a', { status: { phase: 'Running' }, spec: { nodeName: 'x' } }, 'merge', ctx, 'status')) as Pod;
      assert.equal(viaStatus.status?.phase, 'Running');
      assert.equal(viaStatus.spec.nodeName, undefined);
    });

    it('fails with 404 when the object does not exist', async () => {
      assert.equal((await rejection(registry.patch('pods', 'default', 'nope', {}, 'merge', ctx))).code, 404);
    });
  });

  describe('scale', () => {
    it('reads a Deployment as an autoscaling/v1 Scale', async () => {
      const created = await registry.create('deployments.apps', 'default', deployment('nginx', 4), ctx);
      const scale = await registry.getScale('deployments.apps', 'default', 'nginx', ctx);
      assert.deepEqual(scale, {
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        metadata: {
          name: 'nginx',
          namespace: 'default',
          uid: created.metadata.uid,
          resourceVersion: created.metadata.resourceVersion,
          creationTimestamp: created.metadata.creationTimestamp,
        },
        spec: { replicas: 4 },
        status: { replicas: 0, selector: 'app=nginx' },
      });
    });

    it('prints a ReplicationController equality selector', async () => {
      const rc = {
        apiVersion: 'v1',
        kind: 'ReplicationController',
        metadata: { name: 'rc1' },
        spec: { replicas: 1, selector: { app: 'web', tier: 'fe' }, template: { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: pod('x').spec } },
      };
      await registry.create('replicationcontrollers', 'default', rc, ctx);
      const scale = await registry.getScale('replicationcontrollers', 'default', 'rc1', ctx);
      assert.equal((scale.status as { selector: string }).selector, 'app=web,tier=fe');
    });

    it('writes spec.replicas through a patch or an update of /scale', async () => {
      await registry.create('deployments.apps', 'default', deployment('d', 1), ctx);
      const patched = await registry.patch('deployments.apps', 'default', 'd', { spec: { replicas: 3 } }, 'merge', ctx, 'scale');
      assert.equal(patched.kind, 'Scale');
      assert.deepEqual(patched.spec, { replicas: 3 });
      const stored = await registry.get('deployments.apps', 'default', 'd', ctx);
      assert.equal((stored.spec as { replicas: number }).replicas, 3);
      assert.equal(stored.metadata.generation, 2);

      const scale = await registry.getScale('deployments.apps', 'default', 'd', ctx);
      const put = await registry.update('deployments.apps', 'default', 'd', { ...scale, spec: { replicas: 0 } }, ctx, 'scale');
      assert.deepEqual(put.spec, { replicas: 0 });
      assert.equal((await rejection(registry.update('deployments.apps', 'default', 'd', scale, ctx, 'scale'))).code, 409, 'stale Scale');
      assert.equal((await rejection(registry.patch('deployments.apps', 'default', 'd', { spec: { replicas: -1 } }, 'merge', ctx, 'scale'))).code, 422);
    });

    it('has no /scale for pods', async () => {
      await registry.create('pods', 'default', pod('a'), ctx);
      assert.equal((await rejection(registry.getScale('pods', 'default', 'a', ctx))).code, 404);
    });
  });

  describe('delete', () => {
    it('removes an unbound pod at once', async () => {
      await registry.create('pods', 'default', pod('a'), ctx);
      const deleted = await registry.delete('pods', 'default', 'a', {}, ctx);
      assert.equal(deleted.metadata.name, 'a');
      assert.equal((await rejection(registry.get('pods', 'default', 'a', ctx))).code, 404);
    });

    it('marks a pod bound to a node for graceful deletion; a second delete only shortens the grace', async () => {
      await registry.create('pods', 'default', pod('a', { nodeName: 'node-1' }), ctx);
      const marked = await registry.delete('pods', 'default', 'a', { propagationPolicy: 'Background' }, ctx);
      assert.equal(marked.metadata.deletionTimestamp, '2024-05-01T12:00:30Z');
      assert.equal(marked.metadata.deletionGracePeriodSeconds, 30);
      assert.ok(await registry.get('pods', 'default', 'a', ctx), 'still there while the kubelet stops it');

      const longer = await registry.delete('pods', 'default', 'a', { gracePeriodSeconds: 60 }, ctx);
      assert.equal(longer.metadata.deletionTimestamp, '2024-05-01T12:00:30Z');
      const shorter = await registry.delete('pods', 'default', 'a', { gracePeriodSeconds: 5 }, ctx);
      assert.equal(shorter.metadata.deletionTimestamp, '2024-05-01T12:00:05Z');
      assert.equal(shorter.metadata.deletionGracePeriodSeconds, 5);

      // What the kubelet does once the containers are stopped:
      await registry.delete('pods', 'default', 'a', { gracePeriodSeconds: 0 }, ctx);
      assert.equal((await rejection(registry.get('pods', 'default', 'a', ctx))).code, 404);
    });

    it('uses the pod terminationGracePeriodSeconds and removes finished pods at once', async () => {
      const body = pod('a', { nodeName: 'node-1' });
      body.spec.terminationGracePeriodSeconds = 10;
      await registry.create('pods', 'default', body, ctx);
      assert.equal((await registry.delete('pods', 'default', 'a', {}, ctx)).metadata.deletionGracePeriodSeconds, 10);

      await registry.create('pods', 'default', pod('done', { nodeName: 'node-1' }), ctx);
      await registry.patch('pods', 'default', 'done', { status: { phase: 'Succeeded' } }, 'merge', ctx, 'status');
      await registry.delete('pods', 'default', 'done', {}, ctx);
      assert.equal((await rejection(registry.get('pods', 'default', 'done', ctx))).code, 404);
    });

    it('checks preconditions and writes nothing on dryRun', async () => {
      const created = await registry.create('configmaps', 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } }, ctx);
      assert.equal((await rejection(registry.delete('configmaps', 'default', 'cm', { preconditions: { uid: 'other' } }, ctx))).code, 409);
      assert.equal((await rejection(registry.delete('configmaps', 'default', 'cm', { preconditions: { resourceVersion: '1' } }, ctx))).code, 409);
      await registry.delete('configmaps', 'default', 'cm', { dryRun: true }, ctx);
      await registry.delete('configmaps', 'default', 'cm', {}, userContext({ dryRun: true }));
      assert.ok(await registry.get('configmaps', 'default', 'cm', ctx));
      await registry.delete('configmaps', 'default', 'cm', { preconditions: { uid: created.metadata.uid } }, ctx);
      assert.equal((await rejection(registry.delete('configmaps', 'default', 'cm', {}, ctx))).code, 404);
    });
  });

  describe('namespaces', () => {
    async function createNamespace(name: string): Promise<void> {
      await registry.create('namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, ctx);
    }

    it('refuses to delete the system namespaces', async () => {
      for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
        const err = await rejection(registry.delete('namespaces', undefined, name, {}, ctx));
        assert.equal(err.code, 403);
        assert.equal(err.message, `namespaces "${name}" is forbidden: this namespace may not be deleted`);
      }
    });

    it('removes an empty namespace at once', async () => {
      await createNamespace('lab');
      const deleted = await registry.delete('namespaces', undefined, 'lab', {}, ctx);
      assert.equal((deleted.status as { phase: string }).phase, 'Terminating');
      assert.equal((await rejection(registry.get('namespaces', undefined, 'lab', ctx))).code, 404);
    });

    it('deletes the content, waits for running pods, and refuses new content meanwhile', async () => {
      await createNamespace('lab');
      await registry.create('pods', 'lab', pod('running', { namespace: 'lab', nodeName: 'node-1' }), ctx);
      await registry.create('pods', 'lab', pod('pending', { namespace: 'lab' }), ctx);
      await registry.create('deployments.apps', 'lab', { ...deployment('d'), metadata: { name: 'd', namespace: 'lab' } }, ctx);

      const terminating = await registry.delete('namespaces', undefined, 'lab', {}, ctx);
      assert.equal((terminating.status as { phase: string }).phase, 'Terminating');
      assert.equal(terminating.metadata.deletionTimestamp, '2024-05-01T12:00:00Z');
      assert.deepEqual((await registry.list('pods', { namespace: 'lab' }, ctx)).items.map((p) => p.metadata.name), ['running']);
      assert.equal((await registry.list('deployments.apps', { namespace: 'lab' }, ctx)).items.length, 0);
      assert.ok((await registry.get('pods', 'lab', 'running', ctx)).metadata.deletionTimestamp, 'the bound pod terminates gracefully');

      const err = await rejection(registry.create('pods', 'lab', pod('new', { namespace: 'lab' }), ctx));
      assert.equal(err.code, 403);
      assert.match(err.message, /unable to create new content in namespace lab because it is being terminated$/);

      await registry.delete('pods', 'lab', 'running', { gracePeriodSeconds: 0 }, ctx);
      assert.equal((await rejection(registry.get('namespaces', undefined, 'lab', ctx))).code, 404, 'the last pod out removes the namespace');
    });

    it('resumes a namespace deletion that a restart interrupted', async () => {
      await createNamespace('lab');
      await registry.create('configmaps', 'lab', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } }, ctx);
      // The state a crash could leave: the namespace marked, its content not yet deleted.
      await store.guaranteedUpdate('namespaces', undefined, 'lab', (ns) => ({
        ...ns,
        metadata: { ...ns.metadata, deletionTimestamp: '2024-05-01T12:00:00Z' },
        status: { phase: 'Terminating' },
      }));
      await new ResourceRegistry({ store, clock: () => now }).ensureSystemNamespaces();
      assert.equal((await rejection(registry.get('namespaces', undefined, 'lab', ctx))).code, 404);
      assert.equal((await store.list('configmaps', { namespace: 'lab' })).items.length, 0);
    });
  });

  describe('list and watch', () => {
    beforeEach(async () => {
      await registry.create('namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab' } }, ctx);
      await registry.create('pods', 'default', pod('web-1', { labels: { app: 'web' }, nodeName: 'node-1' }), ctx);
      await registry.create('pods', 'default', pod('db-1', { labels: { app: 'db' } }), ctx);
      await registry.create('pods', 'lab', pod('web-2', { namespace: 'lab', labels: { app: 'web' } }), ctx);
    });

    it('scopes by namespace and filters by label and field selectors', async () => {
      const names = async (options: object) => (await registry.list('pods', options, ctx)).items.map((p) => p.metadata.name);
      assert.deepEqual(await names({}), ['db-1', 'web-1', 'web-2']);
      assert.deepEqual(await names({ namespace: 'default' }), ['db-1', 'web-1']);
      assert.deepEqual(await names({ labelSelector: 'app in (web,cache)' }), ['web-1', 'web-2']);
      assert.deepEqual(await names({ fieldSelector: 'spec.nodeName=node-1' }), ['web-1']);
      assert.deepEqual(await names({ namespace: 'default', fieldSelector: 'metadata.name=db-1' }), ['db-1']);
      const list = await registry.list('pods', {}, ctx);
      assert.equal(list.kind, 'PodList');
      assert.equal(list.apiVersion, 'v1');
      assert.equal(list.metadata.resourceVersion, registry.currentResourceVersion());
    });

    it('watches from "0" with ADDED for current objects, then live changes', async () => {
      const events: WatchEvent[] = [];
      const stop = registry.watch('pods', { resourceVersion: '0', labelSelector: 'app=web' }, ctx, (e) => events.push(e));
      await registry.patch('pods', 'default', 'web-1', { metadata: { labels: { app: 'web', v: '2' } } }, 'merge', ctx);
      await registry.patch('pods', 'default', 'db-1', { metadata: { labels: { app: 'web' } } }, 'merge', ctx);
      stop();
      assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [
        ['ADDED', 'web-1'],
        ['ADDED', 'web-2'],
        ['MODIFIED', 'web-1'],
        ['ADDED', 'db-1'],
      ]);
    });

    it('resumes from a list resourceVersion and rejects a malformed one', async () => {
      const list = await registry.list('pods', { namespace: 'default' }, ctx);
      await registry.delete('pods', 'default', 'db-1', {}, ctx);
      const events: WatchEvent[] = [];
      registry.watch('pods', { namespace: 'default', resourceVersion: list.metadata.resourceVersion }, ctx, (e) => events.push(e));
      assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [['DELETED', 'db-1']]);
      assert.throws(() => registry.watch('pods', { resourceVersion: 'abc' }, ctx, () => {}), (err: ApiError) => err.code === 400);
    });
  });

  it('serves internal callers with Ignore validation', async () => {
    const created = await registry.create('pods', 'default', { ...pod('a'), spec: { ...pod('a').spec, foo: 1 } }, internalContext());
    assert.equal((created.spec as Record<string, unknown>).foo, undefined);
  });
});
