// @kubernetes/client-node 1.4.0, loaded from the kubeconfig kubelabd writes, against a real
// kubelab cluster: typed list/get/create/replace/delete, the three patch types (the Content-Type
// chosen as kubectl-compat.md §10 says), watch with resume from a resourceVersion, /scale,
// logs, Exec (WebSocket channel protocol) and PortForward (the old WebSocket port-forward protocol).

import assert from 'node:assert/strict';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { eventually, TestDaemon } from '../../harness/test-daemon.js';

const LABEL = { app: 'cn' };

function echoDeployment(): k8s.V1Deployment {
  return {
    metadata: { name: 'cn' },
    spec: {
      replicas: 1,
      selector: { matchLabels: LABEL },
      template: {
        metadata: { labels: LABEL },
        spec: {
          terminationGracePeriodSeconds: 2,
          containers: [{ name: 'c', image: 'kubelab/busybox:1', command: ['sh', '-c', "trap 'exit 0' TERM; echo l1; echo l2; echo l3; nc -ll -p 7000 -e cat & wait"],
              // Ready only once the echo server listens: PortForward must not race its start.
              readinessProbe: { tcpSocket: { port: 7000 }, periodSeconds: 1 } }],
        },
      },
    },
  };
}

/** Retries a read-modify-write on 409 Conflict, as every controller does. */
async function onConflictRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if ((err as { code?: number }).code !== 409 || attempt >= 5) throw err;
    }
  }
}

