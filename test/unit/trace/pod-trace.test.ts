import assert from 'node:assert/strict';
import type { Endpoints, Event, Pod } from '../../../lib/api/types.js';
import { assemblePodTrace, formatOffset, formatPodTrace, SCHEDULING_DECISION_ANNOTATION, type PodTrace } from '../../../lib/trace/pod-trace.js';

const T0 = Date.parse('2026-12-02T07:00:00.250Z');
const at = (offsetMs: number) => new Date(T0 + offsetMs).toISOString().replace(/Z$/, '000Z');

let sequence = 0;
function event(reason: string, offsetMs: number, message: string, source: { component: string; host?: string }, extra: Partial<Event> & { uid?: string } = {}): Event {
  const { uid = 'uid-1', ...rest } = extra;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `web.${(sequence++).toString(16)}`, namespace: 'default' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web', uid, apiVersion: 'v1' },
    reason,
    message,
    source,
    firstTimestamp: new Date(T0 + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    lastTimestamp: new Date(T0 + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventTime: at(offsetMs),
    count: 1,
    type: 'Normal',
    ...rest,
  };
}

const api = { component: 'kube-apiserver', host: 'node1' };
const scheduler = { component: 'default-scheduler' };
const kubelet = { component: 'kubelet', host: 'node1' };
const endpointsController = { component: 'endpoint-controller' };
const proxy = (host: string) => ({ component: 'kube-proxy', host });

/** A pod's life from creation to Ready behind Service default/web, on a two-node cluster. */
function lifeEvents(uid = 'uid-1'): Event[] {
  const e = (reason: string, ms: number, message: string, source: { component: string; host?: string }, extra: Partial<Event> = {}) => event(reason, ms, message, source, { uid, ...extra });
  return [
    // Written out of order on purpose: the assembly sorts by time.
    e('Started', 410, 'Started container web', kubelet),
    e('Accepted', 0, 'Pod accepted and stored by the API server (creationTimestamp 2026-12-02T07:00:00Z)', api),
    e('Scheduled', 12, 'Successfully assigned default/web to node1', scheduler),
    e('Seen', 30, 'Pod bound to node1 seen by its kubelet', kubelet),
    e('SandboxCreated', 180, 'Created pod sandbox 0123456789ab, pod IP 10.244.1.5', kubelet),
    e('Pulled', 200, 'Container image "busybox:1" already present on machine', kubelet),
    e('Created', 300, 'Created container init-db', kubelet),
    e('Started', 350, 'Started container init-db', kubelet),
    e('Pulled', 370, 'Container image "web:1" already present on machine', kubelet),
    e('Created', 380, 'Created container web', kubelet),
    e('Unhealthy', 1410, 'Readiness probe failed: Get "http://10.244.1.5:80/": connection refused', kubelet, { type: 'Warning', count: 2 }),
    e('PodReady', 3410, 'Pod is Ready: every container runs and passes its readiness probe', kubelet),
    e('EndpointsAdded', 3425, 'Added 10.244.1.5 to the ready addresses of Endpoints default/web', endpointsController),
    e('ProxyProgrammed', 3440, 'Endpoint 10.244.1.5 of Service default/web programmed in the proxy on node2', proxy('node2')),
    e('ProxyProgrammed', 3431, 'Endpoint 10.244.1.5 of Service default/web programmed in the proxy on node1', proxy('node1')),
  ];
}

function livePod(overrides: Partial<Pod['metadata']> = {}, ready = true): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1', creationTimestamp: '2026-12-02T07:00:00Z', ...overrides },
    spec: { nodeName: 'node1', initContainers: [{ name: 'init-db', image: 'busybox:1' }], containers: [{ name: 'web', image: 'web:1' }] },
    status: {
      phase: 'Running',
      podIP: '10.244.1.5',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-12-02T07:00:00Z' },
        { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2026-12-02T07:00:03Z' },
      ],
      initContainerStatuses: [{ name: 'init-db', ready: true, restartCount: 0, image: 'busybox:1', imageID: '', state: { terminated: { exitCode: 0 } } }],
      containerStatuses: [{ name: 'web', ready, restartCount: 0, image: 'web:1', imageID: '', state: { running: { startedAt: '2026-12-02T07:00:00Z' } } }],
    },
  } as Pod;
}

const endpoints = (uid: string): Endpoints => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name: 'web', namespace: 'default' },
  subsets: [{ addresses: [{ ip: '10.244.1.5', targetRef: { kind: 'Pod', namespace: 'default', name: 'web', uid } }], ports: [{ port: 80 }] }],
});

const summary = (trace: PodTrace) => trace.rows.map((r) => `${formatOffset(r.offsetMs)} ${r.component}: ${r.what}`);

