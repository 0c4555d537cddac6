// StatefulSets on the real engine, one node, driven by the real kubectl and by kubelab's CLI:
// pods come up one by one in ordinal order, each with its own DNS name under the headless
// Service; a scale-down removes the highest ordinal first; a rolling update with a partition
// replaces only the ordinals at or above it, from the top; rollout status, history and undo
// work with both CLIs; what kubelab cannot honour is refused with a 422.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Pod } from '../../lib/api/types.js';
import { loadClientConfig } from '../../lib/client/kubeconfig.js';
import { RestClient } from '../../lib/client/rest-client.js';
import { Kubectl, requireKubectl, tableRows } from '../helpers/kubectl.js';
import { eventually, TestDaemon } from '../../harness/test-daemon.js';

// covers: StatefulSet spec.replicas, spec.serviceName, spec.selector, spec.template, spec.podManagementPolicy, spec.updateStrategy.type, spec.updateStrategy.rollingUpdate.partition, spec.revisionHistoryLimit

/** A headless Service `web` and a StatefulSet `web` whose pods serve `VERSION HOSTNAME` on port 80. */
function webManifest(options: { version: string; replicas?: number; partition?: number; podManagementPolicy?: string }): string {
  return [
    'apiVersion: v1', 'kind: Service', 'metadata: {name: web, labels: {app: web}}',
    'spec: {clusterIP: None, selector: {app: web}, ports: [{name: http, port: 80}]}',
    '---',
    'apiVersion: apps/v1', 'kind: StatefulSet', 'metadata: {name: web}',
    'spec:',
    '  serviceName: web',
    `  replicas: ${options.replicas ?? 3}`,
    ...(options.podManagementPolicy ? [`  podManagementPolicy: ${options.podManagementPolicy}`] : []),
    ...(options.partition !== undefined ? ['  updateStrategy:', '    type: RollingUpdate', `    rollingUpdate: {partition: ${options.partition}}`] : []),
    '  selector: {matchLabels: {app: web}}',
    '  template:',
    '    metadata: {labels: {app: web}}',
    '    spec:',
    '      terminationGracePeriodSeconds: 5',
    '      containers:',
    '      - name: web',
    '        image: kubelab/busybox:1',
    `        env: [{name: VERSION, value: ${options.version}}]`,
    '        command: [sh, -c, \'trap "exit 0" TERM; mkdir -p /www; echo "$VERSION $(hostname)" > /www/index.html; httpd -f -p 80 -h /www & wait $!\']',
    '        readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 1}',
    '',
  ].join('\n');
}

