import assert from 'node:assert/strict';
import { applyDefaults } from '../../lib/api/defaults.js';
import { findUnknownFields } from '../../lib/api/schemas/known-fields.js';
import type { ControllerRevision, DaemonSet, KubeObject } from '../../lib/api/types.js';
import { validateObject } from '../../lib/api/validation.js';
import { aggregatedDiscovery, apiResourceList } from '../../daemon/api/discovery.js';
import { toTable } from '../../lib/printers/tables.js';
import { daemonSetRolloutStatus, planDaemonSetRollback } from '../../cli/rollout/daemon-set-rollout.js';
import { newRevision } from '../../daemon/controllers/daemonset/revisions.js';

function daemonSet(spec: Record<string, unknown> = {}, template: Record<string, unknown> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'logs', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'logs' } },
      template: { metadata: { labels: { app: 'logs' } }, spec: { containers: [{ name: 'c', image: 'kubelab/busybox:1' }], ...template } },
      ...spec,
    },
  } as DaemonSet;
}

const problems = (obj: KubeObject, resource = 'daemonsets.apps') => {
  applyDefaults(resource, obj);
  return validateObject(resource, obj).map((e) => `${e.field}: ${e.message}`);
};

describe('DaemonSet API: defaults, validation, known fields', () => {
  it('defaults RollingUpdate with maxUnavailable 1 and maxSurge 0, and 10 revisions', () => {
    const ds = daemonSet();
    applyDefaults('daemonsets.apps', ds);
    assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(ds.spec.revisionHistoryLimit, 10);
    assert.equal(ds.spec.template.spec.restartPolicy, 'Always');
    const onDelete = daemonSet({ updateStrategy: { type: 'OnDelete' } });
    applyDefaults('daemonsets.apps', onDelete);
    assert.deepEqual(onDelete.spec.updateStrategy, { type: 'OnDelete' });
  });

  const invalid: { name: string; ds: DaemonSet; expected: string[] }[] = [
    { name: 'a valid one', ds: daemonSet(), expected: [] },
    {
      name: 'a selector that misses the template labels',
      ds: daemonSet({ selector: { matchLabels: { app: 'other' } } }),
      expected: ['spec.template.metadata.labels: Invalid value: {"app":"logs"}: `selector` does not match template `labels`'],
    },
    { name: 'an empty selector', ds: daemonSet({ selector: {} }), expected: ['spec.selector: Invalid value: {}: empty selector is invalid for daemonset'] },
    { name: 'restartPolicy Never', ds: daemonSet({}, { restartPolicy: 'Never' }), expected: ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'] },
    {
      name: 'affinity, which kubelab cannot honour',
      ds: daemonSet({}, { affinity: { nodeAffinity: {} } }),
      expected: ['spec.template.spec.affinity: Forbidden: kubelab does not support affinity for DaemonSet pods (its DaemonSet controller places them itself and would ignore it); choose the nodes with spec.template.spec.nodeSelector and node labels instead'],
    },
    {
      name: 'maxSurge and maxUnavailable both set',
      ds: daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } }),
      expected: ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero'],
    },
    {
      name: 'both zero',
      ds: daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '0%', maxSurge: 0 } } }),
      expected: ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0'],
    },
    {
      name: 'a percentage over 100',
      ds: daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%', maxSurge: 0 } } }),
      expected: ['spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%'],
    },
    {
      name: 'an unknown strategy',
      ds: daemonSet({ updateStrategy: { type: 'Recreate' } }),
      expected: ['spec.updateStrategy.type: Unsupported value: "Recreate": supported values: "OnDelete", "RollingUpdate"'],
    },
    {
      name: 'OnDelete with rollingUpdate',
      ds: daemonSet({ updateStrategy: { type: 'OnDelete', rollingUpdate: { maxUnavailable: 1 } } }),
      expected: ["spec.updateStrategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'OnDelete'"],
    },
    { name: 'a negative revisionHistoryLimit', ds: daemonSet({ revisionHistoryLimit: -1 }), expected: ['spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0'] },
  ];
  for (const c of invalid) {
    it(`validation: ${c.name}`, () => assert.deepEqual(problems(c.ds), c.expected));
  }

  it('keeps the selector immutable', () => {
    const old = daemonSet();
    applyDefaults('daemonsets.apps', old);
    const changed = daemonSet({ selector: { matchLabels: { app: 'logs', tier: 'x' } } }, {});
    changed.spec.template.metadata!.labels = { app: 'logs', tier: 'x' };
    applyDefaults('daemonsets.apps', changed);
    assert.ok(validateObject('daemonsets.apps', changed, old).some((e) => e.field === 'spec.selector' && /immutable/.test(e.message)));
  });

  it('knows the DaemonSet fields (strict decoding) and refuses a typo', () => {
    const ds = daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0, maxUnavailble: 2 } }, minReadySeconds: 0 });
    assert.deepEqual(findUnknownFields('daemonsets.apps', ds), ['spec.updateStrategy.rollingUpdate.maxUnavailble']);
  });

  it('a ControllerRevision needs data, which never changes', () => {
    const revision: ControllerRevision = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'logs-1', namespace: 'default' }, revision: 1 };
    assert.deepEqual(problems(revision, 'controllerrevisions.apps'), ['data: Required value']);
    const old = { ...revision, data: { a: 1 } };
    assert.deepEqual(validateObject('controllerrevisions.apps', { ...revision, data: { a: 2 }, revision: 2 }, old).map((e) => e.field), ['data']);
    assert.deepEqual(validateObject('controllerrevisions.apps', { ...old, revision: 2 }, old), []);
  });
});