describe('@kubernetes/client-node 1.4.0 against kubelabd', function () {
  this.timeout(90_000);
  let daemon: TestDaemon | undefined;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  let pod: string;

  before(async () => {
    daemon = await TestDaemon.start();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(daemon.kubeconfigPath);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
  });
  after(async () => {
    await daemon?.cleanup();
  });

  it('create, get, list; AlreadyExists and NotFound as ApiException with the Status body', async () => {
    const created = await apps.createNamespacedDeployment({ namespace: 'default', body: echoDeployment() });
    assert.equal(created.metadata?.generation, 1);
    assert.equal((await apps.readNamespacedDeployment({ namespace: 'default', name: 'cn' })).spec?.replicas, 1);
    const exists = await apps.createNamespacedDeployment({ namespace: 'default', body: echoDeployment() }).catch((err) => err);
    assert.equal(exists.code, 409);
    assert.equal(JSON.parse(exists.body).reason, 'AlreadyExists');
    const missing = await core.readNamespacedPod({ namespace: 'default', name: 'nope' }).catch((err) => err);
    assert.equal(missing.code, 404);
    assert.equal(JSON.parse(missing.body).message, 'pods "nope" not found');
    pod = await eventually(async () => {
      const pods = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=cn' });
      return pods.items.find((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.every((c) => c.ready))?.metadata?.name;
    }, 60_000, 500);
  });

  it('patch: JSON patch (the default), merge patch and strategic merge patch by Content-Type', async () => {
    const json = await apps.patchNamespacedDeployment({ namespace: 'default', name: 'cn', body: [{ op: 'add', path: '/metadata/labels', value: { a: '1' } }] });
    assert.deepEqual(json.metadata?.labels, { a: '1' });
    const merge = await apps.patchNamespacedDeployment({ namespace: 'default', name: 'cn', body: { metadata: { labels: { b: '2' } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    assert.deepEqual(merge.metadata?.labels, { a: '1', b: '2' });
    const strategic = await apps.patchNamespacedDeployment(
      { namespace: 'default', name: 'cn', body: { spec: { template: { spec: { containers: [{ name: 'c', env: [{ name: 'X', value: 'y' }] }] } } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    const [container] = strategic.spec!.template.spec!.containers;
    assert.deepEqual(container.env?.map((e) => ({ name: e.name, value: e.value })), [{ name: 'X', value: 'y' }]);
    assert.equal(container.image, 'kubelab/busybox:1', 'merged into the container named c, not replaced');
    // A new template rolls the pod: later tests must use the new one, not the one being stopped.
    pod = await eventually(async () => {
      const pods = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=cn' });
      return pods.items.find(
        (p) => !p.metadata?.deletionTimestamp && p.spec?.containers[0].env?.some((e) => e.name === 'X') && p.status?.phase === 'Running' && p.status.containerStatuses?.every((c) => c.ready),
      )?.metadata?.name;
    }, 60_000, 500);
  });

  it('replace with the current resourceVersion', async () => {
    const replaced = await onConflictRetry(async () => {
      const current = await core.readNamespace({ name: 'default' });
      current.metadata!.labels = { ...current.metadata!.labels, replaced: 'yes' };
      return core.replaceNamespace({ name: 'default', body: current });
    });
    assert.equal(replaced.metadata?.labels?.replaced, 'yes');
  });

  it('/scale: read and replace', async () => {
    const scale = await apps.readNamespacedDeploymentScale({ namespace: 'default', name: 'cn' });
    assert.equal(scale.spec?.replicas, 1);
    assert.equal(scale.status?.selector, 'app=cn');
    const written = await onConflictRetry(async () => {
      const current = await apps.readNamespacedDeploymentScale({ namespace: 'default', name: 'cn' });
      current.spec = { replicas: 2 };
      return apps.replaceNamespacedDeploymentScale({ namespace: 'default', name: 'cn', body: current });
    });
    assert.equal(written.spec?.replicas, 2);
    assert.equal((await apps.readNamespacedDeployment({ namespace: 'default', name: 'cn' })).spec?.replicas, 2);
  });

  it('watch: events after a resourceVersion, then a resumed watch sees only later ones', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    const watch = new k8s.Watch(kc);
    const seen: string[] = [];
    let lastVersion = '';
    const request = await watch.watch('/api/v1/namespaces/default/configmaps', { resourceVersion: list.metadata?.resourceVersion }, (type, obj: k8s.V1ConfigMap) => {
      seen.push(`${type} ${obj.metadata?.name}`);
      lastVersion = obj.metadata!.resourceVersion!;
    }, () => undefined);
    try {
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w1' }, data: { k: 'v' } } });
      await eventually(() => seen.includes('ADDED w1'), 10_000);
    } finally {
      request.abort();
    }
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w2' } } });
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'w1' });
    const resumed: string[] = [];
    const again = await watch.watch('/api/v1/namespaces/default/configmaps', { resourceVersion: lastVersion }, (type, obj: k8s.V1ConfigMap) => resumed.push(`${type} ${obj.metadata?.name}`), () => undefined);
    try {
      await eventually(() => resumed.length >= 2, 10_000);
      assert.deepEqual(resumed, ['ADDED w2', 'DELETED w1']);
    } finally {
      again.abort();
    }
  });

  it('logs: readNamespacedPodLog with tailLines', async () => {
    const log = await core.readNamespacedPodLog({ namespace: 'default', name: pod, tailLines: 2 });
    assert.equal(log, 'l2\nl3\n');
  });

  it('Exec: stdout and the exit status', async () => {
    const stdout = new PassThrough();
    let output = '';
    stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const status = await new Promise<k8s.V1Status>((resolve, reject) => {
      new k8s.Exec(kc).exec('default', pod, 'c', ['sh', '-c', 'echo hi; exit 3'], stdout, null, null, false, resolve).catch(reject);
    });
    assert.equal(output, 'hi\n');
    assert.equal(status.status, 'Failure');
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.deepEqual(status.details?.causes?.map((c) => ({ reason: c.reason, message: c.message })), [{ reason: 'ExitCode', message: '3' }]);
  });

  it('PortForward: bytes through the echo server in the pod', async () => {
    const forward = new k8s.PortForward(kc);
    const server = net.createServer((socket) => void forward.portForward('default', pod, [7000], socket, null, socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const reply = await new Promise<string>((resolve, reject) => {
        const client = net.connect(port, '127.0.0.1');
        let got = '';
        client.on('data', (chunk) => {
          got += chunk.toString();
          if (got.includes('\n')) {
            client.destroy();
            resolve(got);
          }
        });
        client.on('error', reject);
        client.write('ping\n');
      });
      assert.equal(reply, 'ping\n');
    } finally {
      server.close();
    }
  });

  it('delete returns the object; the deployment is gone', async () => {
    const deleted = (await apps.deleteNamespacedDeployment({ namespace: 'default', name: 'cn' })) as { kind?: string; status?: string };
    assert.ok(deleted.kind === 'Deployment' || deleted.status === 'Success', JSON.stringify(deleted));
    const gone = await apps.readNamespacedDeployment({ namespace: 'default', name: 'cn' }).catch((err) => err);
    assert.equal(gone.code, 404);
  });
});
