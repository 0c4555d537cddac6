// covers: DaemonSet spec.updateStrategy.type, spec.updateStrategy.rollingUpdate.maxUnavailable, spec.updateStrategy.rollingUpdate.maxSurge, spec.minReadySeconds, spec.revisionHistoryLimit
// covers: ControllerRevision data, revision

import assert from 'node:assert/strict';
import type { Node, Pod, PodSpec, Taint } from '../../../lib/api/types.js';
import { daemonPodTolerations, placeDaemonPod } from '../../../daemon/controllers/daemonset/daemon-placement.js';
import { countDaemonPods, planDaemonSet, resolveRollingBudget, type DaemonUpdateStrategy } from '../../../daemon/controllers/daemonset/plan-daemon-pods.js';
import { historyToClean, newRevision, revisionTemplate, splitHistory } from '../../../daemon/controllers/daemonset/revisions.js';
import type { ControllerRevision, DaemonSet } from '../../../lib/api/types.js';

const NOW = new Date('2025-01-01T01:00:00Z');

function node(name: string, options: { labels?: Record<string, string>; taints?: Taint[] } = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...options.labels } }, spec: { taints: options.taints } };
}

interface DaemonPodOptions {
  hash?: string;
  ready?: boolean;
  readySince?: string;
  deleting?: boolean;
  phase?: 'Running' | 'Failed' | 'Succeeded' | 'Pending';
  created?: string;
}

function daemonPod(name: string, nodeName: string, options: DaemonPodOptions = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: { app: 'logs', 'controller-revision-hash': options.hash ?? 'new' },
      creationTimestamp: options.created ?? '2025-01-01T00:00:00Z',
      ...(options.deleting ? { deletionTimestamp: '2025-01-01T00:59:00Z' } : {}),
    },
    spec: { nodeName, containers: [{ name: 'c', image: 'kubelab/busybox:1' }] },
    status: {
      phase: options.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True', lastTransitionTime: options.readySince ?? '2025-01-01T00:00:00Z' }],
    },
  };
}

function spec(extra: Partial<PodSpec> = {}): PodSpec {
  const base: PodSpec = { containers: [{ name: 'c', image: 'kubelab/busybox:1' }], ...extra };
  return { ...base, tolerations: daemonPodTolerations(base) };
}

const rolling = (maxUnavailable: number | string, maxSurge: number | string = 0): DaemonUpdateStrategy => ({ type: 'RollingUpdate', maxUnavailable, maxSurge });

function plan(nodes: Node[], pods: Pod[], options: { podSpec?: PodSpec; strategy?: DaemonUpdateStrategy; minReadySeconds?: number; backoff?: string[] } = {}) {
  const result = planDaemonSet({
    nodes,
    pods,
    podSpec: options.podSpec ?? spec(),
    hash: 'new',
    strategy: options.strategy ?? rolling(1),
    minReadySeconds: options.minReadySeconds ?? 0,
    now: NOW,
    failedBackoffNodes: new Set(options.backoff ?? []),
  });
  return { createOn: [...result.createOn].sort(), delete: result.delete.map((pod) => pod.metadata.name).sort() };
}