describe('StatefulSets on the real engine (one node)', function () {
  this.timeout(600_000);
  let daemon: TestDaemon | undefined;
  let kubectl: Kubectl;
  let client: RestClient;
  let dir: string;

  before(async function () {
    const binary = requireKubectl(this);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-statefulset-'));
    daemon = await TestDaemon.start();
    kubectl = await Kubectl.forDaemon(binary, daemon);
    client = new RestClient(loadClientConfig({ kubeconfig: daemon.kubeconfigPath }));
  });
  after(async () => {
    await kubectl?.killAll();
    await daemon?.cleanup();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  async function apply(manifest: string): Promise<string> {
    const file = path.join(dir, `manifest-${Date.now()}.yaml`);
    await fs.writeFile(file, manifest);
    return kubectl.ok(['apply', '-f', file]);
  }

  const isReady = (pod: Pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

  async function webPods(): Promise<Pod[]> {
    return (await client.list<Pod>('pods', { namespace: 'default', labelSelector: 'app=web' })).items.sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  }

  /** Exactly these pods exist, all ready and none terminating; returns them by name. */
  function readyPods(names: string[], timeoutMs = 180_000): Promise<Map<string, Pod>> {
    return eventually(async () => {
      const pods = await webPods();
      const ok = pods.length === names.length && pods.every((p, i) => p.metadata.name === names[i] && isReady(p) && !p.metadata.deletionTimestamp);
      return ok && new Map(pods.map((p) => [p.metadata.name!, p]));
    }, timeoutMs, 500);
  }

  /** Records, from a watch, the order in which pods appear, become ready and disappear. */
  function recordPodEvents() {
    const events: string[] = [];
    const seenReady = new Set<string>();
    const watch = client.watch<Pod>('pods', { namespace: 'default', labelSelector: 'app=web' }, (event) => {
      if (event.type === 'ERROR') return;
      const pod = event.object;
      const name = pod.metadata.name!;
      if (event.type === 'ADDED') events.push(`created ${name}`);
      if (event.type === 'DELETED') {
        events.push(`deleted ${name}`);
        seenReady.delete(name);
      }
      if (event.type !== 'DELETED' && isReady(pod) && !seenReady.has(name)) {
        seenReady.add(name);
        events.push(`ready ${name}`);
      }
    });
    return { events, stop: () => watch.stop() };
  }

  it('brings up web-0, web-1, web-2 in order, each Running and Ready before the next is made', async () => {
    const recorder = recordPodEvents();
    try {
      await apply(webManifest({ version: 'v1' }));
      const pods = await readyPods(['web-0', 'web-1', 'web-2']);
      await eventually(() => recorder.events.filter((e) => e.startsWith('ready')).length === 3, 10_000);
      assert.deepEqual(recorder.events, ['created web-0', 'ready web-0', 'created web-1', 'ready web-1', 'created web-2', 'ready web-2']);
      for (const [name, pod] of pods) {
        assert.equal(pod.spec.hostname, name);
        assert.equal(pod.spec.subdomain, 'web');
        assert.equal(pod.metadata.labels?.['statefulset.kubernetes.io/pod-name'], name);
        assert.equal(pod.metadata.labels?.['apps.kubernetes.io/pod-index'], name.slice('web-'.length));
      }
    } finally {
      recorder.stop();
    }
    const table = await eventually(async () => {
      const rows = tableRows(await kubectl.ok(['get', 'sts', 'web']));
      return rows[1]?.slice(0, 2).join(' ') === 'web 3/3' && rows;
    }, 30_000, 500);
    assert.deepEqual(table[0], ['NAME', 'READY', 'AGE']);
    const wide = tableRows(await kubectl.ok(['get', 'statefulsets', '-o', 'wide']));
    assert.deepEqual(wide[0], ['NAME', 'READY', 'AGE', 'CONTAINERS', 'IMAGES']);
    assert.deepEqual(wide[1].slice(3), ['web', 'kubelab/busybox:1']);
    const status = JSON.parse(await kubectl.ok(['get', 'sts', 'web', '-o', 'json'])).status;
    assert.equal(status.replicas, 3);
    assert.equal(status.readyReplicas, 3);
    assert.equal(status.availableReplicas, 3);
    assert.equal(status.updatedReplicas, 3);
    assert.equal(status.currentReplicas, 3);
    assert.match(status.currentRevision, /^web-[a-z0-9]+$/);
    assert.equal(status.updateRevision, status.currentRevision);
    assert.equal(status.observedGeneration, 1);
    assert.equal(status.collisionCount, 0);
  });

  it('answers web-1.web from a pod with web-1\'s IP (the headless Service\'s per-pod name)', async () => {
    const web1 = (await readyPods(['web-0', 'web-1', 'web-2'])).get('web-1')!;
    const answer = await eventually(async () => {
      const result = await kubectl.run(['exec', 'web-0', '--', 'nslookup', 'web-1.web']);
      return result.code === 0 && result.stdout.includes(web1.status!.podIP!) && result.stdout;
    }, 60_000, 1000);
    assert.match(answer, new RegExp(`Name:\\s+web-1\\.web\\nAddress: ${web1.status!.podIP!.replace(/\./g, '\\.')}\\n`));
    const full = await kubectl.ok(['exec', 'web-0', '--', 'nslookup', 'web-1.web.default.svc.cluster.local']);
    assert.match(full, new RegExp(`Name:\\s+web-1\\.web\\.default\\.svc\\.cluster\\.local\\nAddress: ${web1.status!.podIP!.replace(/\./g, '\\.')}\\n`));
    // And the full name, fetched over HTTP: the page says which pod answered.
    const page = await kubectl.ok(['exec', 'web-0', '--', 'wget', '-q', '-O', '-', 'http://web-2.web.default.svc.cluster.local/']);
    assert.equal(page, 'v1 web-2\n');
  });

  it('scales 3 -> 1 from the highest ordinal down, and back to 3 in order', async () => {
    const recorder = recordPodEvents();
    try {
      assert.equal(await kubectl.ok(['scale', 'sts', 'web', '--replicas=1']), 'statefulset.apps/web scaled\n');
      await readyPods(['web-0']);
      assert.deepEqual(recorder.events.filter((e) => e.startsWith('deleted')), ['deleted web-2', 'deleted web-1']);
      recorder.events.length = 0;
      const scaled = await daemon!.kubelab(['scale', 'statefulset/web', '--replicas=3']);
      assert.equal(scaled.code, 0, scaled.stderr);
      await readyPods(['web-0', 'web-1', 'web-2']);
      assert.deepEqual(recorder.events.filter((e) => !e.startsWith('deleted')), ['created web-1', 'ready web-1', 'created web-2', 'ready web-2']);
    } finally {
      recorder.stop();
    }
  });

  it('a rolling update with partition 2 replaces only web-2; partition 0 then replaces web-1 before web-0', async () => {
    const revisionOf = (pod: Pod) => pod.metadata.labels?.['controller-revision-hash'];
    const before = await readyPods(['web-0', 'web-1', 'web-2']);
    const v1 = revisionOf(before.get('web-0')!);
    assert.equal(await apply(webManifest({ version: 'v2', partition: 2 })), 'service/web unchanged\nstatefulset.apps/web configured\n');
    assert.equal(
      await kubectl.ok(['rollout', 'status', 'sts/web', '--timeout=180s'], { timeoutMs: 190_000 }).then((out) => out.trim().split('\n').pop()),
      'partitioned roll out complete: 1 new pods have been updated...',
    );
    const partitioned = await readyPods(['web-0', 'web-1', 'web-2']);
    const v2 = revisionOf(partitioned.get('web-2')!);
    assert.notEqual(v2, v1);
    assert.deepEqual([...partitioned.values()].map(revisionOf), [v1, v1, v2]);
    assert.equal(await kubectl.ok(['exec', 'web-0', '--', 'wget', '-q', '-O', '-', 'http://web-2.web/']), 'v2 web-2\n');
    const status = JSON.parse(await kubectl.ok(['get', 'sts', 'web', '-o', 'json'])).status;
    assert.deepEqual([status.currentRevision, status.updateRevision, status.currentReplicas, status.updatedReplicas], [v1, v2, 2, 1]);

    const recorder = recordPodEvents();
    try {
      await apply(webManifest({ version: 'v2', partition: 0 }));
      await kubectl.ok(['rollout', 'status', 'sts/web', '--timeout=180s'], { timeoutMs: 190_000 });
      const updated = await readyPods(['web-0', 'web-1', 'web-2']);
      assert.deepEqual([...updated.values()].map(revisionOf), [v2, v2, v2]);
      assert.deepEqual(recorder.events.filter((e) => e.startsWith('deleted')), ['deleted web-1', 'deleted web-0']);
    } finally {
      recorder.stop();
    }
    const done = await eventually(async () => {
      const st = JSON.parse(await kubectl.ok(['get', 'sts', 'web', '-o', 'json'])).status;
      return st.currentRevision === v2 && st;
    }, 30_000, 500);
    assert.equal(done.currentReplicas, 3);
  });

  it('rollout history and undo (real kubectl): back to v1, which becomes revision 3', async () => {
    assert.match(await kubectl.ok(['rollout', 'history', 'sts/web']), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
    assert.match(await kubectl.ok(['rollout', 'history', 'sts/web', '--revision=1']), /VERSION:\s+v1/);
    assert.equal(await kubectl.ok(['rollout', 'undo', 'sts/web']), 'statefulset.apps/web rolled back\n');
    await kubectl.ok(['rollout', 'status', 'sts/web', '--timeout=180s'], { timeoutMs: 190_000 });
    await eventually(async () => (await kubectl.run(['exec', 'web-0', '--', 'wget', '-q', '-O', '-', 'http://web-0.web/'])).stdout === 'v1 web-0\n', 180_000, 1000);
    assert.match(await kubectl.ok(['rollout', 'history', 'sts/web']), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);
    assert.equal(await kubectl.ok(['rollout', 'undo', 'sts/web', '--to-revision=3']), 'statefulset.apps/web skipped rollback (current template already matches revision 3)\n');
  });

  it('kubelab rollout status, history and undo work on stateful sets too', async () => {
    const kubelab = async (args: string[]) => {
      const result = await daemon!.kubelab(args, { timeoutMs: 190_000 });
      assert.equal(result.code, 0, `kubelab ${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };
    assert.match(await kubelab(['rollout', 'history', 'sts/web']), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);
    assert.equal(await kubelab(['rollout', 'undo', 'statefulset/web']), 'statefulset.apps/web rolled back\n');
    assert.match(await kubelab(['rollout', 'status', 'sts/web', '--timeout=180s']), /partitioned roll out complete: 3 new pods have been updated...\n$/);
    await eventually(async () => (await kubectl.run(['exec', 'web-0', '--', 'wget', '-q', '-O', '-', 'http://web-0.web/'])).stdout === 'v2 web-0\n', 180_000, 1000);
    assert.match(await kubelab(['rollout', 'history', 'sts/web']), /REVISION\s+CHANGE-CAUSE\n3\s+<none>\n4\s+<none>\n/);
  });

  it('refuses maxUnavailable with a 422 naming the field', async () => {
    const manifest = webManifest({ version: 'v1' }).replace("rollingUpdate: {partition: 0}", '').replace('  serviceName: web\n', '  serviceName: web\n  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 2}}\n').replace('name: web}', 'name: bad}');
    const file = path.join(dir, 'bad.yaml');
    await fs.writeFile(file, manifest.split('---\n')[1]);
    const result = await kubectl.run(['create', '-f', file]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /The StatefulSet "bad" is invalid: spec\.updateStrategy\.rollingUpdate\.maxUnavailable: Forbidden: kubelab does not support this field \(alpha in Kubernetes/);
  });

  it('deleting the StatefulSet deletes its pods and revisions', async () => {
    await kubectl.ok(['delete', 'sts', 'web', '--wait=false']);
    await eventually(async () => (await webPods()).length === 0, 120_000, 500);
    await eventually(async () => (await kubectl.ok(['get', 'controllerrevisions', '-o', 'name'])).trim() === '', 60_000, 500);
    await kubectl.ok(['delete', 'svc', 'web']);
  });

  // ---------------------------------------------------------------------------------------------
  // Storage: one claim per ordinal (local-path, the default class), kept across pod deletion and scale-down.

  // covers: StatefulSet spec.volumeClaimTemplates, spec.volumeClaimTemplates.metadata.name, spec.volumeClaimTemplates.spec.accessModes, spec.volumeClaimTemplates.spec.resources.requests, spec.persistentVolumeClaimRetentionPolicy.whenScaled, spec.persistentVolumeClaimRetentionPolicy.whenDeleted

  const examples = path.resolve(import.meta.dirname, '../../examples');
  const page = async (pod: string) => (await kubectl.ok(['exec', pod, '--', 'wget', '-q', '-O', '-', `http://${pod}.web/`])).trim();
  const claims = async () =>
    (await client.list('persistentvolumeclaims', { namespace: 'default' })).items
      .filter((c) => c.metadata.name?.startsWith('data-web-'))
      .map((c) => `${c.metadata.name} ${(c as { status?: { phase?: string } }).status?.phase}`)
      .sort();

  it('makes one claim per ordinal before its pod; each pod mounts its own', async () => {
    assert.match(await kubectl.ok(['apply', '-f', path.join(examples, 'statefulset/web.yml')]), /statefulset\.apps\/web created/);
    const pods = await readyPods(['web-0', 'web-1', 'web-2']);
    assert.deepEqual(await claims(), ['data-web-0 Bound', 'data-web-1 Bound', 'data-web-2 Bound']);
    for (const [name, pod] of pods) {
      assert.deepEqual(pod.spec.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim, { claimName: `data-${name}` });
      assert.equal(await page(name), `v1 ${name}: started 1 times on this data`);
    }
    const pvcTable = tableRows(await kubectl.ok(['get', 'pvc']));
    assert.deepEqual(pvcTable.slice(1).filter((r) => r[0].startsWith('data-web-')).map((r) => [r[0], r[1]]), [['data-web-0', 'Bound'], ['data-web-1', 'Bound'], ['data-web-2', 'Bound']]);
  });

  it('web-0 deleted comes back with the same claim and its data', async () => {
    await kubectl.ok(['exec', 'web-0', '--', 'sh', '-c', 'echo written-by-the-first-web-0 > /data/marker']);
    const before = (await readyPods(['web-0', 'web-1', 'web-2'])).get('web-0')!;
    const claimUid = (await client.get('persistentvolumeclaims', 'default', 'data-web-0')).metadata.uid;
    await kubectl.ok(['delete', 'pod', 'web-0']);
    const after = await eventually(async () => {
      const pods = await readyPods(['web-0', 'web-1', 'web-2']);
      return pods.get('web-0')!.metadata.uid !== before.metadata.uid && pods.get('web-0');
    }, 180_000, 500);
    assert.ok(after);
    assert.equal((await client.get('persistentvolumeclaims', 'default', 'data-web-0')).metadata.uid, claimUid);
    assert.equal(await kubectl.ok(['exec', 'web-0', '--', 'cat', '/data/marker']), 'written-by-the-first-web-0\n');
    assert.equal(await page('web-0'), 'v1 web-0: started 2 times on this data');
  });

  it('scale 3 -> 1 -> 3 keeps the claims and their data', async () => {
    await kubectl.ok(['exec', 'web-2', '--', 'sh', '-c', 'echo kept-through-scale-down > /data/marker']);
    await kubectl.ok(['scale', 'sts', 'web', '--replicas=1']);
    await readyPods(['web-0']);
    assert.deepEqual(await claims(), ['data-web-0 Bound', 'data-web-1 Bound', 'data-web-2 Bound']);
    await kubectl.ok(['scale', 'sts', 'web', '--replicas=3']);
    await readyPods(['web-0', 'web-1', 'web-2']);
    assert.equal(await kubectl.ok(['exec', 'web-2', '--', 'cat', '/data/marker']), 'kept-through-scale-down\n');
    assert.equal(await page('web-2'), 'v1 web-2: started 2 times on this data');
  });

  it('persistentVolumeClaimRetentionPolicy Delete: a scale-down deletes the claim of the removed ordinal, deleting the set deletes the rest', async () => {
    await kubectl.ok(['patch', 'sts', 'web', '--type=merge', '-p', '{"spec":{"persistentVolumeClaimRetentionPolicy":{"whenScaled":"Delete","whenDeleted":"Delete"}}}']);
    await eventually(async () => {
      const claim = await client.get('persistentvolumeclaims', 'default', 'data-web-0');
      return claim.metadata.ownerReferences?.some((ref) => ref.kind === 'StatefulSet' && ref.name === 'web');
    }, 30_000, 500);
    await kubectl.ok(['scale', 'sts', 'web', '--replicas=2']);
    await readyPods(['web-0', 'web-1']);
    await eventually(async () => (await claims()).join(',') === 'data-web-0 Bound,data-web-1 Bound', 120_000, 500);
    await kubectl.ok(['delete', 'sts', 'web', '--wait=false']);
    await eventually(async () => (await webPods()).length === 0 && (await claims()).length === 0, 180_000, 500);
    await kubectl.ok(['delete', 'svc', 'web']);
  });

  it('the offline stateful WordPress keeps its posts and uploads when its pods are deleted', async () => {
    const dir = path.join(examples, 'wordpress-stateful-standin');
    const files = ['wordpress-secrets.yml', 'database.yml', 'frontend.yml'];
    // The example's fixed node port may be outside this daemon's range: let the daemon pick one.
    const text = (await Promise.all(files.map((f) => fs.readFile(path.join(dir, f), 'utf8')))).join('\n---\n').replace(/^\s*nodePort: \d+\n/m, '');
    const created = await daemon!.kubelab(['create', '-f', '-'], { input: text });
    assert.equal(created.code, 0, created.stderr);
    const nodePort = JSON.parse(await kubectl.ok(['get', 'svc', 'frontend', '-o', 'json'])).spec.ports[0].nodePort;
    const get = async (pathname: string) => {
      // A timeout: before the pods are ready the proxy has no endpoint to send the connection to.
      const response = await fetch(`http://127.0.0.1:${nodePort}${pathname}`, { signal: AbortSignal.timeout(5000) });
      return (await response.text()).trim();
    };
    await eventually(async () => (await get('/cgi-bin/publish?hello-world').catch(() => '')) === 'published hello-world', 180_000, 1000);
    assert.equal(await get('/cgi-bin/blog'), 'posts: hello-world; uploads: hello-world.txt');
    // The seed tutorial's last scene: delete the pods. The data is still there.
    await kubectl.ok(['delete', 'pod', 'database-0']);
    await kubectl.ok(['delete', 'pod', '-l', 'app=wordpress']);
    const blog = await eventually(async () => {
      const body = await get('/cgi-bin/blog').catch(() => '');
      return body.startsWith('posts:') && body;
    }, 180_000, 1000);
    assert.equal(blog, 'posts: hello-world; uploads: hello-world.txt');
    assert.deepEqual(
      tableRows(await kubectl.ok(['get', 'pvc'])).slice(1).map((r) => [r[0], r[1]]).sort(),
      [['data-database-0', 'Bound'], ['wordpress-content', 'Bound']],
    );
    await daemon!.kubelab(['delete', '-f', '-'], { input: text });
  });
});
