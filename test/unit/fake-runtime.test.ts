// FakeRuntime's test controls (what the kubelet's unit tests drive it with). Its behaviour as a
// ContainerRuntime is checked against Docker by test/integration/container-runtime.contract.test.ts.

import assert from 'node:assert/strict';
import { text } from 'node:stream/consumers';
import { ManualClock } from '../../lib/clock.js';
import { ImagePullError, RuntimeError, type ContainerConfig } from '../../daemon/runtime/container-runtime.js';
import { FakeRuntime } from '../fakes/fake-runtime.js';
import { parseFakeCommand } from '../fakes/fake-shell.js';

describe('FakeRuntime', () => {
  const pod = { uid: 'uid-1', namespace: 'default', name: 'web' };
  const config = (extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
    pod, nodeName: 'node-1', name: 'app', image: 'hello:v1', env: [], mounts: [], restartCount: 0, specHash: 'h', ...extra,
  });
  let clock: ManualClock;
  let runtime: FakeRuntime;
  beforeEach(() => {
    clock = new ManualClock('2026-01-01T00:00:00Z');
    runtime = new FakeRuntime({ clock });
    runtime.addImage('hello:v1');
  });

  it('records every call with its arguments', async () => {
    const sandbox = await runtime.runPodSandbox({ pod, nodeName: 'node-1', hostname: 'web' });
    const id = await runtime.createContainer(sandbox.id, config());
    await runtime.startContainer(id);
    await runtime.stopContainer(id, 7);
    assert.deepEqual(runtime.calls.map((c) => c.method), ['runPodSandbox', 'createContainer', 'startContainer', 'stopContainer']);
    assert.deepEqual(runtime.callsOf('stopContainer'), [[id, 7]]);
    await runtime.listContainers({ podUid: pod.uid });
    assert.equal(runtime.calls.at(-1)?.method, 'listContainers');
    assert.deepEqual(runtime.changeCalls().map((c) => c.method), ['runPodSandbox', 'createContainer', 'startContainer', 'stopContainer']);
  });

  it('fails the next calls of a method with the injected errors, in order', async () => {
    runtime.failNext('imageStatus', new RuntimeError('engine down'));
    runtime.failNext('imageStatus', new RuntimeError('still down'));
    await assert.rejects(runtime.imageStatus('hello:v1'), /engine down/);
    await assert.rejects(runtime.imageStatus('hello:v1'), /still down/);
    assert.deepEqual(await runtime.imageStatus('hello:v1'), { present: true, id: runtime.images.get('hello:v1') });
  });

  it('assigns pod IPs in order from 10.244.0.0/24, or from the subnet of the given network', async () => {
    const ips = [];
    for (let i = 0; i < 3; i++) ips.push((await runtime.runPodSandbox({ pod, nodeName: 'n', hostname: 'web' })).ip);
    assert.deepEqual(ips, ['10.244.0.2', '10.244.0.3', '10.244.0.4']);
    await runtime.ensureNetwork('pods', '10.244.9.0/24', '10.244.9.1');
    assert.equal((await runtime.runPodSandbox({ pod, nodeName: 'n', hostname: 'web', networkName: 'pods' })).ip, '10.244.9.2');
    await assert.rejects(runtime.runPodSandbox({ pod, nodeName: 'n', hostname: 'web', networkName: 'missing' }), RuntimeError);
  });

  it('lets a test end a container (exit code, OOMKilled) at the clock time', async () => {
    const sandbox = await runtime.runPodSandbox({ pod, nodeName: 'node-1', hostname: 'web' });
    const id = await runtime.createContainer(sandbox.id, config());
    await runtime.startContainer(id);
    clock.advance(5000);
    runtime.exitContainer(id, 137, 'OOMKilled');
    const s = await runtime.containerStatus(id);
    assert.deepEqual([s.state, s.exitCode, s.reason, s.startedAt, s.finishedAt], ['exited', 137, 'OOMKilled', '2026-01-01T00:00:00Z', '2026-01-01T00:00:05Z']);
  });

  it('pulls only images the test made pullable, and creates containers only from present images', async () => {
    await assert.rejects(runtime.pullImage('hello:v2'), (err: unknown) => err instanceof ImagePullError && err.image === 'hello:v2');
    const sandbox = await runtime.runPodSandbox({ pod, nodeName: 'node-1', hostname: 'web' });
    await assert.rejects(runtime.createContainer(sandbox.id, config({ image: 'hello:v2' })), /No such image: hello:v2/);
    runtime.addPullableImage('hello:v2');
    const id = await runtime.pullImage('hello:v2');
    assert.deepEqual(await runtime.imageStatus('hello:v2'), { present: true, id });
  });

  it('serves written logs and scripted exec sessions', async () => {
    const sandbox = await runtime.runPodSandbox({ pod, nodeName: 'node-1', hostname: 'web' });
    const id = await runtime.createContainer(sandbox.id, config());
    await runtime.startContainer(id);
    runtime.writeLog(id, 'line 1\nline 2\n');
    assert.equal(await text(await runtime.containerLogs(id, { tailLines: 1 })), 'line 2\n');
    runtime.scriptExec((containerId, options) => (options.command[0] === 'date' ? { stdout: `now in ${containerId}\n`, exitCode: 0 } : undefined));
    const session = await runtime.exec(id, { command: ['date'], stdin: false, stdout: true, stderr: true, tty: false });
    assert.deepEqual(await Promise.all([text(session.stdout), session.exitCode]), [`now in ${id}\n`, 0]);
    const unknown = await runtime.exec(id, { command: ['ls', '/'], stdin: false, stdout: true, stderr: true, tty: false });
    assert.equal(await unknown.exitCode, 127);
  });

  it('runs the sh subset it understands, and treats anything else as a long-running process', () => {
    assert.deepEqual(parseFakeCommand(['sh', '-c', "trap 'exit 0' TERM; echo hi >&2; sleep 60 & wait $!; exit 3"]), [
      { kind: 'trap', exitCode: 0 },
      { kind: 'echo', text: 'hi\n', stream: 'stderr' },
      { kind: 'sleep', ms: 60_000 },
      { kind: 'exit', code: 3 },
    ]);
    assert.deepEqual(parseFakeCommand(['cat']), [{ kind: 'cat' }]);
    assert.equal(parseFakeCommand(['httpd', '-f', '-p', '8080']), undefined);
    assert.equal(parseFakeCommand(['sh', '-c', 'wget -q -O - http://localhost/']), undefined);
  });
});