describe('daemon pod placement (placeDaemonPod)', () => {
  const cases: { name: string; node: Node; podSpec: PodSpec; shouldRun: boolean; shouldContinueRunning: boolean }[] = [
    { name: 'a plain node runs it', node: node('n1'), podSpec: spec(), shouldRun: true, shouldContinueRunning: true },
    { name: 'nodeSelector matches', node: node('n1', { labels: { disk: 'ssd' } }), podSpec: spec({ nodeSelector: { disk: 'ssd' } }), shouldRun: true, shouldContinueRunning: true },
    { name: 'nodeSelector does not match: the pod must go', node: node('n1', { labels: { disk: 'hdd' } }), podSpec: spec({ nodeSelector: { disk: 'ssd' } }), shouldRun: false, shouldContinueRunning: false },
    {
      name: 'untolerated NoSchedule: no new pod, the old one stays',
      node: node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
      podSpec: spec(),
      shouldRun: false,
      shouldContinueRunning: true,
    },
    {
      name: 'untolerated NoExecute: the pod must go',
      node: node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] }),
      podSpec: spec(),
      shouldRun: false,
      shouldContinueRunning: false,
    },
    {
      name: 'a toleration lets it on a tainted node',
      node: node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
      podSpec: spec({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] }),
      shouldRun: true,
      shouldContinueRunning: true,
    },
    {
      name: 'PreferNoSchedule never keeps a daemon pod off',
      node: node('n1', { taints: [{ key: 'dedicated', effect: 'PreferNoSchedule' }] }),
      podSpec: spec(),
      shouldRun: true,
      shouldContinueRunning: true,
    },
    ...(['not-ready', 'unreachable'] as const).map((key) => ({
      name: `automatic toleration: ${key} NoExecute`,
      node: node('n1', { taints: [{ key: `node.kubernetes.io/${key}`, effect: 'NoExecute' as const }, { key: `node.kubernetes.io/${key}`, effect: 'NoSchedule' as const }] }),
      podSpec: spec(),
      // NoExecute is tolerated; the NoSchedule twin is not (Kubernetes adds only NoExecute for these).
      shouldRun: false,
      shouldContinueRunning: true,
    })),
    ...(['disk-pressure', 'memory-pressure', 'pid-pressure', 'unschedulable'] as const).map((key) => ({
      name: `automatic toleration: ${key} NoSchedule`,
      node: node('n1', { taints: [{ key: `node.kubernetes.io/${key}`, effect: 'NoSchedule' as const }] }),
      podSpec: spec(),
      shouldRun: true,
      shouldContinueRunning: true,
    })),
    {
      name: 'network-unavailable is tolerated only by hostNetwork pods',
      node: node('n1', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }),
      podSpec: spec(),
      shouldRun: false,
      shouldContinueRunning: true,
    },
    {
      name: 'network-unavailable with hostNetwork',
      node: node('n1', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }),
      podSpec: spec({ hostNetwork: true }),
      shouldRun: true,
      shouldContinueRunning: true,
    },
    { name: 'a template nodeName picks that node only', node: node('n2'), podSpec: spec({ nodeName: 'n1' }), shouldRun: false, shouldContinueRunning: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const placement = placeDaemonPod(c.node, c.podSpec);
      assert.deepEqual([placement.shouldRun, placement.shouldContinueRunning], [c.shouldRun, c.shouldContinueRunning]);
    });
  }

  it('a user toleration matching an automatic one is replaced by it (no tolerationSeconds)', () => {
    const tolerations = daemonPodTolerations({ containers: [], tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }] });
    assert.deepEqual(tolerations.filter((t) => t.key === 'node.kubernetes.io/not-ready'), [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }]);
    assert.equal(tolerations.length, 6);
  });
});

