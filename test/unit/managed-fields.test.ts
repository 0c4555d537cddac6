import assert from 'node:assert/strict';
import { fieldPathString, fieldSetOf, fromFieldsV1, toFieldsV1 } from '../../lib/api/field-set.js';
import { applyConflictError, managerFromUserAgent, planApply, planUpdateManagedFields, type ManagedFieldsEntry, type WriteScope } from '../../lib/api/managed-fields.js';
import type { KubeObject } from '../../lib/api/types.js';

const scope: WriteScope = { resource: 'deployments.apps', apiVersion: 'apps/v1', fields: { except: ['status'] }, now: '2026-01-01T00:00:00Z' };
const later = { ...scope, now: '2026-01-01T00:05:00Z' };

function deployment(replicas: number, image = 'nginx:1', extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80 }] }] } },
      ...extra,
    },
    status: { replicas: 1 },
  };
}

const paths = (entry: ManagedFieldsEntry | undefined): string[] => [...fromFieldsV1(entry?.fieldsV1)].map((k) => fieldPathString(JSON.parse(k) as string[])).sort();
const entryOf = (entries: ManagedFieldsEntry[], manager: string) => entries.find((e) => e.manager === manager);

describe('field sets (structured-merge-diff paths)', () => {
  it('names leaves with f:, associative list elements with k: by the strategic merge key, set lists with v:', () => {
    const set = fieldSetOf('deployments.apps', { metadata: { name: 'web', finalizers: ['a/b'] }, spec: { replicas: 2, template: { spec: { containers: [{ name: 'nginx', image: 'x', ports: [{ containerPort: 80 }], command: ['sh'] }] } } } });
    assert.deepEqual(toFieldsV1(set), {
      'f:metadata': { 'f:finalizers': { 'v:"a/b"': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': { '.': {}, 'f:command': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80}': { '.': {}, 'f:containerPort': {} } } },
            },
          },
        },
      },
    });
  });

  it('reads FieldsV1 back into the same set, and prints paths as kube-apiserver does', () => {
    const set = fieldSetOf('services', { spec: { ports: [{ port: 80, name: 'http' }], selector: { app: 'x' } } });
    assert.deepEqual(fromFieldsV1(toFieldsV1(set)), set);
    assert.deepEqual([...set].map((k) => fieldPathString(JSON.parse(k) as string[])).sort(), ['.spec.ports[port=80]', '.spec.ports[port=80].name', '.spec.ports[port=80].port', '.spec.selector.app']);
  });
});

describe('planUpdateManagedFields (operation Update)', () => {
  it('a create gives the creator every field but identity and status', () => {
    const entries = planUpdateManagedFields({ scope, next: deployment(1), entries: undefined, manager: 'kubectl-create' });
    assert.equal(entries.length, 1);
    assert.deepEqual({ ...entries[0], fieldsV1: undefined }, { manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: scope.now, fieldsType: 'FieldsV1', fieldsV1: undefined });
    assert.ok(paths(entries[0]).includes('.spec.replicas'));
    assert.ok(!paths(entries[0]).some((p) => p.startsWith('.status') || p === '.metadata.name'));
  });

  it('another updater takes over the field it changed; the first keeps the rest and its time', () => {
    const created = planUpdateManagedFields({ scope, next: deployment(1), entries: undefined, manager: 'kubectl-create' });
    const scaled = planUpdateManagedFields({ scope: later, live: deployment(1), next: deployment(3), entries: created, manager: 'kubectl-scale' });
    assert.deepEqual(paths(entryOf(scaled, 'kubectl-scale')), ['.spec.replicas']);
    assert.ok(!paths(entryOf(scaled, 'kubectl-create')).includes('.spec.replicas'));
    assert.equal(entryOf(scaled, 'kubectl-create')?.time, scope.now);
    assert.equal(entryOf(scaled, 'kubectl-scale')?.time, later.now);
  });

  it('a write that changes nothing adds no entry', () => {
    assert.deepEqual(planUpdateManagedFields({ scope: later, live: deployment(1), next: deployment(1), entries: [], manager: 'x' }), []);
  });
});

