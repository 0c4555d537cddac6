// The multi-host promises, on a simulated three-host lab (kubelab lab up): replicas spread across
// hosts, pods reach each other across hosts with their real IPs, Services answer from every node,
// gossip rejects forged packets, and a dead or cut-off host's pods come back elsewhere without
// duplicates once it returns.

import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import http from 'node:http';
import type { Node, Pod, Service } from '../../lib/api/types.js';
import { loadClientConfig } from '../../lib/client/kubeconfig.js';
import { RestClient } from '../../lib/client/rest-client.js';
import { systemClock } from '../../lib/clock.js';
import { Codec } from '../../network/gossip/codec.js';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Kubectl, requireKubectl } from '../helpers/kubectl.js';
import { TestLab } from '../../harness/test-lab.js';
import { execFileAsync, runCli } from '../../harness/test-daemon.js';
import { untilPasses } from '../helpers/until-passes.js';

const EVICTION_SECONDS = 10;

interface List<T> {
  items: T[];
}

function httpGet(url: string, timeoutMs = 3_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`))).on('error', reject);
  });
}

const pinnedPod = (name: string, node: string, image: string, command: string[], labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: name, ...labels } },
  spec: { nodeSelector: { 'kubernetes.io/hostname': node }, terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image, command }] },
});

// An HTTP server that answers /cgi-bin/ip with the address the request came from.
const IP_ECHO = [
  'sh', '-c',
  // CGI headers end in CRLF: Node's HTTP parser is strict about it.
  'mkdir -p /www/cgi-bin && printf \'#!/bin/sh\\nprintf "Content-Type: text/plain\\\\r\\\\n\\\\r\\\\n%%s\\\\n" "$REMOTE_ADDR"\\n\' > /www/cgi-bin/ip && chmod +x /www/cgi-bin/ip && trap "exit 0" TERM; httpd -f -p 8080 -h /www & wait $!',
];
/** busybox httpd listens on IPv6 too, so it reports an IPv4 peer as `[::ffff:10.244.2.2]`. */
const ipv4Of = (remoteAddr: string) => remoteAddr.trim().replace(/^\[?(::ffff:)?/, '').replace(/\]$/, '');

const SLEEPER = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait $!'];

const spreadDeployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'spread' },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'spread' } },
    template: { metadata: { labels: { app: 'spread' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'hello', image: 'kubelab/hello:v1', ports: [{ containerPort: 3000 }] }] } },
  },
};

const nodePortService = (name: string, selector: Record<string, string>, port: number) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { type: 'NodePort', selector, ports: [{ port, targetPort: port }] },
});

describe('multi-host lab: three simulated hosts', function () {
  this.timeout(900_000);
  let lab: TestLab;
  let nodeIPs: Record<string, string> = {};

  const pods = async (selector: string) => (await lab.json<List<Pod>>(['get', 'pods', '-l', selector])).items;
  /** Running, Ready and not being deleted (a pod on a dead node is still "Running" until evicted, but not Ready). */
  const runningPods = async (selector: string) =>
    (await pods(selector)).filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  const podIP = async (name: string) => (await lab.json<Pod>(['get', 'pod', name])).status!.podIP!;
  const exec = (pod: string, command: string[]) => lab.ok(['exec', pod, '--', ...command], { timeoutMs: 30_000 });
  const nodeNamed = async (name: string) => lab.json<Node>(['get', 'node', name]);
  const readyStatus = (node: Node) => node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  const gossipState = (node: Node) => node.metadata.annotations?.['kubelab.io/gossip-state'];

  async function applyObject(object: object): Promise<void> {
    await lab.ok(['apply', '-f', '-'], { input: JSON.stringify(object) });
  }

  async function waitRunning(selector: string, count: number, timeoutMs = 120_000): Promise<Pod[]> {
    let found: Pod[] = [];
    await untilPasses(async () => {
      found = await runningPods(selector);
      assert.equal(found.length, count, `${selector}: ${found.length} of ${count} pods Running`);
    }, timeoutMs, 1_000);
    return found;
  }

  before(async function () {
    this.timeout(300_000);
    lab = await TestLab.up(3, ['--pod-eviction-timeout', String(EVICTION_SECONDS)]);
    const nodes = await lab.json<List<Node>>(['get', 'nodes']);
    nodeIPs = Object.fromEntries(nodes.items.map((n) => [n.metadata.name!, n.status!.addresses!.find((a) => a.type === 'InternalIP')!.address]));
    for (const node of ['node1', 'node2', 'node3']) {
      await applyObject(pinnedPod(`probe-${node}`, node, 'kubelab/busybox:1', SLEEPER, { role: 'probe' }));
    }
    await applyObject(pinnedPod('ipecho', 'node2', 'kubelab/busybox:1', IP_ECHO));
    await applyObject(nodePortService('ipecho', { app: 'ipecho' }, 8080));
    await waitRunning('role=probe', 3);
    await waitRunning('app=ipecho', 1);
  });

  after(async function () {
    this.timeout(300_000);
    if (!lab) return;
    if (this.currentTest?.state === 'failed') console.log(await lab.logs(60));
    await lab.down();
  });

  it('has three Ready nodes, each alive in the gossip view, shown by get nodes -o wide', async () => {
    await untilPasses(async () => {
      const nodes = (await lab.json<List<Node>>(['get', 'nodes'])).items;
      assert.deepEqual(nodes.map((n) => `${n.metadata.name}:${readyStatus(n)}:${gossipState(n)}`).sort(), ['node1:True:alive', 'node2:True:alive', 'node3:True:alive']);
    }, 30_000, 1_000);
    const wide = await lab.ok(['get', 'nodes', '-o', 'wide']);
    assert.match(wide.split('\n')[0], /GOSSIP/);
    assert.equal(new Set(Object.values(nodeIPs)).size, 3, 'every node has its own InternalIP');
  });

  it('spreads the replicas of one Deployment across the three nodes', async () => {
    await applyObject(spreadDeployment);
    const running = await waitRunning('app=spread', 3);
    assert.deepEqual(running.map((p) => p.spec.nodeName).sort(), ['node1', 'node2', 'node3']);
  });

  it('gives each node its own pod subnet, and a pod on node3 reaches a pod on node2 with its source IP intact', async () => {
    const nodes = (await lab.json<List<Node>>(['get', 'nodes'])).items;
    const subnets = nodes.map((n) => n.spec?.podCIDR);
    assert.equal(new Set(subnets).size, 3, `distinct subnets: ${subnets.join(', ')}`);
    const server = await podIP('ipecho');
    const client = await podIP('probe-node3');
    const seen = ipv4Of(await exec('probe-node3', ['wget', '-qO-', `http://${server}:8080/cgi-bin/ip`]));
    assert.equal(seen, client, 'the server sees the client pod\'s own IP: no NAT between nodes');
  });

  it('answers a NodePort on every node, for a pod that runs on node2 only', async () => {
    const service = await lab.json<Service>(['get', 'svc', 'ipecho']);
    const nodePort = service.spec!.ports![0].nodePort!;
    for (const [node, ip] of Object.entries(nodeIPs)) {
      await untilPasses(async () => assert.match(ipv4Of(await httpGet(`http://${ip}:${nodePort}/cgi-bin/ip`)), /^\d+\.\d+\.\d+\.\d+$/, node), 20_000, 500);
    }
  });

  it('reaches a ClusterIP from a pod on node1 to the pod on node2, and resolves it by name on every node', async () => {
    const service = await lab.json<Service>(['get', 'svc', 'ipecho']);
    const clusterIP = service.spec!.clusterIP!;
    const answer = await exec('probe-node1', ['wget', '-qO-', `http://${clusterIP}:8080/cgi-bin/ip`]);
    assert.match(ipv4Of(answer), /^\d+\.\d+\.\d+\.\d+$/);
    for (const node of ['node1', 'node2', 'node3']) {
      const lookup = await exec(`probe-${node}`, ['nslookup', 'ipecho.default.svc.cluster.local']);
      assert.ok(lookup.includes(clusterIP), `${node} resolves ipecho to ${clusterIP}: ${lookup}`);
    }
  });

  it('answers the CLI through any node (each agent forwards its API port to the server)', async () => {
    const original = await fs.readFile(lab.kubeconfigPath, 'utf8');
    // Not in the lab's directory: `lab down` removes only what the lab made, and would keep it.
    const viaNode3 = path.join(os.tmpdir(), `kubeconfig-node3-${process.pid}.yaml`);
    await fs.writeFile(viaNode3, original.replace(/server: https:\/\/[^\s]+/, `server: https://${nodeIPs.node3}:6443`), { mode: 0o600 });
    const result = await runCli(['--kubeconfig', viaNode3, 'get', 'nodes']).finally(() => fs.rm(viaNode3, { force: true }));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /node1\s+Ready/);
  });

  it('lets the real kubectl read logs of, and exec in, pods on other nodes than the server\'s', async function () {
    const kubectl = await Kubectl.forKubeconfig(requireKubectl(this), lab.kubeconfigPath);
    try {
      const wide = await kubectl.run(['get', 'nodes', '-o', 'wide']);
      assert.equal(wide.code, 0, wide.stderr);
      assert.match(wide.stdout, /GOSSIP/);
      for (const node of ['node2', 'node3']) {
        const exec = await kubectl.run(['exec', `probe-${node}`, '--', 'sh', '-c', 'echo hi from $(hostname); exit 3']);
        assert.equal(exec.code, 3, exec.stderr);
        assert.match(exec.stdout, /hi from probe-/);
      }
      const logs = await kubectl.run(['logs', 'ipecho']);
      assert.equal(logs.code, 0, logs.stderr);
    } finally {
      await kubectl.killAll(); // and its cache directory
    }
  });

  it('drops forged and unsigned gossip packets, and counts them', async () => {
    const config = loadClientConfig({ kubeconfig: lab.kubeconfigPath });
    const client = new RestClient(config);
    try {
      const before = await client.request<{ rejected: Record<string, number>; members: { name: string }[] }>('GET', '/debug/gossip');
      const forger = new Codec({ secret: 'not-the-cluster-secret', clock: systemClock });
      const forged = forger.encode('evil', { type: 'ping', seq: 1, target: 'node1', updates: [{ kind: 'alive', name: 'evil', address: '10.0.0.66:7946', incarnation: 99, meta: {} }] });
      const socket = dgram.createSocket('udp4');
      for (const packet of [forged, Buffer.from('not a gossip packet at all')]) {
        await new Promise<void>((resolve, reject) => socket.send(packet, 7946, nodeIPs.node1, (err) => (err ? reject(err) : resolve())));
      }
      socket.close();
      await untilPasses(async () => {
        const after = await client.request<{ rejected: Record<string, number>; members: { name: string }[] }>('GET', '/debug/gossip');
        const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
        assert.ok(total(after.rejected) >= total(before.rejected) + 2, `rejected ${JSON.stringify(after.rejected)}`);
        assert.ok(!after.members.some((m) => m.name === 'evil'), 'the forged member was not admitted');
      }, 10_000, 200);
    } finally {
      client.close();
    }
  });

  it('when a host dies (agent and engine killed), its pods come back on live nodes and the Service keeps answering', async () => {
    await applyObject(nodePortService('spread', { app: 'spread' }, 3000));
    const nodePort = (await lab.json<Service>(['get', 'svc', 'spread'])).spec!.ports![0].nodePort!;
    await untilPasses(async () => assert.match(await httpGet(`http://${nodeIPs.node1}:${nodePort}/`), /Hello World/), 20_000, 500);
    const killed = await lab.lab(['kill', 'node3']);
    assert.equal(killed.code, 0, killed.stderr);
    const start = Date.now();

    await untilPasses(async () => {
      const node = await nodeNamed('node3');
      assert.equal(readyStatus(node), 'Unknown');
      assert.equal(gossipState(node), 'dead');
      assert.ok(node.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'));
    }, 60_000, 500);
    const detectedMs = Date.now() - start;
    // Its pod leaves the Service as soon as the node is known dead, long before it is evicted.
    await untilPasses(async () => {
      const endpoints = await lab.json<{ subsets?: { addresses?: { nodeName?: string }[] }[] }>(['get', 'endpoints', 'spread']);
      const ready = (endpoints.subsets ?? []).flatMap((s) => s.addresses ?? []);
      assert.ok(ready.length >= 2 && ready.every((a) => a.nodeName !== 'node3'), `ready endpoints: ${JSON.stringify(ready)}`);
    }, 3_000, 200);

    await untilPasses(async () => {
      const running = await runningPods('app=spread');
      assert.deepEqual(running.filter((p) => p.spec.nodeName !== 'node3').length, 3, `Running and Ready off node3: ${running.map((p) => p.spec.nodeName).join(', ')}`);
    }, 120_000, 1_000);
    console.log(`      node3 detected dead after ${detectedMs} ms; 3 spread pods Running on live nodes after ${Date.now() - start} ms`);
    for (let i = 0; i < 10; i++) assert.match(await httpGet(`http://${nodeIPs.node1}:${nodePort}/`), /Hello World/, `request ${i} through node1's NodePort`);
  });

  it('a killed host restarted rejoins, and removes the containers of its evicted pods', async () => {
    const restarted = await lab.lab(['restart', 'node3'], 180_000);
    assert.equal(restarted.code, 0, restarted.stderr);
    await untilPasses(async () => {
      const node = await nodeNamed('node3');
      assert.equal(readyStatus(node), 'True');
      assert.equal(gossipState(node), 'alive');
      assert.ok(!node.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable'), 'unreachable taint removed');
    }, 120_000, 1_000);
    await assertNoStrayContainers('node3');
  });

  it('a partitioned host is evicted, and after healing there are no duplicate pods', async () => {
    const before = await runningPods('app=spread');
    const onNode2 = before.filter((p) => p.spec.nodeName === 'node2').map((p) => p.metadata.name);
    const cut = await lab.lab(['partition', 'node2']);
    assert.equal(cut.code, 0, cut.stderr);
    try {
      await untilPasses(async () => assert.equal(readyStatus(await nodeNamed('node2')), 'Unknown'), 60_000, 500);
      await untilPasses(async () => {
        const running = await runningPods('app=spread');
        assert.equal(running.length, 3);
        assert.ok(running.every((p) => p.spec.nodeName !== 'node2'), 'replacements on other nodes');
      }, 120_000, 1_000);
    } finally {
      const healed = await lab.lab(['heal', 'node2']);
      assert.equal(healed.code, 0, healed.stderr);
    }
    await untilPasses(async () => {
      const node = await nodeNamed('node2');
      assert.equal(readyStatus(node), 'True');
      assert.equal(gossipState(node), 'alive');
    }, 120_000, 1_000);
    await assertNoStrayContainers('node2');
    const after = await pods('app=spread');
    assert.equal(after.filter((p) => !p.metadata.deletionTimestamp).length, 3, 'exactly 3 spread pods');
    assert.ok(onNode2.every((name) => !after.some((p) => p.metadata.name === name)), 'the pods node2 had are gone');
  });

  it('lab down removes every namespace, link, mount, process and file of the lab', async () => {
    const state = JSON.parse(await fs.readFile(path.join(lab.dir, 'lab.json'), 'utf8')) as { plan: { prefix: string }; processes: Record<string, { dockerd?: { pid: number }; kubelabd?: { pid: number } }> };
    const prefix = state.plan.prefix;
    const pids = Object.values(state.processes).flatMap((p) => [p.dockerd?.pid, p.kubelabd?.pid]).filter((pid): pid is number => pid !== undefined);
    const down = await lab.down();
    assert.equal(down.code, 0, down.stderr);
    const { stdout: netns } = await execFileAsync('ip', ['netns', 'list']);
    const { stdout: links } = await execFileAsync('ip', ['link', 'show']);
    assert.ok(!netns.includes(prefix), `no netns ${prefix}*: ${netns}`);
    assert.ok(!links.includes(prefix), `no link ${prefix}*`);
    const mounts = await fs.readFile('/proc/self/mountinfo', 'utf8');
    assert.ok(!mounts.includes(lab.dir) && !mounts.includes(`/run/${prefix}`), 'no mount left');
    assert.deepEqual(pids.filter((pid) => { try { process.kill(pid, 0); return true; } catch { return false; } }), [], 'no engine or daemon left');
    await assert.rejects(fs.stat(lab.dir), 'the lab directory is gone');
  });

  /** Every running container on the host belongs to a pod the API still has bound to that host. */
  async function assertNoStrayContainers(node: string): Promise<void> {
    await untilPasses(async () => {
      const bound = new Set((await lab.json<List<Pod>>(['get', 'pods', '-A', '--field-selector', `spec.nodeName=${node}`])).items.map((p) => p.metadata.uid));
      const containers = await lab.engine(node).listContainers({ filters: { label: ['io.kubelab.pod.uid'] } });
      const strays = containers.filter((c) => !bound.has(c.Labels['io.kubelab.pod.uid']));
      assert.deepEqual(strays.map((c) => c.Names[0]), [], `containers on ${node} of pods the API no longer has there`);
    }, 60_000, 1_000);
  }
});
