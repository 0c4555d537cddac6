// A control plane that survives its server, on a simulated lab of four hosts with three servers
// (kubelab lab up --servers 3): node1..node3 each run an etcd member and a `kubelabd server`,
// node4 an agent, and HAProxy on the machine fronts the three APIs. What a user would check:
// killing the controller-manager leader's host loses no acknowledged write made through the
// lab's API address, another server takes the lease and the controllers keep working; two
// servers allocating Service addresses at once never hand out the same one; and cutting the
// leader's host off makes it stop acting, with no pod ever bound twice.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Lease } from '../../lib/api/coordination-types.js';
import type { Node, Pod, Service } from '../../lib/api/types.js';
import { loadClientConfig } from '../../lib/client/kubeconfig.js';
import { RestClient } from '../../lib/client/rest-client.js';
import { ApiError } from '../../lib/errors.js';
import { TestLab } from '../../harness/test-lab.js';
import { untilPasses } from '../helpers/until-passes.js';

const EVICTION_SECONDS = 10;
const LEASES = 'leases.coordination.k8s.io';
const NODE_IPS: Record<string, string> = {};

const SLEEPER = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait $!'];
const deployment = (name: string, replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'kubelab/busybox:1', command: SLEEPER }] } },
  },
});

const seconds = (sinceMs: number) => ((Date.now() - sinceMs) / 1000).toFixed(1);

