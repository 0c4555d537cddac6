// Resource metrics on a real single-node kubelabd: the kubelet samples the cgroup files of a pod
// that burns CPU and of one that keeps 64 MiB resident (a file in the container's tmpfs
// /dev/shm, which is memory charged to the container and never dropped like page cache), and
// kubectl top, kubelab top and the metrics.k8s.io API report them; /metrics refuses without the
// admin token and exposes the Kubernetes and kubelab metric names.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Kubectl, requireKubectl, tableRows } from '../helpers/kubectl.js';
import { httpsRequest } from '../helpers/https-request.js';
import { eventually, TestDaemon } from '../../harness/test-daemon.js';

const burnerYaml = `apiVersion: v1
kind: Pod
metadata: {name: burner, labels: {app: burner, tier: load}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: spin, image: kubelab/busybox:1, command: ["sh", "-c", "trap 'exit 0' TERM; while :; do :; done"]}
`;

/** 64 MiB written into the container's tmpfs stays resident (and counts in its cgroup) until deleted. */
const MEMORY_BYTES = 64 * 1024 * 1024;
const memoryYaml = `apiVersion: v1
kind: Pod
metadata: {name: memory-hog, labels: {app: memory-hog, tier: load}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: hold, image: kubelab/busybox:1, command: ["sh", "-c", "head -c ${MEMORY_BYTES} /dev/zero > /dev/shm/fill; trap 'exit 0' TERM; while :; do sleep 1; done"]}
  - {name: idle, image: kubelab/busybox:1, command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]}
`;

/** Millicores of a kubectl CPU cell (`123m`). */
const millis = (cell: string | undefined) => Number(/^(\d+)m$/.exec(cell ?? '')?.[1] ?? NaN);
/** MiB of a kubectl memory cell (`64Mi`). */
const mib = (cell: string | undefined) => Number(/^(\d+)Mi$/.exec(cell ?? '')?.[1] ?? NaN);

