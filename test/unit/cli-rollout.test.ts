// The pure parts of `kubelab rollout` and `kubelab set image`: kubectl's status messages in
// kubectl's order, which ReplicaSet an undo goes back to and the JSON patch it sends, the
// history table, and the strategic merge patch of set image.

import assert from 'node:assert/strict';
import type { Deployment, PodTemplateSpec, ReplicaSet } from '../../lib/api/types.js';
import { viewHistory, historyOf } from '../../cli/commands/rollout-history.js';
import { planSetImage, parseImageArgs } from '../../cli/commands/set-image.js';
import { deploymentRolloutStatus } from '../../cli/rollout/deployment-status.js';
import { equalIgnoreHash, findNewReplicaSet, pickRollbackReplicaSet, planRollbackPatch } from '../../cli/rollout/deployment-revisions.js';
import { parseGoDurationMs } from '../../cli/rollout/go-duration.js';

function template(image: string, hash?: string): PodTemplateSpec {
  return {
    metadata: { labels: { app: 'web', ...(hash ? { 'pod-template-hash': hash } : {}) } },
    spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 3000 }] }] },
  };
}

function deployment(status: Deployment['status'], extra: { generation?: number; replicas?: number; image?: string } = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: extra.generation ?? 1, annotations: { 'deployment.kubernetes.io/revision': '2', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
    spec: { replicas: extra.replicas ?? 3, selector: { matchLabels: { app: 'web' } }, template: template(extra.image ?? 'hello:v2') },
    status,
  };
}

function replicaSet(revision: number, image: string, changeCause?: string): ReplicaSet {
  const hash = `h${revision}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${hash}`,
      namespace: 'default',
      creationTimestamp: `2024-01-0${revision}T00:00:00Z`,
      annotations: { 'deployment.kubernetes.io/revision': String(revision), 'deployment.kubernetes.io/desired-replicas': '3', ...(changeCause ? { 'kubernetes.io/change-cause': changeCause } : {}) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true }],
    },
    spec: { replicas: 0, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: template(image, hash) },
  };
}

describe('rollout status (kubectl DeploymentStatusViewer)', () => {
  const cases: [string, Deployment, string, boolean][] = [
    ['spec not yet observed', deployment({ observedGeneration: 1 }, { generation: 2 }), 'Waiting for deployment spec update to be observed...\n', false],
    ['new replicas being created', deployment({ observedGeneration: 1, updatedReplicas: 1, replicas: 4 }), 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...\n', false],
    ['old replicas terminating', deployment({ observedGeneration: 1, updatedReplicas: 3, replicas: 4 }), 'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...\n', false],
    ['new replicas not available', deployment({ observedGeneration: 1, updatedReplicas: 3, replicas: 3, availableReplicas: 2 }), 'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...\n', false],
    ['done', deployment({ observedGeneration: 1, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }), 'deployment "web" successfully rolled out\n', true],
  ];
  for (const [title, d, message, done] of cases) {
    it(title, () => assert.deepEqual(deploymentRolloutStatus(d), { message, done }));
  }

  it('fails on ProgressDeadlineExceeded and on a revision other than the running one', () => {
    const stuck = deployment({ observedGeneration: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] });
    assert.throws(() => deploymentRolloutStatus(stuck), /deployment "web" exceeded its progress deadline/);
    assert.throws(() => deploymentRolloutStatus(deployment({ observedGeneration: 1 }), 5), /desired revision \(5\) is different from the running revision \(2\)/);
  });

  it('parses Go durations', () => {
    assert.equal(parseGoDurationMs('5m', 'timeout'), 300_000);
    assert.equal(parseGoDurationMs('1m30s', 'timeout'), 90_000);
    assert.equal(parseGoDurationMs('0', 'timeout'), 0);
    assert.throws(() => parseGoDurationMs('300', 'timeout'), /invalid argument "300" for "--timeout" flag/);
  });
});