describe('control plane HA lab: three servers on etcd behind HAProxy, four hosts', function () {
  this.timeout(900_000);
  let lab: TestLab;
  let client: RestClient;
  const clients: RestClient[] = [];
  let killedHost = '';

  /** A client of the lab's API address (HAProxy), or of one server's own address. */
  const newClient = (server?: string) => {
    const c = new RestClient(loadClientConfig({ kubeconfig: lab.kubeconfigPath, server }), { userAgent: 'control-plane-ha-test' });
    clients.push(c);
    return c;
  };
  const holderNode = async (lease: string) => {
    const holder = (await client.get<Lease>(LEASES, 'kube-system', lease)).spec?.holderIdentity ?? '';
    return holder.split('_')[0]!;
  };
  const appPods = async (app: string) => (await client.list<Pod>('pods', { namespace: 'default', labelSelector: `app=${app}` })).items;
  const isRunningReady = (p: Pod) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  const waitRunning = async (app: string, count: number, timeoutMs: number, also: (pods: Pod[]) => void = () => undefined) => {
    let found: Pod[] = [];
    await untilPasses(async () => {
      const pods = await appPods(app);
      found = pods.filter(isRunningReady);
      assert.equal(found.length, count, `${app}: ${found.length} of ${count} pods Running and Ready`);
      assert.equal(pods.filter((p) => !p.metadata.deletionTimestamp).length, count, `${app}: no pod beyond the ${count} replicas`);
      also(found);
    }, timeoutMs, 500);
    return found;
  };

  before(async function () {
    this.timeout(400_000);
    const started = Date.now();
    lab = await TestLab.up(4, ['--servers', '3', '--pod-eviction-timeout', String(EVICTION_SECONDS), '--node-monitor-grace-period', '8']);
    console.log(`      lab up (4 hosts, 3 servers) in ${seconds(started)} s`);
    client = newClient();
    const state = JSON.parse(await fs.readFile(path.join(lab.dir, 'lab.json'), 'utf8')) as { plan: { hosts: { name: string; ip: string }[] } };
    for (const host of state.plan.hosts) NODE_IPS[host.name] = host.ip;
  });

  after(async function () {
    this.timeout(300_000);
    for (const c of clients) c.close();
    if (!lab) return;
    if (this.currentTest?.state === 'failed') {
      console.log(await lab.logs(60));
      // Which server HAProxy sent each connection to, and when it marked servers down or up.
      console.log(`--- haproxy.log\n${(await fs.readFile(path.join(lab.dir, 'haproxy.log'), 'utf8').catch(() => '')).split('\n').slice(-60).join('\n')}`);
    }
    await lab.down();
  });

  it('reaches every server through HAProxy, and lab status shows one etcd leader and the Lease holders', async () => {
    const kubeconfig = await fs.readFile(lab.kubeconfigPath, 'utf8');
    const gateway = /server: https:\/\/([\d.]+):6443/.exec(kubeconfig)?.[1];
    assert.ok(gateway && !Object.values(NODE_IPS).includes(gateway), `the kubeconfig names the load balancer, not a host: ${gateway}`);
    await untilPasses(async () => {
      const status = await lab.lab(['status']);
      assert.equal(status.code, 0, status.stderr);
      assert.equal(status.stdout.match(/^node\d\s+http:\S+\s+leader\b/gm)?.length, 1, status.stdout);
      assert.equal(status.stdout.match(/^node\d\s+http:\S+\s+follower\b/gm)?.length, 2, status.stdout);
      assert.match(status.stdout, /^kube-controller-manager\s+node[123]_/m);
      assert.match(status.stdout, /^kube-scheduler\s+node[123]_/m);
    }, 30_000, 1_000);
    // Each server answers on its own address too, with a certificate the lab's CA signed.
    for (const node of ['node1', 'node2', 'node3']) {
      const nodes = await newClient(`https://${NODE_IPS[node]}:6443`).list('nodes');
      assert.equal(nodes.items.length, 4, node);
    }
  });

  it('hands out 100 Services created in parallel through two servers without a ClusterIP or NodePort twice', async () => {
    const serverA = newClient(`https://${NODE_IPS.node1}:6443`);
    const serverB = newClient(`https://${NODE_IPS.node2}:6443`);
    const started = Date.now();
    const created = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (i % 2 === 0 ? serverA : serverB).create<Service>('services', {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: `alloc-${i}`, namespace: 'default', labels: { test: 'alloc' } },
          spec: { type: 'NodePort', selector: { app: 'none' }, ports: [{ port: 80, targetPort: 80 }] },
        }),
      ),
    );
    console.log(`      100 Services through node1 and node2 in ${seconds(started)} s`);
    const listed = (await client.list<Service>('services', { namespace: 'default', labelSelector: 'test=alloc' })).items;
    assert.equal(listed.length, 100);
    const clusterIPs = listed.map((s) => s.spec!.clusterIP!);
    const nodePorts = listed.map((s) => s.spec!.ports![0]!.nodePort!);
    const duplicates = (values: (string | number)[]) => values.filter((v, i) => values.indexOf(v) !== i);
    assert.deepEqual(duplicates(clusterIPs), [], 'no ClusterIP handed out twice');
    assert.deepEqual(duplicates(nodePorts), [], 'no NodePort handed out twice');
    assert.deepEqual(created.map((s) => s.spec!.clusterIP).sort(), [...clusterIPs].sort(), 'what each server answered is what the store holds');
  });

  it('partitions the leader\'s host: it stops acting, no pod is ever bound twice, no duplicates after heal', async () => {
    const leader = await holderNode('kube-scheduler');
    const logFile = path.join(lab.dir, leader, 'kubelabd.log');
    const logBefore = (await fs.readFile(logFile, 'utf8')).length;

    // Every binding ever seen, per pod uid: one node each, or two schedulers bound the same pod.
    const bindings = new Map<string, Set<string>>();
    let observing = true;
    let observations = 0;
    const observer = (async () => {
      while (observing) {
        try {
          for (const pod of (await client.list<Pod>('pods', { namespace: 'default' })).items) {
            if (!pod.spec.nodeName) continue;
            const nodes = bindings.get(pod.metadata.uid!) ?? new Set<string>();
            nodes.add(pod.spec.nodeName);
            bindings.set(pod.metadata.uid!, nodes);
          }
          observations++;
        } catch {
          // the API may be briefly unavailable while HAProxy marks the cut-off server down
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    const cutAt = Date.now();
    const partition = await lab.lab(['partition', leader]);
    assert.equal(partition.code, 0, partition.stderr);
    // Work for the schedulers while the leader is cut off. Until HAProxy marks the cut-off server
    // down (2 failed checks, 1 s apart) a request it sent there fails: the client retries, as
    // kubectl's user would; a retried create that had gone through finds its Deployment there.
    await untilPasses(async () => {
      try {
        await client.create('deployments.apps', deployment('part', 6));
      } catch (err) {
        if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
      }
    }, 30_000, 500);

    let newLeader = '';
    await untilPasses(async () => {
      newLeader = await holderNode('kube-scheduler');
      assert.ok(newLeader !== leader, `kube-scheduler Lease still held by ${leader}`);
    }, 60_000, 250);
    const takeoverSeconds = seconds(cutAt);
    // The cut-off server cannot renew (no etcd quorum on its side): it stops acting.
    await untilPasses(async () => {
      const log = (await fs.readFile(logFile, 'utf8')).slice(logBefore);
      assert.match(log, /lost the lease kube-system\/kube-scheduler: stopped acting/);
    }, 60_000, 500);
    await waitRunning('part', 6, 120_000, (pods) => assert.ok(!pods.some((p) => p.spec.nodeName === leader), `no new pod on the cut-off ${leader}`));
    console.log(`      partitioned ${leader}: ${newLeader} holds kube-scheduler after ${takeoverSeconds} s; part's 6 pods Running after ${seconds(cutAt)} s`);

    const heal = await lab.lab(['heal', leader]);
    assert.equal(heal.code, 0, heal.stderr);
    const healedAt = Date.now();
    await untilPasses(async () => {
      const node = await client.get('nodes', undefined, leader);
      const ready = (node as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions?.find((c) => c.type === 'Ready')?.status;
      assert.equal(ready, 'True', `${leader} Ready again`);
    }, 120_000, 500);
    await waitRunning('part', 6, 120_000);
    observing = false;
    await observer;
    console.log(`      healed ${leader}: Ready after ${seconds(healedAt)} s; ${observations} observations of ${bindings.size} bound pods`);

    const twice = [...bindings].filter(([, nodes]) => nodes.size > 1).map(([uid, nodes]) => `${uid}: ${[...nodes].join(', ')}`);
    assert.deepEqual(twice, [], 'no pod was ever bound to two nodes');
    assert.ok(observations > 20, `the observer saw the cluster ${observations} times`);
  });

  it('survives the kill of the controller-manager leader\'s host: no acknowledged write lost, a new leader, pods replaced', async () => {
    await client.create('deployments.apps', deployment('web', 8));
    await waitRunning('web', 8, 120_000);
    const victim = await holderNode('kube-controller-manager');
    assert.match(victim, /^node[123]$/);
    killedHost = victim;
    const victimPods = (await appPods('web')).filter((p) => p.spec.nodeName === victim).map((p) => p.metadata.name);
    assert.ok(victimPods.length > 0, `some of web's 8 pods run on ${victim}`);

    // A writer through the lab's API address, before, during and after the kill.
    const acknowledged: string[] = [];
    let failed = 0;
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const name = `write-${i}`;
        try {
          await client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels: { test: 'writes' } }, data: { i: String(i) } });
          acknowledged.push(name); // 201 Created
        } catch {
          failed++;
        }
      }
    })();
    await untilPasses(() => assert.ok(acknowledged.length >= 20, 'writes flow before the kill'), 30_000, 100);

    const killedAt = Date.now();
    const kill = await lab.lab(['kill', victim]);
    assert.equal(kill.code, 0, kill.stderr);
    assert.match(kill.stdout, new RegExp(`^${victim}: plug pulled, \\d+ process\\(es\\) killed \\(engine, containers, etcd, kubelabd\\)`));
    const writesAtKill = acknowledged.length;

    let newLeader = '';
    await untilPasses(async () => {
      newLeader = await holderNode('kube-controller-manager');
      assert.ok(newLeader !== victim && /^node[123]$/.test(newLeader), `controller-manager Lease held by ${newLeader}`);
    }, 60_000, 250);
    const leaderAfterMs = Date.now() - killedAt;
    await untilPasses(() => assert.ok(acknowledged.length >= writesAtKill + 20, 'writes flow again after the kill'), 60_000, 100);
    writing = false;
    await writer;
    console.log(`      killed ${victim}: new controller-manager leader ${newLeader} after ${(leaderAfterMs / 1000).toFixed(1)} s; ${acknowledged.length} writes acknowledged, ${failed} failed`);

    const stored = new Set((await client.list('configmaps', { namespace: 'default', labelSelector: 'test=writes' })).items.map((c) => c.metadata.name));
    assert.deepEqual(acknowledged.filter((name) => !stored.has(name)), [], 'every write answered 201 is in the store');

    // The killed host's pods come back on the others once it is declared gone.
    const replacedStart = Date.now();
    await waitRunning('web', 8, 120_000, (pods) => assert.deepEqual(pods.filter((p) => p.spec.nodeName === victim).map((p) => p.metadata.name), [], `no web pod on ${victim}`));
    console.log(`      ${victim}'s ${victimPods.length} web pods Running elsewhere ${seconds(replacedStart)} s after the new leader`);

    // The new leader's ReplicaSet controller replaces a deleted pod.
    const [doomed] = await appPods('web');
    await client.delete('pods', 'default', doomed!.metadata.name!);
    await waitRunning('web', 8, 60_000, (pods) => assert.ok(!pods.some((p) => p.metadata.uid === doomed!.metadata.uid), 'the deleted pod is gone'));

  });


  it('restarts the killed server host: its etcd member rejoins on its data dir, its API serves again', async () => {
    const victim = killedHost;
    assert.ok(victim, 'the kill test chose a host');
    const restartedAt = Date.now();
    const restart = await lab.lab(['restart', victim], 240_000);
    assert.equal(restart.code, 0, restart.stderr || restart.stdout);
    assert.match(restart.stdout, /etcd member started \(pid \d+\) on its data dir, rejoining the cluster/);
    await untilPasses(async () => {
      const status = await lab.lab(['status']);
      assert.equal(status.stdout.match(/^node\d\s+http:\S+\s+(leader|follower)\b/gm)?.length, 3, status.stdout);
    }, 60_000, 1_000);
    console.log(`      restarted ${victim}: etcd member and Node back in ${seconds(restartedAt)} s`);
    // Its own API, then the lab's address (HAProxy sends every third request to it): each answers.
    const own = newClient(`https://${NODE_IPS[victim]}:6443`);
    await untilPasses(async () => assert.equal((await own.list('nodes')).items.length, 4), 30_000, 500);
    for (let i = 0; i < 9; i++) {
      await client.request('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler', { signal: AbortSignal.timeout(10_000) });
    }
  });
  it('lab scenario run server-loss: narrates the takeover and holds its invariants, the host restarted', async () => {
    // Starts from four Ready nodes (the restart test above brought the killed host back).
    await untilPasses(async () => {
      const nodes = (await client.list<Node>('nodes')).items;
      assert.equal(nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length, 4);
    }, 120_000, 1_000);
    const result = await lab.lab(['scenario', 'run', 'server-loss'], 480_000);
    console.log(result.stdout.replace(/^/gm, '      | '));
    assert.equal(result.code, 0, `server-loss exited ${result.code}: ${result.stderr}`);
    assert.match(result.stdout, /now holds the kube-controller-manager Lease: its controllers act/);
    assert.match(result.stdout, /first write answered 201 after the kill/);
    assert.match(result.stdout, /ok +every write answered 201 is stored/);
    assert.match(result.stdout, /^scenario server-loss passed$/m);
    assert.doesNotMatch(result.stdout, /^\s+FAIL\s/m);
  });
});