describe('daemon pods per node (planDaemonSet, manage step)', () => {
  const cases: { name: string; nodes: Node[]; pods: Pod[]; podSpec?: PodSpec; backoff?: string[]; createOn: string[]; delete: string[] }[] = [
    { name: 'one pod for every node', nodes: [node('n1'), node('n2'), node('n3')], pods: [], createOn: ['n1', 'n2', 'n3'], delete: [] },
    { name: 'a node that joins later gets one', nodes: [node('n1'), node('n2')], pods: [daemonPod('a', 'n1')], createOn: ['n2'], delete: [] },
    { name: 'nothing to do when every node has one', nodes: [node('n1'), node('n2')], pods: [daemonPod('a', 'n1'), daemonPod('b', 'n2')], createOn: [], delete: [] },
    {
      name: 'a node that stops matching loses its pod',
      nodes: [node('n1', { labels: { logs: 'yes' } }), node('n2')],
      pods: [daemonPod('a', 'n1'), daemonPod('b', 'n2')],
      podSpec: spec({ nodeSelector: { logs: 'yes' } }),
      createOn: [],
      delete: ['b'],
    },
    {
      name: 'two pods on one node: the oldest stays',
      nodes: [node('n1')],
      pods: [daemonPod('young', 'n1', { created: '2025-01-01T00:30:00Z' }), daemonPod('old', 'n1', { created: '2025-01-01T00:00:00Z' })],
      createOn: [],
      delete: ['young'],
    },
    { name: 'a failed pod is deleted (and replaced next pass)', nodes: [node('n1')], pods: [daemonPod('a', 'n1', { phase: 'Failed' })], createOn: [], delete: ['a'] },
    { name: 'a failed pod waits out its node\'s back-off', nodes: [node('n1')], pods: [daemonPod('a', 'n1', { phase: 'Failed' })], backoff: ['n1'], createOn: [], delete: [] },
    { name: 'a pod being deleted still holds its node', nodes: [node('n1')], pods: [daemonPod('a', 'n1', { deleting: true })], createOn: [], delete: [] },
    { name: 'a pod of a node that no longer exists is deleted', nodes: [node('n1')], pods: [daemonPod('a', 'n1'), daemonPod('b', 'gone')], createOn: [], delete: ['b'] },
    {
      name: 'an untolerated NoExecute taint evicts, NoSchedule keeps',
      nodes: [node('n1', { taints: [{ key: 'x', effect: 'NoExecute' }] }), node('n2', { taints: [{ key: 'x', effect: 'NoSchedule' }] }), node('n3', { taints: [{ key: 'x', effect: 'NoSchedule' }] })],
      pods: [daemonPod('a', 'n1'), daemonPod('b', 'n2')],
      createOn: [],
      delete: ['a'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(plan(c.nodes, c.pods, { podSpec: c.podSpec, backoff: c.backoff }), { createOn: c.createOn, delete: c.delete });
    });
  }
});