describe('resource metrics: kubectl top, kubelab top, metrics.k8s.io (real engine)', function () {
  this.timeout(180_000);
  let daemon: TestDaemon | undefined;
  let kubectl: Kubectl | undefined;
  let dir: string;

  before(async function () {
    const binary = requireKubectl(this);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-metrics-'));
    // Sample every second so the test sees rates within seconds.
    daemon = await TestDaemon.start({ args: ['--housekeeping-interval', '1'] });
    kubectl = await Kubectl.forDaemon(binary, daemon);
    for (const [name, yaml] of [['burner.yaml', burnerYaml], ['memory.yaml', memoryYaml]]) {
      await fs.writeFile(path.join(dir, name), yaml);
      await kubectl.ok(['create', '-f', path.join(dir, name)]);
    }
  });
  after(async () => {
    await kubectl?.killAll();
    await daemon?.cleanup();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('serves the group in discovery, as kubectl api-resources shows it', async () => {
    const out = await kubectl!.ok(['api-resources', '--api-group=metrics.k8s.io']);
    const rows = tableRows(out);
    assert.deepEqual(rows.slice(1).map((r) => [r[0], r[1], r[2], r[3]]), [
      ['nodes', 'metrics.k8s.io/v1beta1', 'false', 'NodeMetrics'],
      ['pods', 'metrics.k8s.io/v1beta1', 'true', 'PodMetrics'],
    ]);
  });

  it('kubectl top pods: the burner uses CPU, the memory hog about 64 MiB', async () => {
    const rows = await eventually(async () => {
      const r = await kubectl!.run(['top', 'pods']);
      if (r.code !== 0) return undefined;
      const table = tableRows(r.stdout);
      const burner = table.find((row) => row[0] === 'burner');
      const hog = table.find((row) => row[0] === 'memory-hog');
      return burner && hog && millis(burner[1]) > 100 && mib(hog[2]) > 50 ? table : undefined;
    }, 90_000, 1000);
    assert.deepEqual(rows[0], ['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    const hog = rows.find((row) => row[0] === 'memory-hog')!;
    const hogMiB = mib(hog[2]);
    assert.ok(Math.abs(hogMiB - 64) <= 64 * 0.2, `memory-hog reports ${hogMiB} MiB, want 64 MiB ± 20 %`);
  });

  it('kubectl top pods --containers -l --sort-by and -A', async () => {
    // The second container may have started a pass later: it shows once it has been read twice.
    const containers = await eventually(async () => {
      const table = tableRows(await kubectl!.ok(['top', 'pods', '--containers', '-l', 'app=memory-hog']));
      return table.length === 3 ? table : undefined;
    }, 30_000, 500);
    assert.deepEqual(containers[0], ['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    assert.deepEqual(containers.slice(1).map((r) => [r[0], r[1]]), [['memory-hog', 'hold'], ['memory-hog', 'idle']]);
    assert.ok(mib(containers[1]![3]) >= 51, `the hold container reports ${containers[1]![3]}`);

    const byCpu = tableRows(await kubectl!.ok(['top', 'pods', '-l', 'tier=load', '--sort-by', 'cpu']));
    assert.deepEqual(byCpu.slice(1).map((r) => r[0]), ['burner', 'memory-hog']);
    const byMemory = tableRows(await kubectl!.ok(['top', 'pods', '-l', 'tier=load', '--sort-by', 'memory']));
    assert.deepEqual(byMemory.slice(1).map((r) => r[0]), ['memory-hog', 'burner']);

    const all = tableRows(await kubectl!.ok(['top', 'pods', '-A']));
    assert.deepEqual(all[0], ['NAMESPACE', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    assert.ok(all.some((r) => r[0] === 'default' && r[1] === 'burner'));
  });

  it('kubectl top nodes: the node with non-zero CPU and memory and their percentages', async () => {
    const rows = tableRows(await kubectl!.ok(['top', 'nodes']));
    assert.deepEqual(rows[0], ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
    const node = rows.find((r) => r[0] === daemon!.nodeName);
    assert.ok(node, `no row for ${daemon!.nodeName}:\n${rows.join('\n')}`);
    assert.ok(millis(node[1]) > 100, `node CPU ${node[1]}`);
    assert.match(node[2]!, /^\d+%$/);
    assert.ok(mib(node[3]) > 64, `node memory ${node[3]}`);
  });

  it('the API serves metrics-server\'s shapes; a pod without metrics is a 404 kubectl reports', async () => {
    const pod = JSON.parse(await kubectl!.ok(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/memory-hog']));
    assert.equal(pod.kind, 'PodMetrics');
    assert.equal(pod.apiVersion, 'metrics.k8s.io/v1beta1');
    assert.deepEqual(pod.metadata.labels, { app: 'memory-hog', tier: 'load' });
    assert.match(pod.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(pod.window, /^\d+(\.\d+)?m?s$/);
    for (const c of pod.containers) {
      assert.match(c.usage.cpu, /^\d+[num]?$/);
      assert.match(c.usage.memory, /^\d+(Ki|Mi|Gi)?$/);
    }
    const nodes = JSON.parse(await kubectl!.ok(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes']));
    assert.equal(nodes.kind, 'NodeMetricsList');
    assert.equal(nodes.items[0].kind, 'NodeMetrics');

    const missing = await kubectl!.run(['top', 'pod', 'no-such-pod']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NotFound.*podmetrics.metrics.k8s.io "default\/no-such-pod" not found/);
  });

  it('kubelab top prints what kubectl top prints', async () => {
    for (const args of [['top', 'nodes'], ['top', 'pods'], ['top', 'pods', '-A', '--containers'], ['top', 'pods', '-l', 'tier=load', '--sort-by', 'memory']]) {
      // Both read the same sample; a new one may land between the two calls, so try again until they agree.
      await eventually(async () => {
        const ours = await daemon!.kubelab(args);
        const theirs = await kubectl!.run(args);
        return ours.code === 0 && ours.stdout === theirs.stdout ? true : undefined;
      }, 30_000, 500).catch(async (err: Error) => {
        const ours = await daemon!.kubelab(args);
        const theirs = await kubectl!.run(args);
        throw new Error(`${err.message}: kubelab ${args.join(' ')} printed\n${ours.stdout}${ours.stderr}\nkubectl printed\n${theirs.stdout}${theirs.stderr}`);
      });
    }
  });

  it('/metrics: refused without the admin token, and kubectl get --raw shows every metric name', async () => {
    const port = Number(new URL(daemon!.url).port);
    const ca = (/certificate-authority-data: (\S+)/.exec(await fs.readFile(daemon!.kubeconfigPath, 'utf8'))?.[1] ?? '');
    const caPem = Buffer.from(ca, 'base64').toString();
    const headerSets: Record<string, string>[] = [{}, { Authorization: 'Bearer not-a-token' }];
    for (const headers of headerSets) {
      const refused = await httpsRequest({ port, ca: caPem, method: 'GET', path: '/metrics', headers });
      assert.equal(refused.status, 401);
      assert.equal(refused.json?.reason, 'Unauthorized');
    }

    const controlPlane = await kubectl!.ok(['get', '--raw', '/metrics']);
    const node = await kubectl!.ok(['get', '--raw', `/api/v1/nodes/${daemon!.nodeName}/proxy/metrics`]);
    const names = ['apiserver_request_total', 'apiserver_request_duration_seconds', 'workqueue_depth', 'workqueue_adds_total', 'scheduler_schedule_attempts_total', 'scheduler_scheduling_attempt_duration_seconds'];
    for (const name of names) assert.match(controlPlane, new RegExp(`^# TYPE ${name} `, 'm'), `${name} on /metrics`);
    const nodeNames = ['kubelet_running_pods', 'kubelet_pod_start_duration_seconds', 'rest_client_requests_total', 'kubelab_proxy_connections_total', 'kubelab_proxy_bytes_total', 'kubelab_gossip_members', 'kubelab_gossip_probes_total', 'kubelab_routes_installed', 'kubelab_dns_queries_total'];
    for (const name of nodeNames) assert.match(node, new RegExp(`^# TYPE ${name} `, 'm'), `${name} on the node's metrics`);

    // What a user would look for: the API's own requests counted, pods scheduled and running.
    assert.match(controlPlane, /^apiserver_request_total\{verb="LIST",group="",version="v1",resource="pods",subresource="",code="200"\} [1-9]/m);
    assert.match(controlPlane, /^scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} [1-9]/m);
    assert.match(controlPlane, /^workqueue_adds_total\{name="replicaset-controller"\} \d+/m);
    assert.match(node, /^kubelet_running_pods [1-9]/m);
    assert.match(node, /^kubelet_pod_start_duration_seconds_count [1-9]/m);
  });
});
