// Container probes end to end: a real kubelabd on the real Docker Engine, driven through the
// kubelab CLI, with the kubelet probing real containers on their pod IPs. What a user sees:
// READY 1/1 once the web server answers, restarts of a wedged container with its Unhealthy
// events, and 0/1 for a container whose readiness port is closed.
//
// covers: Pod spec.containers.readinessProbe.httpGet.path, spec.containers.readinessProbe.httpGet.port, spec.containers.livenessProbe.exec.command, spec.containers.readinessProbe.tcpSocket.port, spec.containers.readinessProbe.initialDelaySeconds, spec.containers.readinessProbe.periodSeconds, spec.containers.readinessProbe.failureThreshold

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Pod } from '../../lib/api/types.js';
import { TestDaemon, eventually } from '../../harness/test-daemon.js';

describe('container probes on the real Docker Engine', function () {
  this.timeout(120_000);
  let daemon: TestDaemon;
  let scratch: string;

  before(async () => {
    daemon = await TestDaemon.start();
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-probes-'));
  });
  after(async () => {
    await daemon?.cleanup();
    if (scratch) await fs.rm(scratch, { recursive: true, force: true });
  });

  async function create(pod: object): Promise<void> {
    const file = path.join(scratch, `${(pod as Pod).metadata.name}.json`);
    await fs.writeFile(file, JSON.stringify(pod));
    const r = await daemon.kubelab(['create', '-f', file]);
    assert.equal(r.code, 0, r.stderr);
  }

  async function getPod(name: string): Promise<Pod> {
    const r = await daemon.kubelab(['get', 'pod', name, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Pod;
  }

  const podRow = async (name: string) => (await daemon.kubelab(['get', 'pod', name])).stdout;
  const readyCondition = (pod: Pod) => pod.status?.conditions?.find((c) => c.type === 'Ready')?.status;

  it('a readiness httpGet probe on the web server makes the pod Ready (1/1)', async () => {
    await create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ready-web' },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'kubelab/hello:v1',
            ports: [{ name: 'http', containerPort: 3000 }],
            readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 },
          },
        ],
      },
    });
    const pod = await eventually(async () => {
      const p = await getPod('ready-web');
      return readyCondition(p) === 'True' ? p : undefined;
    }, 60_000);
    assert.equal(pod.status!.containerStatuses![0].ready, true);
    assert.match(await podRow('ready-web'), /ready-web\s+1\/1\s+Running\s+0\s/);
  });

  it('a liveness exec probe restarts a wedged container and leaves Unhealthy events', async () => {
    await create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'wedged' },
      spec: {
        // sh as PID 1 ignores SIGTERM: a short grace period keeps the kill quick.
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'app',
            image: 'kubelab/busybox:1',
            command: ['sh', '-c', 'touch /tmp/healthy; sleep 3; rm /tmp/healthy; sleep 600'],
            livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 2 },
          },
        ],
      },
    });
    const pod = await eventually(async () => {
      const p = await getPod('wedged');
      return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? p : undefined;
    }, 60_000);
    assert.ok(pod.status!.containerStatuses![0].lastState.terminated, 'the killed attempt is the last state');
    const events = await eventually(async () => {
      const r = await daemon.kubelab(['get', 'events']);
      return /Unhealthy/.test(r.stdout) && /failed liveness probe, will be restarted/.test(r.stdout) ? r.stdout : undefined;
    }, 30_000);
    assert.match(events, /Liveness probe failed: cat: can't open '\/tmp\/healthy': No such file or directory/);
    assert.match(events, /Container app failed liveness probe, will be restarted/);
  });

  it('a readiness probe on a closed port: Running but 0/1 READY', async () => {
    await create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'closed-port' },
      spec: {
        containers: [{ name: 'web', image: 'kubelab/hello:v1', readinessProbe: { tcpSocket: { port: 4000 }, periodSeconds: 1 } }],
      },
    });
    const pod = await eventually(async () => {
      const p = await getPod('closed-port');
      return p.status?.phase === 'Running' ? p : undefined;
    }, 60_000);
    const events = await eventually(async () => {
      const r = await daemon.kubelab(['get', 'events']);
      return r.stdout.includes(`Readiness probe failed: dial tcp ${pod.status!.podIP}:4000: connect: connection refused`) ? r.stdout : undefined;
    }, 30_000);
    assert.ok(events);
    const later = await getPod('closed-port');
    assert.equal(readyCondition(later), 'False');
    assert.equal(later.status!.containerStatuses![0].ready, false);
    assert.equal(later.status!.containerStatuses![0].restartCount, 0, 'not ready is not restarted');
    assert.match(await podRow('closed-port'), /closed-port\s+0\/1\s+Running\s+0\s/);
  });
});
