import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Event, Node, Pod } from '../../lib/api/types.js';
import { ManualClock } from '../../lib/clock.js';
import { ImagePullError, type ContainerConfig } from '../../daemon/runtime/container-runtime.js';
import { EventRecorder } from '../../daemon/events/event-recorder.js';
import { Kubelet } from '../../daemon/kubelet/kubelet.js';
import { silentLogger } from '../../lib/logger.js';
import { newPod, newTestCluster, type TestCluster } from '../helpers/test-cluster.js';
import { FakeRuntime } from '../fakes/fake-runtime.js';
import { FakeTmpfs } from '../fakes/fake-tmpfs.js';

const IMAGE = 'kubelab/busybox:1';

describe('Kubelet (component, fake runtime)', () => {
  let clock: ManualClock;
  let cluster: TestCluster;
  let runtime: FakeRuntime;
  let recorder: EventRecorder;
  let dataDir: string;
  let kubelet: Kubelet;

  const newKubelet = () =>
    new Kubelet({ nodeName: 'node-1', client: cluster.client, runtime, recorder, clock, dataDir, role: 'server', nodeIP: '192.168.1.10', log: silentLogger, tmpfs: new FakeTmpfs() });

  beforeEach(async () => {
    clock = new ManualClock('2025-03-01T10:00:00Z');
    cluster = await newTestCluster(() => clock.now());
    runtime = new FakeRuntime({ clock });
    runtime.addImage(IMAGE);
    recorder = new EventRecorder(cluster.client, { component: 'kubelet', host: 'node-1' }, clock);
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-kubelet-'));
    kubelet = newKubelet();
  });
  afterEach(async () => {
    await recorder.flush();
    await cluster.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const createPod = async (name: string, spec: Partial<Pod['spec']> = {}) => cluster.client.create<Pod>('pods', newPod(name, { nodeName: 'node-1', ...spec }));
  const getPod = (name: string) => cluster.client.get<Pod>('pods', 'default', name);
  const appContainers = (uid: string) => [...runtime.containers.values()].filter((c) => c.pod.uid === uid);
  const eventsOf = async () => {
    await recorder.flush();
    return (await cluster.client.list<Event>('events')).items.map((e) => `${e.reason}: ${e.message}`);
  };

  it('starts a new pod: a sandbox, its containers, status Running with the pod IP, events', async () => {
    const pod = await createPod('web', { containers: [{ name: 'a', image: IMAGE }, { name: 'b', image: IMAGE }] });
    await kubelet.syncPod('default/web');
    assert.equal(runtime.callsOf('runPodSandbox').length, 1);
    assert.deepEqual(appContainers(pod.metadata.uid!).map((c) => `${c.name}:${c.state}`), ['a:running', 'b:running']);
    const status = (await getPod('web')).status!;
    assert.equal(status.phase, 'Running');
    assert.equal(status.podIP, '10.244.0.2');
    assert.equal(status.hostIP, '192.168.1.10');
    assert.deepEqual(status.containerStatuses!.map((s) => [s.name, s.ready, s.restartCount]), [['a', true, 0], ['b', true, 0]]);
    assert.ok((await eventsOf()).includes('Started: Started container a'));
    // A second sync changes nothing and writes nothing (it may look: the fake records reads too).
    const changes = runtime.changeCalls().length;
    const resourceVersion = (await getPod('web')).metadata.resourceVersion;
    await kubelet.syncPod('default/web');
    assert.deepEqual(runtime.changeCalls().slice(changes).map((c) => c.method), []);
    assert.equal((await getPod('web')).metadata.resourceVersion, resourceVersion, 'no status write');
  });

  it('restartPolicy Always: restarts an exited container, then waits in CrashLoopBackOff', async () => {
    const pod = await createPod('crash');
    await kubelet.syncPod('default/crash');
    const [first] = appContainers(pod.metadata.uid!);
    runtime.exitContainer(first.id, 1);
    await kubelet.syncPod('default/crash'); // first restart: at once
    let status = (await getPod('crash')).status!.containerStatuses![0];
    assert.equal(status.restartCount, 1);
    assert.ok(status.state.running);
    assert.equal(status.lastState.terminated?.exitCode, 1);

    const second = appContainers(pod.metadata.uid!).find((c) => c.restartCount === 1)!;
    clock.set('2025-03-01T10:00:05Z');
    runtime.exitContainer(second.id, 1);
    await kubelet.syncPod('default/crash');
    status = (await getPod('crash')).status!.containerStatuses![0];
    assert.deepEqual(status.state.waiting, { reason: 'CrashLoopBackOff', message: `back-off 10s restarting failed container=app pod=crash_default(${pod.metadata.uid})` });
    assert.equal(status.restartCount, 1);
    assert.ok((await eventsOf()).some((e) => e.startsWith('BackOff: Back-off restarting failed container app in pod crash_default')));

    clock.set('2025-03-01T10:00:16Z');
    await kubelet.syncPod('default/crash');
    status = (await getPod('crash')).status!.containerStatuses![0];
    assert.equal(status.restartCount, 2);
    assert.ok(status.state.running);
    // Only the newest exited attempt is kept (for logs --previous).
    assert.deepEqual(appContainers(pod.metadata.uid!).map((c) => `${c.restartCount}:${c.state}`).sort(), ['1:exited', '2:running']);
  });

  it('restartPolicy OnFailure with exit 0: Succeeded, and the sandbox is removed', async () => {
    const pod = await createPod('job', { restartPolicy: 'OnFailure' });
    await kubelet.syncPod('default/job');
    runtime.exitContainer(appContainers(pod.metadata.uid!)[0].id, 0);
    await kubelet.syncPod('default/job');
    const status = (await getPod('job')).status!;
    assert.equal(status.phase, 'Succeeded');
    assert.equal(status.containerStatuses![0].state.terminated?.reason, 'Completed');
    assert.equal(runtime.sandboxes.size, 0);
    assert.equal(runtime.callsOf('startContainer').length, 1);
  });

  it('restartPolicy Never with exit 1: Failed, nothing restarts', async () => {
    const pod = await createPod('once', { restartPolicy: 'Never' });
    await kubelet.syncPod('default/once');
    runtime.exitContainer(appContainers(pod.metadata.uid!)[0].id, 1);
    await kubelet.syncPod('default/once');
    await kubelet.syncPod('default/once');
    assert.equal((await getPod('once')).status!.phase, 'Failed');
    assert.equal(runtime.callsOf('startContainer').length, 1);
  });

  it('an image that is missing and cannot be pulled: ErrImagePull, then ImagePullBackOff', async () => {
    await createPod('nope', { containers: [{ name: 'app', image: 'hello:v3' }] });
    await kubelet.syncPod('default/nope');
    let waiting = (await getPod('nope')).status!.containerStatuses![0].state.waiting;
    assert.equal(waiting?.reason, 'ErrImagePull');
    assert.match(waiting?.message ?? '', /hello:v3/);
    assert.equal((await getPod('nope')).status!.phase, 'Pending');
    await kubelet.syncPod('default/nope');
    waiting = (await getPod('nope')).status!.containerStatuses![0].state.waiting;
    assert.deepEqual(waiting, { reason: 'ImagePullBackOff', message: 'Back-off pulling image "hello:v3"' });
    assert.equal(runtime.callsOf('pullImage').length, 1, 'no pull while backing off');
    const events = await eventsOf();
    assert.ok(events.includes('Pulling: Pulling image "hello:v3"'));
    assert.ok(events.includes('Failed: Error: ErrImagePull'));
    assert.ok(events.includes('Failed: Error: ImagePullBackOff'));
  });

  it('a graceful delete stops containers with the grace period, removes everything and deletes the pod', async () => {
    const pod = await createPod('bye', { terminationGracePeriodSeconds: 30 });
    await kubelet.syncPod('default/bye');
    await cluster.client.delete('pods', 'default', 'bye', { gracePeriodSeconds: 7 });
    await kubelet.syncPod('default/bye');
    assert.deepEqual(runtime.callsOf('stopContainer').map((args) => args[1]), [7]);
    assert.equal(appContainers(pod.metadata.uid!).length, 0);
    assert.equal(runtime.sandboxes.size, 0);
    await assert.rejects(getPod('bye'), { code: 404 });
    assert.ok((await eventsOf()).includes('Killing: Stopping container app'));
  });

  it('tells each step of a pod life the trace shows, once: seen, sandbox with IP, Ready, exits with codes, sandbox removed', async () => {
    const pod = await createPod('traced', { initContainers: [{ name: 'init', image: IMAGE }] });
    const reasons = async () => (await eventsOf()).filter((e) => /^(Seen|SandboxCreated|PodReady|Exited|SandboxRemoved|Killing)/.test(e));
    await kubelet.syncPod('default/traced');
    const [init] = appContainers(pod.metadata.uid!);
    await clock.advance(2_000);
    runtime.exitContainer(init.id, 0);
    await clock.advance(300); // the kubelet notices later; the event keeps the engine's time
    await kubelet.syncPod('default/traced');
    await kubelet.syncPod('default/traced'); // nothing new: nothing told again
    assert.equal((await getPod('traced')).status!.conditions!.find((c) => c.type === 'Ready')?.status, 'True');
    await cluster.client.delete('pods', 'default', 'traced', { gracePeriodSeconds: 1 });
    await kubelet.syncPod('default/traced');
    // Each once (events of one millisecond list in no particular order: the trace orders them).
    assert.deepEqual((await reasons()).map((e) => e.replace(/sandbox \S+,/, 'sandbox ID,')).sort(), [
      'Exited: Container app exited with code 137 (Error)',
      'Exited: Container init exited with code 0 (Completed)',
      'Killing: Stopping container app',
      'PodReady: Pod is Ready: every container runs and passes its readiness probe',
      'SandboxCreated: Created pod sandbox ID, pod IP 10.244.0.2',
      'SandboxRemoved: Removed pod sandbox, containers and volumes',
      'Seen: Pod bound to node-1 seen by its kubelet',
    ]);
    const events = (await cluster.client.list<Event>('events')).items;
    const exit = events.find((e) => e.reason === 'Exited' && e.message!.includes('init'))!;
    assert.equal(exit.involvedObject.fieldPath, 'spec.initContainers{init}');
    // The fake runtime's finishedAt has whole seconds only (no finishedAtMs): the time the kubelet noticed.
    assert.equal(exit.eventTime, '2025-03-01T10:00:02.300000Z');
  });

  it('adopts running containers after a restart and removes those of vanished pods', async () => {
    const kept = await createPod('kept');
    const gone = await createPod('gone');
    await kubelet.syncPod('default/kept');
    await kubelet.syncPod('default/gone');
    const keptContainer = appContainers(kept.metadata.uid!)[0];
    runtime.exitContainer(keptContainer.id, 1);
    await kubelet.syncPod('default/kept'); // restart count 1
    // The kubelet is down; meanwhile someone force-deletes "gone".
    await cluster.client.delete('pods', 'default', 'gone', { gracePeriodSeconds: 0 });
    const callsBefore = runtime.calls.length;

    const restarted = newKubelet();
    const abort = new AbortController();
    const running = restarted.run(abort.signal);
    try {
      for (let i = 0; i < 50 && appContainers(gone.metadata.uid!).length > 0; i++) await new Promise((r) => setTimeout(r, 10));
      await restarted.syncPod('default/kept');
      const after = runtime.calls.slice(callsBefore).map((c) => c.method);
      assert.ok(!after.includes('startContainer'), `nothing restarted: ${after.join(',')}`);
      assert.ok(!after.includes('runPodSandbox'));
      assert.equal(appContainers(gone.metadata.uid!).length, 0, 'the orphan is removed');
      assert.equal((await getPod('kept')).status!.containerStatuses![0].restartCount, 1);
      const node = await cluster.client.get<Node>('nodes', undefined, 'node-1');
      assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    } finally {
      abort.abort();
      await running;
    }
  });

  it('secret env and secret volume files with modes; emptyDir shared by the containers', async () => {
    await cluster.client.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'default' }, data: { password: Buffer.from('s3cret').toString('base64') } });
    const pod = await createPod('vols', {
      volumes: [
        { name: 'creds', secret: { secretName: 'db', defaultMode: 0o400 } },
        { name: 'shared', emptyDir: {} },
      ],
      containers: [
        {
          name: 'a',
          image: IMAGE,
          env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
          volumeMounts: [{ name: 'creds', mountPath: '/etc/creds' }, { name: 'shared', mountPath: '/data' }],
        },
        { name: 'b', image: IMAGE, volumeMounts: [{ name: 'shared', mountPath: '/in' }] },
      ],
    });
    await kubelet.syncPod('default/vols');
    const configs = runtime.callsOf('createContainer').map((args) => args[1] as ContainerConfig);
    assert.deepEqual(configs[0].env, [{ name: 'PASSWORD', value: 's3cret' }]);
    const [creds, sharedA] = configs[0].mounts;
    assert.equal(creds.readOnly, true);
    assert.equal(await fs.readFile(path.join(creds.hostPath, 'password'), 'utf8'), 's3cret');
    assert.equal((await fs.stat(path.join(creds.hostPath, 'password'))).mode & 0o777, 0o400);
    assert.equal(configs[1].mounts[0].hostPath, sharedA.hostPath);
    assert.ok(sharedA.hostPath.startsWith(path.join(dataDir, 'pods', pod.metadata.uid!)));
  });

  it('a missing secret keeps the pod waiting with CreateContainerConfigError until it exists', async () => {
    await createPod('needs', { containers: [{ name: 'app', image: IMAGE, env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'later', key: 'k' } } }] }] });
    await kubelet.syncPod('default/needs');
    const waiting = (await getPod('needs')).status!.containerStatuses![0].state.waiting;
    assert.deepEqual(waiting, { reason: 'CreateContainerConfigError', message: 'secret "later" not found' });
    await cluster.client.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'later', namespace: 'default' }, data: { k: 'dg==' } });
    await kubelet.syncPod('default/needs');
    assert.equal((await getPod('needs')).status!.phase, 'Running');
  });

  it('a runtime failure fails the sync (the work queue retries it) and the next sync recovers', async () => {
    await createPod('flaky');
    runtime.failNext('runPodSandbox', new ImagePullError('pause', 'engine busy'));
    await assert.rejects(kubelet.syncPod('default/flaky'), /engine busy/);
    await kubelet.syncPod('default/flaky');
    assert.equal((await getPod('flaky')).status!.phase, 'Running');
  });

  it('streams: logs of the current and previous attempt; a container not started is a 400', async () => {
    const pod = await createPod('logs');
    await assert.rejects(kubelet.streams.logs(pod, 'app', {}), { code: 400, message: 'container "app" in pod "logs" is waiting to start: ContainerCreating' });
    await kubelet.syncPod('default/logs');
    const [first] = appContainers(pod.metadata.uid!);
    runtime.writeLog(first.id, 'attempt 0\n');
    runtime.exitContainer(first.id, 1);
    await kubelet.syncPod('default/logs');
    const second = appContainers(pod.metadata.uid!).find((c) => c.restartCount === 1)!;
    runtime.writeLog(second.id, 'attempt 1\n');
    const read = async (s: NodeJS.ReadableStream) => {
      let text = '';
      for await (const chunk of s) text += chunk;
      return text;
    };
    assert.equal(await read(await kubelet.streams.logs(pod, 'app', { previous: true })), 'attempt 0\n');
    assert.equal(await read(await kubelet.streams.logs(pod, 'app', {})), 'attempt 1\n');
  });
});