describe('rolling update steps (planDaemonSet)', () => {
  const three = [node('n1'), node('n2'), node('n3')];
  const old = (name: string, nodeName: string, options: DaemonPodOptions = {}) => daemonPod(name, nodeName, { hash: 'old', ...options });
  const cases: { name: string; nodes: Node[]; pods: Pod[]; strategy: DaemonUpdateStrategy; minReadySeconds?: number; createOn: string[]; delete: string[] }[] = [
    { name: 'maxUnavailable 1: one old pod goes first', nodes: three, pods: [old('a', 'n1'), old('b', 'n2'), old('c', 'n3')], strategy: rolling(1), createOn: [], delete: ['a'] },
    {
      name: 'maxUnavailable 1: nothing more while the deleted one terminates',
      nodes: three,
      pods: [old('a', 'n1', { deleting: true }), old('b', 'n2'), old('c', 'n3')],
      strategy: rolling(1),
      createOn: [],
      delete: [],
    },
    { name: 'maxUnavailable 1: the gap is filled with a new pod', nodes: three, pods: [old('b', 'n2'), old('c', 'n3')], strategy: rolling(1), createOn: ['n1'], delete: [] },
    {
      name: 'maxUnavailable 1: waits until the new pod is ready',
      nodes: three,
      pods: [daemonPod('a2', 'n1', { ready: false }), old('b', 'n2'), old('c', 'n3')],
      strategy: rolling(1),
      createOn: [],
      delete: [],
    },
    {
      name: 'maxUnavailable 1: minReadySeconds counts too',
      nodes: three,
      pods: [daemonPod('a2', 'n1', { readySince: '2025-01-01T00:59:50Z' }), old('b', 'n2'), old('c', 'n3')],
      strategy: rolling(1),
      minReadySeconds: 30,
      createOn: [],
      delete: [],
    },
    { name: 'maxUnavailable 1: next node once the first is available', nodes: three, pods: [daemonPod('a2', 'n1'), old('b', 'n2'), old('c', 'n3')], strategy: rolling(1), createOn: [], delete: ['b'] },
    { name: 'maxUnavailable 2: two at a time', nodes: three, pods: [old('a', 'n1'), old('b', 'n2'), old('c', 'n3')], strategy: rolling(2), createOn: [], delete: ['a', 'b'] },
    { name: 'maxUnavailable 50% of 3 rounds up to 2', nodes: three, pods: [old('a', 'n1'), old('b', 'n2'), old('c', 'n3')], strategy: rolling('50%'), createOn: [], delete: ['a', 'b'] },
    {
      name: 'an old pod that is not ready is replaced at once, beyond the budget',
      nodes: three,
      pods: [old('a', 'n1'), old('b', 'n2', { ready: false }), old('c', 'n3', { ready: false })],
      strategy: rolling(1),
      createOn: [],
      delete: ['b', 'c'],
    },
    {
      name: 'a node without any pod uses up the budget',
      nodes: three,
      pods: [old('b', 'n2'), old('c', 'n3')],
      strategy: rolling(1),
      createOn: ['n1'],
      delete: [],
    },
    { name: 'OnDelete never replaces an old pod', nodes: three, pods: [old('a', 'n1'), old('b', 'n2'), old('c', 'n3')], strategy: { type: 'OnDelete' }, createOn: [], delete: [] },
    { name: 'OnDelete: a deleted old pod comes back new', nodes: three, pods: [old('b', 'n2'), old('c', 'n3')], strategy: { type: 'OnDelete' }, createOn: ['n1'], delete: [] },
    { name: 'maxSurge 1: a new pod starts beside the old one', nodes: three, pods: [old('a', 'n1'), old('b', 'n2'), old('c', 'n3')], strategy: rolling(0, 1), createOn: ['n1'], delete: [] },
    {
      name: 'maxSurge 1: the old pod stays until the new one is available',
      nodes: three,
      pods: [old('a', 'n1'), daemonPod('a2', 'n1', { ready: false, created: '2025-01-01T00:50:00Z' }), old('b', 'n2'), old('c', 'n3')],
      strategy: rolling(0, 1),
      createOn: [],
      delete: [],
    },
    {
      name: 'maxSurge 1: then the old pod goes and the next node surges',
      nodes: three,
      pods: [old('a', 'n1'), daemonPod('a2', 'n1', { created: '2025-01-01T00:50:00Z' }), old('b', 'n2'), old('c', 'n3')],
      strategy: rolling(0, 1),
      createOn: ['n2'],
      delete: ['a'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(plan(c.nodes, c.pods, { strategy: c.strategy, minReadySeconds: c.minReadySeconds }), { createOn: c.createOn, delete: c.delete });
    });
  }

  it('walks a whole update with maxUnavailable 1, never two nodes without an available pod', () => {
    let pods = three.map((n, i) => old(`old-${i}`, n.metadata.name!));
    let created = 0;
    for (let pass = 0; pass < 20; pass++) {
      const step = planDaemonSet({ nodes: three, pods, podSpec: spec(), hash: 'new', strategy: rolling(1), minReadySeconds: 0, now: NOW });
      // Deletions take effect at once here; creations become ready at once.
      pods = pods.filter((pod) => !step.delete.includes(pod));
      pods.push(...step.createOn.map((n) => daemonPod(`new-${created++}`, n)));
      const withoutPod = three.filter((n) => !pods.some((pod) => pod.spec.nodeName === n.metadata.name));
      assert.ok(withoutPod.length <= 1, `pass ${pass}: ${withoutPod.length} nodes without a pod`);
    }
    assert.deepEqual(pods.map((pod) => pod.metadata.labels?.['controller-revision-hash']), ['new', 'new', 'new']);
  });

  it('budgets: both zero means maxUnavailable 1; percentages round up', () => {
    assert.deepEqual(resolveRollingBudget(rolling(0, 0), 3), { maxUnavailable: 1, maxSurge: 0 });
    assert.deepEqual(resolveRollingBudget(rolling('10%'), 3), { maxUnavailable: 1, maxSurge: 0 });
    assert.deepEqual(resolveRollingBudget(rolling(0, '100%'), 3), { maxUnavailable: 0, maxSurge: 3 });
  });
});

