// The tutorial's first chapter, end to end, as a user does it: a real kubelabd on the real
// Docker Engine, driven through the kubelab CLI. Every assertion is something a user would see
// (a pod answers, a file reads back, an error names the field).
//
// covers: Pod spec.containers, spec.containers.name, spec.containers.image, spec.containers.command, spec.containers.ports.containerPort, spec.restartPolicy, spec.terminationGracePeriodSeconds, spec.nodeSelector, spec.nodeName
// covers: Pod spec.volumes.name, spec.volumes.emptyDir, spec.volumes.secret.secretName, spec.containers.volumeMounts.name, spec.containers.volumeMounts.mountPath, spec.containers.env.name, spec.containers.env.valueFrom.secretKeyRef.name, spec.containers.env.valueFrom.secretKeyRef.key
// covers: Secret data, type

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { TestDaemon, eventually } from '../../harness/test-daemon.js';
import type { Pod } from '../../lib/api/types.js';

const examples = path.resolve(import.meta.dirname, '../../examples');

describe('single-node cluster on the real Docker Engine', function () {
  this.timeout(120_000);
  let daemon: TestDaemon;
  let scratch: string;

  before(async () => {
    daemon = await TestDaemon.start();
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-manifests-'));
  });
  after(async () => {
    await daemon?.cleanup();
    if (scratch) await fs.rm(scratch, { recursive: true, force: true });
  });

  async function getPod(name: string): Promise<Pod> {
    const r = await daemon.kubelab(['get', 'pod', name, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Pod;
  }

  async function waitRunning(name: string): Promise<Pod> {
    return eventually(async () => {
      const pod = await getPod(name);
      return pod.status?.phase === 'Running' && pod.status.containerStatuses?.every((c) => c.ready) ? pod : undefined;
    }, 60_000);
  }

  async function httpGet(url: string): Promise<string> {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return (await res.text()).trim();
  }

  async function writeManifest(name: string, text: string): Promise<string> {
    const file = path.join(scratch, name);
    await fs.writeFile(file, text);
    return file;
  }

  it('registers its node as Ready', async () => {
    const r = await daemon.kubelab(['get', 'nodes']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/m);
    assert.match(r.stdout, new RegExp(`^${daemon.nodeName}\\s+Ready\\s`, 'm'));
  });

  it('runs the hello-world pod: Running, answers on its IP, logs, exec, delete', async () => {
    const created = await daemon.kubelab(['create', '-f', path.join(examples, 'first-app/helloworld.yml')]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /pod\/nodehelloworld.example.com created/);

    const pod = await waitRunning('nodehelloworld.example.com');
    assert.equal(pod.spec.nodeName, daemon.nodeName);
    assert.ok(pod.status?.podIP, 'pod has an IP');
    assert.equal(await httpGet(`http://${pod.status!.podIP}:3000/`), 'Hello World!');

    const table = await daemon.kubelab(['get', 'pods']);
    assert.match(table.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/m);
    assert.match(table.stdout, /nodehelloworld\.example\.com\s+1\/1\s+Running\s+0\s/);

    const exec = await daemon.kubelab(['exec', 'nodehelloworld.example.com', '--', 'cat', '/www/index.html']);
    assert.equal(exec.code, 0, exec.stderr);
    assert.match(exec.stdout, /Hello World!/);
    const failing = await daemon.kubelab(['exec', 'nodehelloworld.example.com', '--', 'sh', '-c', 'exit 3']);
    assert.equal(failing.code, 3);

    const input = await daemon.kubelab(['exec', '-i', 'nodehelloworld.example.com', '--', 'sh', '-c', 'tr a-z A-Z'], { input: 'shout\n' });
    assert.equal(input.stdout.trim(), 'SHOUT');

    const deleted = await daemon.kubelab(['delete', 'pod', 'nodehelloworld.example.com']);
    assert.equal(deleted.code, 0, deleted.stderr);
    const gone = await daemon.kubelab(['get', 'pod', 'nodehelloworld.example.com']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NotFound/);
    const docker = new Docker();
    const left = await docker.listContainers({ all: true, filters: { label: [`io.kubelab.pod.uid=${pod.metadata.uid}`] } });
    assert.equal(left.length, 0, 'every container of the pod is removed');
  });

  it('two containers of a pod share localhost and an emptyDir', async () => {
    const r = await daemon.kubelab(['create', '-f', path.join(examples, 'multi-container/pod-two-containers.yml')]);
    assert.equal(r.code, 0, r.stderr);
    await waitRunning('two-containers');
    const logs = await eventually(async () => {
      const l = await daemon.kubelab(['logs', 'two-containers', '-c', 'sidecar']);
      return l.stdout.includes('Hello World!') ? l : undefined;
    });
    assert.match(logs.stdout, /Hello World!/);
    const shared = await daemon.kubelab(['exec', 'two-containers', '-c', 'web', '--', 'cat', '/shared/last-answer']);
    assert.match(shared.stdout, /Hello World!/);
    await daemon.kubelab(['delete', 'pod', 'two-containers', '--grace-period', '1']);
  });

  it('gives a secret to a pod as environment and as files with mode 0444', async () => {
    const s = await daemon.kubelab(['create', '-f', path.join(examples, 'secrets/db-secrets.yml')]);
    assert.equal(s.code, 0, s.stderr);
    const p = await daemon.kubelab(['create', '-f', path.join(examples, 'secrets/helloworld-secrets-volumes.yml')]);
    assert.equal(p.code, 0, p.stderr);
    await waitRunning('nodehelloworld-secrets');
    const file = await daemon.kubelab(['exec', 'nodehelloworld-secrets', '--', 'cat', '/etc/creds/username']);
    assert.equal(file.stdout, 'root');
    const mode = await daemon.kubelab(['exec', 'nodehelloworld-secrets', '--', 'sh', '-c', 'stat -L -c %a /etc/creds/password']);
    assert.equal(mode.stdout.trim(), '444');
    const env = await daemon.kubelab(['exec', 'nodehelloworld-secrets', '--', 'sh', '-c', 'echo $DB_PASSWORD']);
    assert.equal(env.stdout.trim(), 'password');
    const write = await daemon.kubelab(['exec', 'nodehelloworld-secrets', '--', 'sh', '-c', 'echo x > /etc/creds/username']);
    assert.notEqual(write.code, 0, 'the secret volume is read-only');
    await daemon.kubelab(['delete', 'pod', 'nodehelloworld-secrets', '--grace-period', '1']);
  });

  it('restarts a crashing container with back-off (restartPolicy Always) and reports CrashLoopBackOff', async () => {
    const file = await writeManifest('crash.yml', `
apiVersion: v1
kind: Pod
metadata: {name: crasher}
spec:
  containers:
  - name: main
    image: kubelab/busybox:1
    command: ["sh", "-c", "echo attempt; exit 2"]
`);
    assert.equal((await daemon.kubelab(['create', '-f', file])).code, 0);
    const pod = await eventually(async () => {
      const p = await getPod('crasher');
      const cs = p.status?.containerStatuses?.[0];
      return cs && cs.restartCount >= 2 && cs.state.waiting?.reason === 'CrashLoopBackOff' ? p : undefined;
    }, 60_000);
    const cs = pod.status!.containerStatuses![0];
    assert.equal(cs.lastState.terminated?.exitCode, 2);
    // Between back-offs (1 s to 4 s here) the container runs and fails again for a moment, so a
    // single `get` may catch it in Error: a user watching sees CrashLoopBackOff most of the time.
    await eventually(async () => /crasher\s+0\/1\s+CrashLoopBackOff\s+\d/.test((await daemon.kubelab(['get', 'pod', 'crasher'])).stdout), 20_000);
    const events = await daemon.kubelab(['get', 'events']);
    assert.match(events.stdout, /BackOff/);
    await daemon.kubelab(['delete', 'pod', 'crasher', '--grace-period', '0']);
  });

  it('runs restartPolicy OnFailure and Never pods to Succeeded and Failed', async () => {
    const file = await writeManifest('jobs.yml', `
apiVersion: v1
kind: Pod
metadata: {name: once-ok}
spec:
  restartPolicy: OnFailure
  containers:
  - {name: main, image: kubelab/busybox:1, command: ["sh", "-c", "echo done"]}
---
apiVersion: v1
kind: Pod
metadata: {name: once-fail}
spec:
  restartPolicy: Never
  containers:
  - {name: main, image: kubelab/busybox:1, command: ["sh", "-c", "exit 7"]}
`);
    assert.equal((await daemon.kubelab(['create', '-f', file])).code, 0);
    await eventually(async () => (await getPod('once-ok')).status?.phase === 'Succeeded');
    const failed = await eventually(async () => {
      const p = await getPod('once-fail');
      return p.status?.phase === 'Failed' ? p : undefined;
    });
    assert.equal(failed.status!.containerStatuses![0].state.terminated?.exitCode, 7);
    assert.equal(failed.status!.containerStatuses![0].restartCount, 0);
    const logs = await daemon.kubelab(['logs', 'once-ok']);
    assert.equal(logs.stdout.trim(), 'done');
    await daemon.kubelab(['delete', 'pod', 'once-ok', 'once-fail']);
  });

  it('stops a pod gracefully: SIGTERM first, Terminating while it stops, gone after', async () => {
    const file = await writeManifest('graceful.yml', `
apiVersion: v1
kind: Pod
metadata: {name: graceful}
spec:
  terminationGracePeriodSeconds: 20
  containers:
  - name: main
    image: kubelab/busybox:1
    command: ["sh", "-c", "trap 'echo got TERM; sleep 2; exit 0' TERM; while true; do sleep 1; done"]
`);
    assert.equal((await daemon.kubelab(['create', '-f', file])).code, 0);
    await waitRunning('graceful');
    const started = Date.now();
    const del = await daemon.kubelab(['delete', 'pod', 'graceful', '--wait=false']);
    assert.equal(del.code, 0, del.stderr);
    const terminating = await daemon.kubelab(['get', 'pod', 'graceful']);
    assert.match(terminating.stdout, /Terminating/);
    await eventually(async () => (await daemon.kubelab(['get', 'pod', 'graceful'])).code !== 0, 30_000);
    const tookMs = Date.now() - started;
    assert.ok(tookMs >= 2000, `the container's TERM handler ran (took ${tookMs} ms)`);
    assert.ok(tookMs < 15_000, `it did not wait out the 20 s grace period (took ${tookMs} ms)`);
  });

  it('keeps a pod with an unmatched nodeSelector Pending, then binds it once the node is labelled', async () => {
    const file = await writeManifest('selector.yml', `
apiVersion: v1
kind: Pod
metadata: {name: picky}
spec:
  nodeSelector: {hardware: high-spec}
  containers:
  - {name: main, image: kubelab/hello:v1}
`);
    assert.equal((await daemon.kubelab(['create', '-f', file])).code, 0);
    await eventually(async () => {
      const events = await daemon.kubelab(['get', 'events']);
      return /FailedScheduling/.test(events.stdout) && /didn't match Pod's node affinity\/selector/.test(events.stdout);
    });
    assert.equal((await getPod('picky')).status?.phase, 'Pending');
    assert.equal((await getPod('picky')).spec.nodeName, undefined);
    const label = await daemon.kubelab(['label', 'node', daemon.nodeName, 'hardware=high-spec']);
    assert.equal(label.code, 0, label.stderr);
    const pod = await waitRunning('picky');
    assert.equal(pod.spec.nodeName, daemon.nodeName);
    await daemon.kubelab(['delete', 'pod', 'picky', '--grace-period', '0']);
    await daemon.kubelab(['label', 'node', daemon.nodeName, 'hardware-']);
  });

  it('rejects bad manifests with the field path and writes nothing', async () => {
    const file = await writeManifest('bad.yml', `
apiVersion: v1
kind: Pod
metadata: {name: good-one}
spec:
  containers:
  - {name: main, image: kubelab/hello:v1}
---
apiVersion: v1
kind: Pod
metadata: {name: bad-one}
spec:
  containers:
  - name: main
`);
    const r = await daemon.kubelab(['create', '-f', file]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.containers\[0\]\.image: Required value/);

    const unknownKind = await writeManifest('unknown.yml', 'apiVersion: v1\nkind: Gizmo\nmetadata: {name: g}\n');
    const k = await daemon.kubelab(['create', '-f', unknownKind]);
    assert.notEqual(k.code, 0);
    assert.match(k.stderr, /Gizmo/);

    const broken = await writeManifest('broken.yml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: x\n');
    const b = await daemon.kubelab(['create', '-f', broken]);
    assert.notEqual(b.code, 0);
    assert.match(b.stderr, /broken\.yml/);

    const flag = await daemon.kubelab(['get', 'pods', '--bogus-flag']);
    assert.notEqual(flag.code, 0);
    assert.match(flag.stderr, /bogus-flag/);

    const pods = await daemon.kubelab(['get', 'pods', '-o', 'name']);
    assert.doesNotMatch(pods.stdout, /bad-one/);
  });

  it('survives SIGKILL of the daemon: pods keep running with the same containers, objects remain', async () => {
    const file = await writeManifest('survivor.yml', `
apiVersion: v1
kind: Secret
metadata: {name: survivor-secret}
stringData: {token: s3cret}
---
apiVersion: v1
kind: Pod
metadata: {name: survivor, labels: {app: survivor}}
spec:
  containers:
  - {name: web, image: kubelab/hello:v1}
  - name: flaky
    image: kubelab/busybox:1
    command: ["sh", "-c", "sleep 1; exit 1"]
    
`);
    assert.equal((await daemon.kubelab(['create', '-f', file])).code, 0);
    const before = await eventually(async () => {
      const p = await getPod('survivor');
      const flaky = p.status?.containerStatuses?.find((c) => c.name === 'flaky');
      return flaky && flaky.restartCount >= 1 && p.status?.podIP ? p : undefined;
    }, 60_000);
    const webBefore = before.status!.containerStatuses!.find((c) => c.name === 'web')!;

    await daemon.kill('SIGKILL');
    await daemon.launch();

    const after = await getPod('survivor');
    assert.equal(after.metadata.uid, before.metadata.uid);
    const webAfter = after.status!.containerStatuses!.find((c) => c.name === 'web')!;
    assert.equal(webAfter.containerID, webBefore.containerID, 'the running container was adopted, not recreated');
    assert.equal(webAfter.restartCount, 0);
    const flakyAfter = after.status!.containerStatuses!.find((c) => c.name === 'flaky')!;
    assert.ok(flakyAfter.restartCount >= before.status!.containerStatuses!.find((c) => c.name === 'flaky')!.restartCount);
    assert.equal(await httpGet(`http://${after.status!.podIP}:3000/`), 'Hello World!');
    const secret = await daemon.kubelab(['get', 'secret', 'survivor-secret', '-o', 'jsonpath={.data.token}']);
    assert.equal(Buffer.from(secret.stdout, 'base64').toString(), 's3cret');
    await daemon.kubelab(['delete', 'pod', 'survivor', '--grace-period', '0']);
  });
});