describe('planApply (server-side apply)', () => {
  const config = (replicas: number, image = 'nginx:1'): KubeObject => {
    const d = deployment(replicas, image);
    delete d.status;
    return d;
  };
  const created = planUpdateManagedFields({ scope, next: deployment(1), entries: undefined, manager: 'kubectl-client-side-apply' });

  it('creates when there is no live object: the applier owns exactly what it applied', () => {
    const plan = planApply({ scope, config: config(2), entries: undefined, manager: 'kubectl', force: false });
    assert.ok(!plan.conflicts);
    assert.equal((plan.object.spec as { replicas: number }).replicas, 2);
    assert.equal(plan.managedFields[0].operation, 'Apply');
    assert.ok(paths(plan.managedFields[0]).includes('.spec.template.spec.containers[name="nginx"].image'));
  });

  it('the same value as another manager: no conflict, the field is shared', () => {
    const plan = planApply({ scope: later, live: { ...deployment(1), metadata: { ...deployment(1).metadata, managedFields: created } }, config: config(1), entries: created, manager: 'kubectl', force: false });
    assert.ok(!plan.conflicts);
    assert.ok(paths(entryOf(plan.managedFields, 'kubectl-client-side-apply')).includes('.spec.replicas'));
    assert.ok(paths(entryOf(plan.managedFields, 'kubectl')).includes('.spec.replicas'));
  });

  it('another value for a field another manager owns: a conflict naming the manager and the field', () => {
    const plan = planApply({ scope: later, live: deployment(1), config: config(3), entries: created, manager: 'kubectl', force: false });
    assert.ok(plan.conflicts);
    const error = applyConflictError(plan.conflicts);
    assert.equal(error.code, 409);
    assert.equal(error.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    assert.deepEqual(error.toStatus().details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }] });
  });

  it('two conflicting fields read as kube-apiserver lists them', () => {
    const plan = planApply({ scope: later, live: deployment(1), config: config(3, 'nginx:2'), entries: created, manager: 'kubectl', force: false });
    assert.ok(plan.conflicts);
    assert.equal(
      applyConflictError(plan.conflicts).message,
      'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
    );
  });

  it('force takes the field: the applier owns it, the other manager no longer does', () => {
    const plan = planApply({ scope: later, live: deployment(1), config: config(3), entries: created, manager: 'kubectl', force: true });
    assert.ok(!plan.conflicts);
    assert.equal((plan.object.spec as { replicas: number }).replicas, 3);
    assert.ok(!paths(entryOf(plan.managedFields, 'kubectl-client-side-apply')).includes('.spec.replicas'));
    assert.ok(paths(entryOf(plan.managedFields, 'kubectl')).includes('.spec.replicas'));
  });

  it('a field the applier applied before and leaves out now is removed, unless another manager owns it', () => {
    const first = planApply({ scope, config: { ...config(1), metadata: { name: 'web', labels: { app: 'web', tier: 'front' } } }, entries: undefined, manager: 'a', force: false });
    assert.ok(!first.conflicts);
    const second = planApply({ scope: later, live: first.object, config: config(1), entries: first.managedFields, manager: 'a', force: false });
    assert.ok(!second.conflicts);
    assert.deepEqual(second.object.metadata.labels, { app: 'web' });
    // Owned by another manager too: it stays.
    const shared = planUpdateManagedFields({ scope, live: first.object, next: { ...first.object, metadata: { ...first.object.metadata, labels: { app: 'web', tier: 'back' } } }, entries: first.managedFields, manager: 'editor' });
    const kept = planApply({ scope: later, live: { ...first.object, metadata: { ...first.object.metadata, labels: { app: 'web', tier: 'back' } } }, config: config(1), entries: shared, manager: 'a', force: false });
    assert.ok(!kept.conflicts);
    assert.deepEqual(kept.object.metadata.labels, { app: 'web', tier: 'back' });
  });

  it('a container the applier no longer lists is removed as a whole', () => {
    const two = config(1);
    (two.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers.push({ name: 'side', image: 'busybox' });
    const first = planApply({ scope, config: two, entries: undefined, manager: 'a', force: false });
    assert.ok(!first.conflicts);
    const second = planApply({ scope: later, live: first.object, config: config(1), entries: first.managedFields, manager: 'a', force: false });
    assert.ok(!second.conflicts);
    assert.deepEqual((second.object.spec as { template: { spec: { containers: { name: string }[] } } }).template.spec.containers.map((c) => c.name), ['nginx']);
  });
});

describe('managerFromUserAgent', () => {
  for (const [agent, manager] of [
    ['kubectl/v1.32.0 (linux/amd64) kubernetes/abc', 'kubectl'],
    ['kubelab/0.1.0', 'kubelab'],
    ['', ''],
  ] as const) {
    it(`${JSON.stringify(agent)} → ${JSON.stringify(manager)}`, () => assert.equal(managerFromUserAgent(agent), manager));
  }
});