describe('pod trace assembly', () => {
  it('orders a live pod from accepted to programmed in every proxy, with offsets from the Accepted event', () => {
    const trace = assemblePodTrace({ namespace: 'default', name: 'web', pod: livePod(), events: lifeEvents(), endpoints: [endpoints('uid-1')] });
    assert.deepEqual(summary(trace), [
      '+0.000 s api: accepted by the API (creationTimestamp 2026-12-02T07:00:00Z)',
      '+0.012 s scheduler: scheduled to node1',
      '+0.030 s kubelet on node1: pod seen by the kubelet',
      '+0.180 s kubelet on node1: sandbox created, pod IP 10.244.1.5',
      '+0.200 s kubelet on node1: image busybox:1 already present',
      '+0.300 s kubelet on node1: init container init-db created',
      '+0.350 s kubelet on node1: init container init-db started',
      '+0.370 s kubelet on node1: image web:1 already present',
      '+0.380 s kubelet on node1: container web created',
      '+0.410 s kubelet on node1: container web started',
      '+1.410 s kubelet on node1: probe failed: Readiness probe failed: Get "http://10.244.1.5:80/": connection refused',
      '+3.410 s kubelet on node1: Ready',
      '+3.425 s endpoints: added to the endpoints of Service default/web (10.244.1.5)',
      '+3.431 s proxy on node1: programmed in the proxy: Service default/web -> 10.244.1.5',
      '+3.440 s proxy on node2: programmed in the proxy: Service default/web -> 10.244.1.5',
    ]);
    assert.equal(trace.origin, '2026-12-02T07:00:00.250Z');
    assert.equal(trace.node, 'node1');
    assert.equal(trace.ready, true);
    assert.equal(trace.deleted, false);
    assert.deepEqual(trace.missing, []);
    const probe = trace.rows.find((r) => r.reason === 'Unhealthy')!;
    assert.equal(probe.warning, true);
    assert.equal(probe.count, 2);
    for (let i = 1; i < trace.rows.length; i++) assert.ok(trace.rows[i].offsetMs >= trace.rows[i - 1].offsetMs, `row ${i} goes back in time`);
  });

  it('breaks ties of one millisecond by the step order of a pod life, whatever order the events came in', () => {
    const events = [
      event('ProxyProgrammed', 5, 'Endpoint 10.244.1.5 of Service default/web programmed in the proxy on node1', proxy('node1')),
      event('EndpointsAdded', 5, 'Added 10.244.1.5 to the ready addresses of Endpoints default/web', endpointsController),
      event('PodReady', 5, 'Pod is Ready', kubelet),
      event('Accepted', 0, 'Pod accepted and stored by the API server (creationTimestamp 2026-12-02T07:00:00Z)', api),
    ];
    const trace = assemblePodTrace({ namespace: 'default', name: 'web', pod: livePod(), events });
    // PodScheduled: the condition's whole second (07:00:00) began before the pod was accepted
    // (07:00:00.250), so it is placed at the acceptance, not 0.25 s before it.
    assert.deepEqual(trace.rows.map((r) => r.reason), ['Accepted', 'PodScheduled', 'PodReady', 'EndpointsAdded', 'ProxyProgrammed']);
    assert.deepEqual(trace.rows.map((r) => r.offsetMs), [0, 0, 5, 5, 5]);
  });

  it('points at the scheduling decision when the scheduler recorded one on the pod', () => {
    const pod = livePod({ annotations: { [SCHEDULING_DECISION_ANNOTATION]: '{}' } });
    const trace = assemblePodTrace({ namespace: 'default', name: 'web', pod, events: lifeEvents() });
    assert.equal(trace.rows[1].what, `scheduled to node1; why this node: kubelab describe pod web (annotation ${SCHEDULING_DECISION_ANNOTATION})`);
  });

  const missingCases: { name: string; drop: string[]; expectRows: string[]; expectMissing: string[] }[] = [
    {
      name: 'no Accepted event (a pod from before kubelab recorded it): offsets count from creationTimestamp, whole seconds',
      drop: ['Accepted'],
      expectRows: ['~ api Accepted 0'],
      expectMissing: [],
    },
    {
      name: 'no Scheduled, SandboxCreated, PodReady or EndpointsAdded events: conditions fill in what they can, the rest is listed as not recorded',
      drop: ['Scheduled', 'SandboxCreated', 'PodReady', 'EndpointsAdded'],
      expectRows: ['~ scheduler PodScheduled', '~ kubelet on node1 Ready'],
      expectMissing: ['sandbox created, pod IP 10.244.1.5', 'added to the endpoints of Service default/web'],
    },
    {
      name: 'no Started event for the app container',
      drop: ['Started'],
      expectRows: [],
      expectMissing: ['container init-db started', 'container web started'],
    },
  ];
  for (const c of missingCases) {
    it(`missing steps: ${c.name}`, () => {
      const events = lifeEvents().filter((e) => !c.drop.includes(e.reason!));
      const trace = assemblePodTrace({ namespace: 'default', name: 'web', pod: livePod(), events, endpoints: [endpoints('uid-1')] });
      const imprecise = trace.rows.filter((r) => !r.precise).map((r) => `~ ${r.component} ${r.reason}${r.reason === 'Accepted' ? ` ${r.offsetMs}` : ''}`);
      assert.deepEqual(imprecise, c.expectRows);
      assert.deepEqual(trace.missing, c.expectMissing);
      for (let i = 1; i < trace.rows.length; i++) assert.ok(trace.rows[i].offsetMs >= trace.rows[i - 1].offsetMs);
    });
  }

  it('without an Accepted event and without creationTimestamp, counts from the first row', () => {
    const events = lifeEvents().filter((e) => e.reason !== 'Accepted');
    const trace = assemblePodTrace({ namespace: 'default', name: 'web', events });
    assert.equal(trace.rows[0].offsetMs, 0);
    assert.equal(trace.rows[0].reason, 'Scheduled');
  });

  it('a deleted pod: its events alone give the life and the termination steps, the newest uid of that name wins', () => {
    const older = lifeEvents('uid-0').map((e) => ({ ...e, eventTime: new Date(Date.parse(e.eventTime!) - 3_600_000).toISOString() }));
    const termination = [
      event('EndpointsRemoved', 10_000, 'Removed 10.244.1.5 from the ready addresses of Endpoints default/web (being deleted, finished or gone)', endpointsController),
      event('Killing', 10_004, 'Stopping container web', kubelet),
      event('Exited', 10_120, 'Container web exited with code 143', kubelet),
      event('SandboxRemoved', 10_300, 'Removed pod sandbox, containers and volumes', kubelet),
    ];
    const life = lifeEvents().map((e) => (/init-db/.test(e.message!) ? { ...e, involvedObject: { ...e.involvedObject, fieldPath: 'spec.initContainers{init-db}' } } : e));
    const trace = assemblePodTrace({ namespace: 'default', name: 'web', events: [...older, ...life, ...termination] });
    assert.equal(trace.deleted, true);
    assert.equal(trace.uid, 'uid-1');
    assert.equal(trace.node, 'node1');
    assert.equal(trace.rows.length, lifeEvents().length + termination.length);
    assert.deepEqual(summary(trace).slice(-4), [
      '+10.000 s endpoints: removed from the endpoints of Service default/web (10.244.1.5): being deleted, finished or gone',
      '+10.004 s kubelet on node1: kill signal (SIGTERM, then SIGKILL after the grace period) to container web',
      '+10.120 s kubelet on node1: container web exited with code 143',
      '+10.300 s kubelet on node1: sandbox, containers and volumes removed',
    ]);
    assert.deepEqual(trace.missing, []);
    // Without the pod's spec, the kubelet's fieldPath says which container was an init container.
    assert.ok(trace.rows.some((r) => r.what === 'init container init-db started'));
    assert.match(formatPodTrace(trace)[0], /^pod default\/web \(uid uid-1\) on node1: deleted, created 2026-12-02T07:00:00.250Z$/);
  });

  it('a terminating pod that still exists says so and keeps its live rows', () => {
    const pod = livePod({ deletionTimestamp: '2026-12-02T07:01:00Z' });
    const trace = assemblePodTrace({ namespace: 'default', name: 'web', pod, events: [...lifeEvents(), event('Killing', 9_000, 'Stopping container web', kubelet)] });
    assert.equal(trace.terminating, true);
    assert.equal(trace.rows.at(-1)!.reason, 'Killing');
  });

  it('ignores events of other objects and of a former pod of the same name', () => {
    const other = { ...event('Started', 5, 'Started container x', kubelet), involvedObject: { kind: 'Pod', namespace: 'default', name: 'api', uid: 'uid-9' } };
    const former = event('Started', 5, 'Started container old', kubelet, { uid: 'uid-0' });
    const trace = assemblePodTrace({ namespace: 'default', name: 'web', pod: livePod(), events: [...lifeEvents(), other, former] });
    assert.equal(trace.rows.length, lifeEvents().length);
  });

  it('an event without eventTime (written by another tool) is placed by its whole-second firstTimestamp and marked ~', () => {
    const legacy = { ...event('Pulled', 0, 'Successfully pulled image "web:1" in 1.2s', kubelet), eventTime: null, firstTimestamp: '2026-12-02T07:00:02Z' };
    const trace = assemblePodTrace({ namespace: 'default', name: 'web', pod: livePod(), events: [...lifeEvents(), legacy] });
    const row = trace.rows.find((r) => !r.precise)!;
    assert.equal(row.offsetMs, 1750);
    assert.equal(row.what, 'image pulled: "web:1" in 1.2s');
    assert.match(formatPodTrace(trace).find((l) => l.includes('image pulled'))!, /^ {2}~\+1\.750 s {2}kubelet on node1 {2}image pulled/);
  });

  it('a deleted pod without a Scheduled event takes its node from the kubelet that ran it', () => {
    const trace = assemblePodTrace({ namespace: 'default', name: 'web', events: lifeEvents().filter((e) => e.reason !== 'Scheduled') });
    assert.equal(trace.node, 'node1');
  });

  it('formats offsets with milliseconds and a sign', () => {
    assert.deepEqual([0, 412, 12_345, -2].map(formatOffset), ['+0.000 s', '+0.412 s', '+12.345 s', '-0.002 s']);
  });

  it('prints a pod with no events as such', () => {
    const lines = formatPodTrace(assemblePodTrace({ namespace: 'default', name: 'web', events: [] }));
    assert.deepEqual(lines.slice(2), ['(no steps recorded: there are no events for this pod)']);
  });
});