describe('rollout history and undo', () => {
  const owned = [replicaSet(2, 'hello:v2', 'apply v2'), replicaSet(1, 'hello:v1')];

  it('lists revisions sorted, <none> without a change-cause', () => {
    assert.equal(viewHistory(historyOf(owned), 0), 'REVISION  CHANGE-CAUSE\n1         <none>\n2         apply v2\n');
    assert.equal(viewHistory(historyOf([]), 0), 'No rollout history found.');
  });

  it('prints one revision as a pod template with raw tabs, change-cause as an annotation', () => {
    const text = viewHistory(historyOf(owned), 2);
    assert.match(text, /^Pod Template:\n  Labels:\tapp=web\n\tpod-template-hash=h2\n  Annotations:\tkubernetes.io\/change-cause: apply v2\n  Containers:\n   web:\n    Image:\thello:v2\n    Port:\t3000\/TCP\n/);
    assert.match(text, /  Node-Selectors:\t<none>\n  Tolerations:\t<none>\n$/);
    assert.throws(() => viewHistory(historyOf(owned), 7), /unable to find the specified revision/);
  });

  it('undo picks the previous revision, or the one asked for', () => {
    const d = deployment({});
    assert.equal(pickRollbackReplicaSet(d, owned, 0).metadata.name, 'web-h1');
    assert.equal(pickRollbackReplicaSet(d, owned, 2).metadata.name, 'web-h2');
    assert.throws(() => pickRollbackReplicaSet(d, owned, 9), /unable to find specified revision 9 in history/);
    assert.throws(() => pickRollbackReplicaSet(d, [owned[0]], 0), /no rollout history found for deployment "web"/);
  });

  it('undo patches the template without the hash label and takes the ReplicaSet annotations', () => {
    const patch = planRollbackPatch(deployment({}), owned[1]) as { op: string; path: string; value: unknown }[];
    assert.deepEqual(patch[0], {
      op: 'replace',
      path: '/spec/template',
      value: { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'hello:v1', ports: [{ containerPort: 3000 }] }] } },
    });
    assert.deepEqual(patch[1], {
      op: 'replace',
      path: '/metadata/annotations',
      value: { 'deployment.kubernetes.io/revision': '2', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    });
  });

  it('templates equal ignoring the hash label, nulls and empty objects', () => {
    const withNoise = { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'hello:v2', ports: [{ containerPort: 3000 }], resources: {} }] } };
    assert.ok(equalIgnoreHash(template('hello:v2', 'h2'), withNoise as unknown as PodTemplateSpec));
    assert.ok(!equalIgnoreHash(template('hello:v2'), template('hello:v1')));
    assert.equal(findNewReplicaSet(deployment({}), owned)?.metadata.name, 'web-h2');
  });
});

describe('set image', () => {
  const spec = { containers: [{ name: 'web', image: 'hello:v1' }, { name: 'side', image: 'busybox' }] };

  it('patches only changed containers, with the order of all', () => {
    assert.deepEqual(planSetImage(spec, new Map([['web', 'hello:v2']])), {
      specPatch: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'side' }], containers: [{ image: 'hello:v2', name: 'web' }] },
      missing: [],
    });
    assert.deepEqual(planSetImage(spec, new Map([['web', 'hello:v1']])), { specPatch: undefined, missing: [] });
    assert.deepEqual(planSetImage(spec, new Map([['nope', 'x']])).missing, ['nope']);
    assert.equal((planSetImage(spec, new Map([['*', 'x']])).specPatch?.containers as unknown[]).length, 2);
  });

  it('splits object arguments from CONTAINER=IMAGE', () => {
    const { objectArgs, images } = parseImageArgs(['deployment/web', 'web=hello:v2']);
    assert.deepEqual(objectArgs, ['deployment/web']);
    assert.deepEqual([...images], [['web', 'hello:v2']]);
    assert.throws(() => parseImageArgs(['deployment/web']), /at least one image update is required/);
  });
});