describe('DaemonSet status counts (countDaemonPods)', () => {
  it('counts desired, current, ready, available, updated and misscheduled nodes', () => {
    const nodes = [node('n1', { labels: { logs: 'yes' } }), node('n2', { labels: { logs: 'yes' } }), node('n3', { labels: { logs: 'yes' } }), node('n4')];
    const pods = [
      daemonPod('a', 'n1'),
      daemonPod('b', 'n2', { hash: 'old', ready: false }),
      daemonPod('c', 'n3', { deleting: true }),
      daemonPod('d', 'n4'),
    ];
    const counts = countDaemonPods({ nodes, pods, podSpec: spec({ nodeSelector: { logs: 'yes' } }), hash: 'new', minReadySeconds: 0, now: NOW });
    assert.deepEqual(counts, {
      desiredNumberScheduled: 3,
      currentNumberScheduled: 2,
      numberMisscheduled: 1,
      numberReady: 1,
      updatedNumberScheduled: 1,
      numberAvailable: 1,
      numberUnavailable: 2,
    });
  });
});

describe('DaemonSet history (revisions)', () => {
  const ds = (image: string): DaemonSet => ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'logs', namespace: 'default', uid: 'ds-uid', annotations: { 'kubernetes.io/change-cause': 'v2' } },
    spec: { selector: { matchLabels: { app: 'logs' } }, template: { metadata: { labels: { app: 'logs' } }, spec: { containers: [{ name: 'c', image }] } } },
  });
  const revision = (image: string, number: number, hash: string): ControllerRevision => newRevision(ds(image), hash, number);

  it('a revision restores its template with a replace patch, and carries the change-cause', () => {
    const r = revision('kubelab/busybox:1', 1, 'h1');
    // As Go's typed encoder writes it, keys sorted: kubectl compares these bytes.
    assert.equal(
      JSON.stringify(r.data),
      '{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"app":"logs"}},"spec":{"containers":[{"image":"kubelab/busybox:1","name":"c","resources":{}}]}}}}',
    );
    assert.deepEqual(r.metadata.labels, { app: 'logs', 'controller-revision-hash': 'h1' });
    assert.equal(r.metadata.annotations?.['kubernetes.io/change-cause'], 'v2');
    assert.deepEqual(revisionTemplate(r)?.spec.containers[0].image, 'kubelab/busybox:1');
  });

  it('finds the current template among the revisions, ignoring what undo adds (creationTimestamp: null, resources: {})', () => {
    const r1 = revision('one', 1, 'h1');
    const r2 = revision('two', 2, 'h2');
    const undone = ds('one');
    undone.spec.template.metadata!.creationTimestamp = null;
    undone.spec.template.spec.containers[0].resources = {};
    const split = splitHistory(undone, [r1, r2]);
    assert.deepEqual(split.current.map((r) => r.metadata.name), ['logs-h1']);
    assert.deepEqual(split.old.map((r) => r.metadata.name), ['logs-h2']);
  });

  it('cleans the oldest old revisions beyond the limit, sparing those live pods carry', () => {
    const old = [revision('a', 1, 'h1'), revision('b', 2, 'h2'), revision('c', 3, 'h3'), revision('d', 4, 'h4')];
    assert.deepEqual(historyToClean(old, 2, new Set()).map((r) => r.revision), [1, 2]);
    assert.deepEqual(historyToClean(old, 2, new Set(['h1'])).map((r) => r.revision), [2, 3]);
    assert.deepEqual(historyToClean(old, 10, new Set()), []);
  });
});