describe('DaemonSet API: discovery and tables', () => {
  it('serves daemonsets (ds, status subresource) and controllerrevisions under apps/v1, legacy and aggregated', () => {
    const legacy = apiResourceList('apps', 'v1')!.resources.map((r) => r.name);
    assert.ok(legacy.includes('daemonsets') && legacy.includes('daemonsets/status') && legacy.includes('controllerrevisions'));
    const apps = aggregatedDiscovery(false).items.find((g) => g.metadata.name === 'apps')!;
    const ds = apps.versions[0].resources.find((r) => r.resource === 'daemonsets')!;
    assert.deepEqual([ds.shortNames, ds.categories, ds.subresources?.map((s) => s.subresource)], [['ds'], ['all'], ['status']]);
    assert.ok(apps.versions[0].resources.some((r) => r.resource === 'controllerrevisions'));
  });

  it('prints get ds as kubectl 1.32 does', () => {
    const ds = daemonSet({}, { nodeSelector: { disk: 'ssd', zone: 'a' } });
    ds.metadata.creationTimestamp = '2025-01-01T00:00:00Z';
    ds.status = { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 1, numberAvailable: 2, numberMisscheduled: 0 };
    const table = toTable('daemonsets.apps', [ds], { now: new Date('2025-01-01T00:05:00Z'), includeObject: 'None' });
    assert.deepEqual(table.columnDefinitions.map((c) => [c.name, c.priority]), [
      ['Name', 0], ['Desired', 0], ['Current', 0], ['Ready', 0], ['Up-to-date', 0], ['Available', 0], ['Node Selector', 0], ['Age', 0],
      ['Containers', 1], ['Images', 1], ['Selector', 1],
    ]);
    assert.deepEqual(table.rows[0].cells, ['logs', 3, 3, 2, 1, 2, 'disk=ssd,zone=a', '5m', 'c', 'kubelab/busybox:1', 'app=logs']);
  });

  it('prints controller revisions with their controller and number', () => {
    const ds = daemonSet();
    ds.metadata.uid = 'u1';
    const revision = newRevision(ds, 'abc', 2);
    revision.metadata.creationTimestamp = '2025-01-01T00:00:00Z';
    const table = toTable('controllerrevisions.apps', [revision], { now: new Date('2025-01-01T00:00:30Z'), includeObject: 'None' });
    assert.deepEqual(table.rows[0].cells, ['logs-abc', 'daemonset.apps/logs', 2, '30s']);
  });
});

describe('kubelab rollout for DaemonSets', () => {
  const withStatus = (generation: number, status: Partial<NonNullable<DaemonSet['status']>>) => {
    const ds = daemonSet({ updateStrategy: { type: 'RollingUpdate' } });
    ds.metadata.generation = generation;
    ds.status = { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, numberMisscheduled: 0, observedGeneration: 2, ...status };
    return ds;
  };
  const cases: [string, DaemonSet, string][] = [
    ['not observed yet', withStatus(3, {}), 'Waiting for daemon set spec update to be observed...\n'],
    ['pods to update', withStatus(2, { updatedNumberScheduled: 1, numberAvailable: 3 }), 'Waiting for daemon set "logs" rollout to finish: 1 out of 3 new pods have been updated...\n'],
    ['pods to become available', withStatus(2, { updatedNumberScheduled: 3, numberAvailable: 2 }), 'Waiting for daemon set "logs" rollout to finish: 2 of 3 updated pods are available...\n'],
    ['done', withStatus(2, { updatedNumberScheduled: 3, numberAvailable: 3 }), 'daemon set "logs" successfully rolled out\n'],
  ];
  for (const [name, ds, message] of cases) {
    it(`status: ${name}`, () => assert.equal(daemonSetRolloutStatus(ds).message, message));
  }

  it('status refuses OnDelete, as kubectl does', () => {
    assert.throws(() => daemonSetRolloutStatus(daemonSet({ updateStrategy: { type: 'OnDelete' } })), /only available for RollingUpdate/);
  });

  it('undo picks the revision before the newest, skips a template that already matches, and names a missing one', () => {
    const v1 = daemonSet({}, { containers: [{ name: 'c', image: 'one' }] });
    const v2 = daemonSet({}, { containers: [{ name: 'c', image: 'two' }] });
    const revisions = [newRevision(v1, 'h1', 1), newRevision(v2, 'h2', 2)];
    const plan = planDaemonSetRollback(v2, revisions, 0);
    assert.equal(plan.skip, false);
    assert.deepEqual(plan.skip === false && plan.patch, revisions[0].data);
    assert.deepEqual(planDaemonSetRollback(v2, revisions, 2), { skip: true });
    assert.throws(() => planDaemonSetRollback(v2, revisions, 7), /unable to find specified revision 7 in history/);
    assert.throws(() => planDaemonSetRollback(v2, revisions.slice(1), 0), /no last revision to roll back to/);
  });
});
