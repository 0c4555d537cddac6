import assert from 'node:assert/strict';
import { applyDefaults } from '../../lib/api/defaults.js';
import type { KubeObject, StatefulSet } from '../../lib/api/types.js';
import { validateObject } from '../../lib/api/validation.js';
import { printerFor } from '../../lib/printers/tables.js';
import { resourceByKey } from '../../lib/api/resources.js';
import { statefulSetRolloutStatus } from '../../cli/rollout/stateful-set-rollout.js';

// covers: StatefulSet spec.revisionHistoryLimit, spec.selector, spec.template

function statefulSet(spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      serviceName: 'web',
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'kubelab/busybox:1', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...spec,
    },
  };
}

const defaulted = (obj: KubeObject) => {
  applyDefaults('statefulsets.apps', obj);
  return obj;
};
const problems = (obj: KubeObject, old?: KubeObject) => validateObject('statefulsets.apps', defaulted(obj), old).map((e) => `${e.field}: ${e.message}`);

describe('StatefulSet API', () => {
  it('is served as apps/v1 statefulsets (sts) with status and scale', () => {
    const info = resourceByKey('statefulsets.apps');
    assert.deepEqual([info?.kind, info?.shortNames, info?.subresources.map((s) => s.name)], ['StatefulSet', ['sts'], ['scale', 'status']]);
  });

  it('defaults as apps/v1 does', () => {
    const sts = defaulted(statefulSet()) as StatefulSet;
    assert.equal(sts.spec.replicas, 1);
    assert.equal(sts.spec.podManagementPolicy, 'OrderedReady');
    assert.deepEqual(sts.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
    assert.equal(sts.spec.revisionHistoryLimit, 10);
    assert.equal(sts.spec.volumeClaimTemplates?.[0].kind, 'PersistentVolumeClaim');
  });

  it('accepts a mount of a claim template that is not among the template volumes', () => {
    assert.deepEqual(problems(statefulSet()), []);
  });

  const refusals: [string, Record<string, unknown>, string][] = [
    ['maxUnavailable (alpha in Kubernetes)', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } }, 'spec.updateStrategy.rollingUpdate.maxUnavailable: Forbidden: kubelab does not support this field (alpha in Kubernetes'],
    ['a negative partition', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: -1 } } }, 'spec.updateStrategy.rollingUpdate.partition: Invalid value'],
    ['rollingUpdate with OnDelete', { updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } } }, 'spec.updateStrategy.rollingUpdate: Forbidden'],
    ['an unknown podManagementPolicy', { podManagementPolicy: 'Sometimes' }, 'spec.podManagementPolicy: Unsupported value'],
    ['a claim template without a name', { volumeClaimTemplates: [{ metadata: {}, spec: {} }] }, 'spec.volumeClaimTemplates[0].metadata.name: Required value'],
    ['a selector that misses the template', { selector: { matchLabels: { app: 'other' } } }, 'spec.template.metadata.labels: Invalid value'],
    ['an unknown retention policy', { persistentVolumeClaimRetentionPolicy: { whenScaled: 'Archive' } }, 'spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value'],
  ];
  for (const [title, spec, expected] of refusals) {
    it(`refuses ${title}`, () => assert.ok(problems(statefulSet(spec)).some((p) => p.startsWith(expected)), problems(statefulSet(spec)).join('\n')));
  }

  it('refuses changing serviceName or the claim templates, allows replicas and template', () => {
    const old = defaulted(statefulSet());
    assert.ok(problems(statefulSet({ serviceName: 'other' }), old).some((p) => p.startsWith('spec: Forbidden: updates to statefulset spec')));
    assert.deepEqual(problems(statefulSet({ replicas: 5 }), old), []);
  });

  it('prints NAME READY AGE, and CONTAINERS IMAGES wide', () => {
    const printer = printerFor('statefulsets.apps');
    const sts = { ...defaulted(statefulSet({ replicas: 3 })), status: { replicas: 3, readyReplicas: 2 } };
    assert.deepEqual(printer.columns.map((c) => c.name), ['Name', 'Ready', 'Age', 'Containers', 'Images']);
    assert.deepEqual(printer.cells(sts, new Date()).slice(0, 2), ['web', '2/3']);
  });
});

describe('rollout status (kubectl StatefulSetStatusViewer)', () => {
  const sts = (spec: Partial<StatefulSet['spec']>, status: StatefulSet['status'], generation = 1) =>
    ({ metadata: { name: 'web', generation }, spec: { replicas: 3, selector: {}, template: {}, ...spec }, status }) as unknown as StatefulSet;
  const partition = (p: number) => ({ updateStrategy: { type: 'RollingUpdate' as const, rollingUpdate: { partition: p } } });
  const cases: [string, StatefulSet, string, boolean][] = [
    ['spec not observed', sts(partition(0), { replicas: 0, observedGeneration: 0 }), 'Waiting for statefulset spec update to be observed...\n', false],
    ['pods not ready', sts(partition(0), { replicas: 2, readyReplicas: 1, observedGeneration: 1 }), 'Waiting for 2 pods to be ready...\n', false],
    ['partitioned, pending', sts(partition(1), { replicas: 3, readyReplicas: 3, updatedReplicas: 1, observedGeneration: 1 }), 'Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...\n', false],
    ['partitioned, done', sts(partition(1), { replicas: 3, readyReplicas: 3, updatedReplicas: 2, observedGeneration: 1 }), 'partitioned roll out complete: 2 new pods have been updated...\n', true],
    ['no rollingUpdate, rolling', sts({ updateStrategy: { type: 'RollingUpdate' } }, { replicas: 3, readyReplicas: 3, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'b', observedGeneration: 1 }), 'waiting for statefulset rolling update to complete 1 pods at revision b...\n', false],
    ['no rollingUpdate, done', sts({ updateStrategy: { type: 'RollingUpdate' } }, { replicas: 3, readyReplicas: 3, currentReplicas: 3, currentRevision: 'b', updateRevision: 'b', observedGeneration: 1 }), 'statefulset rolling update complete 3 pods at revision b...\n', true],
  ];
  for (const [title, obj, message, done] of cases) it(title, () => assert.deepEqual(statefulSetRolloutStatus(obj), { message, done }));
  it('refuses OnDelete as kubectl does', () => assert.throws(() => statefulSetRolloutStatus(sts({ updateStrategy: { type: 'OnDelete' } }, { replicas: 0 })), /only available for RollingUpdate/));
});
